//! The audit log: one JSON line per `tools/call` (time, tool, decision, rule,
//! the argument values that decided, latency).

use serde_json::Value;
use std::io::Write;
use std::path::Path;

pub struct AuditLog(std::fs::File);

impl AuditLog {
    /// Open for appending (created 0600: arguments can be sensitive).
    pub fn open(path: &Path) -> Result<AuditLog, String> {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)
            .map(AuditLog)
            .map_err(|e| format!("audit log {}: {e}", path.display()))
    }

    /// One record, written with a single `write` so concurrent lines never interleave.
    pub fn write(&mut self, rec: &Value) {
        let mut line = serde_json::to_vec(rec).expect("serialise");
        line.push(b'\n');
        if let Err(e) = self.0.write_all(&line) {
            eprintln!("mcpwarden: audit log write failed: {e}");
        }
    }
}

/// UTC now as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn now_rfc3339() -> String {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (y, m, day) = civil_from_days(secs.div_euclid(86400));
    let s = secs.rem_euclid(86400);
    format!(
        "{y:04}-{m:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        s / 3600,
        s / 60 % 60,
        s % 60,
        d.subsec_millis()
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates() {
        assert_eq!(super::civil_from_days(0), (1970, 1, 1));
        assert_eq!(super::civil_from_days(20_425), (2025, 12, 3));
        assert_eq!(super::civil_from_days(11_016), (2000, 2, 29));
    }
}
