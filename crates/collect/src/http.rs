//! Blocking HTTP with retries, body limits and checksums while streaming.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use sha1::Digest as _;
use ureq::tls::{RootCerts, TlsConfig};

use crate::error::{CollectError, ErrorKind, Result};
use crate::Config;

/// One agent for the process: it holds the connection pool (TLS handshakes
/// to the same registry are reused across packages and threads) and no
/// per-run state; timeouts are set per request from the caller's `Config`.
fn agent() -> &'static ureq::Agent {
    static AGENT: OnceLock<ureq::Agent> = OnceLock::new();
    AGENT.get_or_init(|| {
        ureq::Agent::config_builder()
            // Status codes are classified here (retry 5xx/429, 404 = not found).
            .http_status_as_error(false)
            // The system CA store, so TLS-inspecting corporate proxies work.
            .tls_config(
                TlsConfig::builder()
                    .root_certs(RootCerts::PlatformVerifier)
                    .build(),
            )
            .user_agent(concat!("mcpwarden/", env!("CARGO_PKG_VERSION")))
            .max_idle_connections_per_host(8)
            .build()
            .new_agent()
    })
}

/// A hash the registry published, to check the download against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expected {
    Sha512(Vec<u8>),
    Sha384(Vec<u8>),
    Sha256(Vec<u8>),
    Sha1(Vec<u8>),
}

impl Expected {
    fn name(&self) -> &'static str {
        match self {
            Expected::Sha512(_) => "sha512",
            Expected::Sha384(_) => "sha384",
            Expected::Sha256(_) => "sha256",
            Expected::Sha1(_) => "sha1",
        }
    }
    fn bytes(&self) -> &[u8] {
        match self {
            Expected::Sha512(b) | Expected::Sha384(b) | Expected::Sha256(b) | Expected::Sha1(b) => {
                b
            }
        }
    }
}

enum Check {
    None,
    Sha512(sha2::Sha512),
    Sha384(sha2::Sha384),
    Sha1(sha1::Sha1),
}

/// What a finished download was.
#[derive(Debug, Clone)]
pub(crate) struct Downloaded {
    pub sha256: String,
}

struct Failure {
    err: CollectError,
    retry: bool,
    wait: Option<Duration>,
}

impl Failure {
    fn fatal(err: CollectError) -> Failure {
        Failure {
            err,
            retry: false,
            wait: None,
        }
    }
}

/// Runs `attempt` until it succeeds, fails for good, or the retries run out;
/// waits 0.5 s, 1 s, 2 s, ... (capped at 10 s, or the server's Retry-After up to 30 s).
fn with_retries<T>(
    cfg: &Config,
    url: &str,
    mut attempt: impl FnMut() -> std::result::Result<T, Failure>,
) -> Result<T> {
    let mut n = 0u32;
    loop {
        match attempt() {
            Ok(v) => return Ok(v),
            // A checksum mismatch gets one more try (a corrupted transfer),
            // not the whole budget (a tampered file stays tampered).
            Err(f)
                if f.retry
                    && n < cfg.retries
                    && (n == 0 || f.err.error_kind() != ErrorKind::Integrity) =>
            {
                let backoff = Duration::from_millis(500u64.saturating_mul(1 << n.min(5)))
                    .min(Duration::from_secs(10));
                let wait = f
                    .wait
                    .map(|w| w.min(Duration::from_secs(30)))
                    .unwrap_or(backoff);
                std::thread::sleep(wait);
                n += 1;
            }
            Err(f) => {
                let tries = if f.retry && n > 0 {
                    format!(" (after {} attempts)", n + 1)
                } else {
                    String::new()
                };
                return Err(CollectError::new(
                    f.err.error_kind(),
                    format!("{}{tries}", f.err.message()),
                )
                .context(&redact(url)));
            }
        }
    }
}

/// URLs may carry `user:password@`: never show them.
pub(crate) fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("***");
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => url.to_string(),
    }
}

fn send(cfg: &Config, url: &str) -> std::result::Result<ureq::http::Response<ureq::Body>, Failure> {
    let resp = agent()
        .get(url)
        .config()
        // `timeout` bounds each wait (connecting, each read: a stalled
        // transfer fails); a large archive on a slow link may take longer
        // in all, up to ten times that.
        .timeout_connect(Some(cfg.timeout))
        .timeout_per_read(Some(cfg.timeout))
        .timeout_global(Some(cfg.timeout.saturating_mul(10)))
        .build()
        .call()
        .map_err(|e| transport_failure(&e))?;
    let status = resp.status().as_u16();
    match status {
        200..=299 => Ok(resp),
        404 | 410 => Err(Failure::fatal(CollectError::new(
            ErrorKind::NotFound,
            format!("HTTP {status}"),
        ))),
        429 | 500..=599 => {
            let wait = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            Err(Failure {
                err: CollectError::new(ErrorKind::Network, format!("HTTP {status}")),
                retry: true,
                wait,
            })
        }
        _ => Err(Failure::fatal(CollectError::new(
            ErrorKind::Http,
            format!("HTTP {status}"),
        ))),
    }
}

