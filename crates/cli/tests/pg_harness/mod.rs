//! A throwaway PostgreSQL server for tests: Debian's `postgresql` binaries
//! (`initdb`, `pg_ctl`), a fresh data directory under the temp dir, a free
//! port on 127.0.0.1, trust authentication. As root the server runs as the
//! unprivileged `postgres` user (PostgreSQL refuses to run as root).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Postgres {
    dir: PathBuf,
    bin: PathBuf,
    as_user: Option<String>,
    pub url: String,
}

/// The server, or `None` (with `SKIP` printed) when PostgreSQL is not
/// installed. Under `CI` a missing server is a failure; a server that is
/// installed but does not start always is.
pub fn start(test: &str) -> Option<Postgres> {
    let Some(bin) = bin_dir() else {
        let why = "no initdb/pg_ctl under /usr/lib/postgresql/*/bin";
        if std::env::var_os("CI").is_some() {
            panic!("{test}: PostgreSQL is required under CI: {why}");
        }
        eprintln!("SKIP {test}: {why} (install Debian's postgresql package: .ci/deps.sh)");
        return None;
    };
    match try_start(bin, test) {
        Ok(p) => Some(p),
        Err(why) => panic!("{test}: PostgreSQL is installed but did not start: {why}"),
    }
}

fn bin_dir() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").is_file() && b.join("pg_ctl").is_file())
        .collect();
    dirs.sort(); // the newest major version last
    dirs.pop()
}

fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn try_start(bin: PathBuf, test: &str) -> Result<Postgres, String> {
    // One directory per server: tests of one binary run in parallel.
    let dir = std::env::temp_dir().join(format!("mcpwarden-pg-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let root = is_root();
    let as_user = if root {
        let ok = Command::new("chown")
            .arg("-R")
            .arg("postgres:")
            .arg(&dir)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !ok {
            return Err(
                "running as root and cannot hand a data directory to user `postgres`".into(),
            );
        }
        Some("postgres".to_string())
    } else {
        None
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let pg = Postgres {
        url: format!("postgres://mcpw@127.0.0.1:{port}/postgres"),
        dir: dir.clone(),
        bin: bin.clone(),
        as_user,
    };
    let data = dir.join("data");
    run(
        pg.cmd("initdb").arg("-D").arg(&data).args([
            "-A",
            "trust",
            "-U",
            "mcpw",
            "-E",
            "UTF8",
            "--no-sync",
        ]),
        "initdb",
    )?;
    let opts = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50",
        dir.display()
    );
    run(
        pg.cmd("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-o")
            .arg(opts)
            .arg("-l")
            .arg(dir.join("log"))
            .args(["-w", "-t", "60", "start"]),
        "pg_ctl start",
    )?;
    Ok(pg)
}

fn is_root() -> bool {
    // No libc dependency: the effective uid from /proc.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

impl Postgres {
    fn cmd(&self, tool: &str) -> Command {
        let exe = self.bin.join(tool);
        match &self.as_user {
            Some(u) => {
                let mut c = Command::new("runuser");
                c.args(["-u", u, "--"]).arg(exe);
                c
            }
            None => Command::new(exe),
        }
    }

    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).expect("connect to the test server")
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .cmd("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
