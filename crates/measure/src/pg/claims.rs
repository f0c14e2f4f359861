//! The work queue of a shared run: claims under leases, renewed by a heartbeat.

use super::{connect, CLAIM};
use crate::backend::{Claim, Claims, SharedOptions};
use crate::store::{Result, StoreError};
use postgres::Client;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Claims rows of one shared run; a heartbeat thread renews their leases.
pub(super) struct PgClaims {
    client: Mutex<Client>,
    run_key: String,
    worker: String,
    lease: Duration,
    stop: Arc<AtomicBool>,
    heartbeat: Option<JoinHandle<()>>,
}

impl PgClaims {
    pub(super) fn start(
        url: &str,
        run_key: &str,
        worker: &str,
        shared: SharedOptions,
    ) -> Result<PgClaims> {
        let stop = Arc::new(AtomicBool::new(false));
        let mut beat = connect(url)?;
        let (k, w, s, lease) = (
            run_key.to_string(),
            worker.to_string(),
            stop.clone(),
            shared.lease,
        );
        let heartbeat = std::thread::spawn(move || {
            let every = lease / 3;
            let mut waited = Duration::ZERO;
            while !s.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(50));
                waited += Duration::from_millis(50);
                if waited < every {
                    continue;
                }
                waited = Duration::ZERO;
                // A failed renewal is retried on the next beat; the lease has two more.
                let _ = beat.execute(
                    "UPDATE claims SET lease_until = now() + make_interval(secs => $3)
                      WHERE run_key = $1 AND worker = $2 AND state = 'claimed'",
                    &[&k, &w, &lease.as_secs_f64()],
                );
            }
        });
        Ok(PgClaims {
            client: Mutex::new(connect(url)?),
            run_key: run_key.to_string(),
            worker: worker.to_string(),
            lease: shared.lease,
            stop,
            heartbeat: Some(heartbeat),
        })
    }
}

impl Claims for PgClaims {
    fn next(&self) -> Result<Option<Claim>> {
        let lease = self.lease.as_secs_f64();
        loop {
            {
                let mut c = self
                    .client
                    .lock()
                    .map_err(|_| StoreError("claim connection poisoned".into()))?;
                if let Some(row) = c.query_opt(CLAIM, &[&self.run_key, &self.worker, &lease])? {
                    let attempts: i64 = row.get(1);
                    return Ok(Some(Claim {
                        key: row.get(0),
                        attempts: attempts.clamp(0, u32::MAX as i64) as u32,
                    }));
                }
                // Nothing free. Rows others hold may still come free (their
                // worker may die): wait while any is held, then stop.
                let held: i64 = c
                    .query_one(
                        "SELECT count(*) FROM claims WHERE run_key = $1 AND state = 'claimed'",
                        &[&self.run_key],
                    )?
                    .get(0);
                if held == 0 {
                    return Ok(None);
                }
            }
            std::thread::sleep((self.lease / 4).min(Duration::from_secs(2)));
        }
    }
}

impl Drop for PgClaims {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.heartbeat.take() {
            let _ = h.join();
        }
    }
}