fn transport_failure(e: &ureq::Error) -> Failure {
    let text = e.to_string();
    // A certificate the system store does not trust will not be trusted on
    // the next try either; say where trust comes from.
    if text.contains("certificate") {
        return Failure::fatal(CollectError::new(
            ErrorKind::Network,
            format!("{text} (certificates are checked against the system CA store; a proxy's CA must be installed there, or named by SSL_CERT_FILE)"),
        ));
    }
    let retry = !matches!(
        e,
        ureq::Error::BadUri(_) | ureq::Error::InvalidProxyUrl | ureq::Error::Http(_)
    );
    let kind = if retry {
        ErrorKind::Network
    } else {
        ErrorKind::Http
    };
    Failure {
        err: CollectError::new(kind, text),
        retry,
        wait: None,
    }
}

fn over_limit(e: &std::io::Error) -> bool {
    e.get_ref()
        .and_then(|x| x.downcast_ref::<ureq::Error>())
        .is_some_and(|x| matches!(x, ureq::Error::BodyExceedsLimit(_)))
}

fn body_failure(e: std::io::Error) -> Failure {
    Failure {
        err: CollectError::new(ErrorKind::Network, format!("reading the response: {e}")),
        retry: true,
        wait: None,
    }
}

/// GETs a document of at most `limit` bytes; also returns the URL it came
/// from after redirects, which relative links in it are relative to.
pub(crate) fn get_bytes(cfg: &Config, url: &str, limit: u64) -> Result<(Vec<u8>, String)> {
    with_retries(cfg, url, || {
        let mut resp = send(cfg, url)?;
        let final_url = ureq::ResponseExt::get_uri(&resp).to_string();
        let mut buf = Vec::new();
        let mut reader = resp.body_mut().with_config().limit(limit).reader();
        reader.read_to_end(&mut buf).map_err(|e| {
            if over_limit(&e) {
                Failure::fatal(CollectError::new(
                    ErrorKind::TooLarge,
                    format!("document over {limit} bytes"),
                ))
            } else {
                body_failure(e)
            }
        })?;
        Ok((buf, final_url))
    })
}

/// Streams `url` into `dest` (created or truncated), computing the sha256
/// digest and checking `expected`; refuses more than `limit` bytes.
pub(crate) fn download(
    cfg: &Config,
    url: &str,
    dest: &Path,
    limit: u64,
    expected: Option<&Expected>,
) -> Result<Downloaded> {
    with_retries(cfg, url, || {
        let mut resp = send(cfg, url)?;
        if let Some(len) = resp.body().content_length() {
            if len > limit {
                return Err(Failure::fatal(CollectError::new(
                    ErrorKind::TooLarge,
                    format!("archive is {len} bytes, over the {limit}-byte limit"),
                )));
            }
        }
        let mut file = std::fs::File::create(dest)
            .map_err(|e| Failure::fatal(crate::error::io_err(dest.display(), e)))?;
        let mut sha256 = sha2::Sha256::new();
        let mut check = match expected {
            Some(Expected::Sha512(_)) => Check::Sha512(sha2::Sha512::new()),
            Some(Expected::Sha384(_)) => Check::Sha384(sha2::Sha384::new()),
            Some(Expected::Sha1(_)) => Check::Sha1(sha1::Sha1::new()),
            Some(Expected::Sha256(_)) | None => Check::None,
        };
        let mut reader = resp
            .body_mut()
            .with_config()
            .limit(limit.saturating_add(1))
            .reader();
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0u64;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) if over_limit(&e) => {
                    return Err(Failure::fatal(CollectError::new(
                        ErrorKind::TooLarge,
                        format!("archive over the {limit}-byte limit"),
                    )));
                }
                Err(e) => return Err(body_failure(e)),
            };
            total += n as u64;
            if total > limit {
                return Err(Failure::fatal(CollectError::new(
                    ErrorKind::TooLarge,
                    format!("archive over the {limit}-byte limit"),
                )));
            }
            let chunk = &buf[..n];
            sha256.update(chunk);
            match &mut check {
                Check::None => {}
                Check::Sha512(h) => h.update(chunk),
                Check::Sha384(h) => h.update(chunk),
                Check::Sha1(h) => h.update(chunk),
            }
            file.write_all(chunk)
                .map_err(|e| Failure::fatal(crate::error::io_err(dest.display(), e)))?;
        }
        file.sync_all()
            .map_err(|e| Failure::fatal(crate::error::io_err(dest.display(), e)))?;
        let sha256 = sha256.finalize().to_vec();
        let got = match check {
            Check::None => sha256.clone(),
            Check::Sha512(h) => h.finalize().to_vec(),
            Check::Sha384(h) => h.finalize().to_vec(),
            Check::Sha1(h) => h.finalize().to_vec(),
        };
        if let Some(exp) = expected {
            if got != exp.bytes() {
                return Err(Failure {
                    err: CollectError::new(
                        ErrorKind::Integrity,
                        format!(
                            "{} mismatch: the registry says {}, the download is {}",
                            exp.name(),
                            hex(exp.bytes()),
                            hex(&got)
                        ),
                    ),
                    retry: true,
                    wait: None,
                });
            }
        }
        Ok(Downloaded {
            sha256: hex(&sha256),
        })
    })
}

pub(crate) fn hex(b: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        let _ = write!(s, "{x:02x}");
    }
    s
}

pub(crate) fn unhex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) || !s.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// sha256 of a file already on disk, hex.
pub(crate) fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}
