//! Errors of `collect`, each with a short machine-readable kind.

use std::fmt;

/// Why a source could not be collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The package, version, file, revision or directory does not exist.
    NotFound,
    /// Connection, DNS, TLS, timeout, or 5xx/429 after every retry.
    Network,
    /// Another unexpected HTTP status (401, 403, ...).
    Http,
    /// The archive does not match the checksum the registry published, or there is none.
    Integrity,
    /// Path traversal, absolute paths, compression bombs.
    HostileArchive,
    /// Over a configured size or file-count limit without looking malicious.
    TooLarge,
    /// `offline` is set and the cache does not hold the source.
    OfflineMiss,
    /// Registry metadata that cannot be read.
    BadMetadata,
    /// Nothing to analyse: only platform wheels, no tarball.
    NoSource,
    /// Archive format or compression method not handled.
    Unsupported,
    /// A corrupt or truncated archive.
    BadArchive,
    /// `git` failed or is missing.
    Git,
    /// Local filesystem trouble (cache not writable, disk full).
    Io,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not-found",
            ErrorKind::Network => "network",
            ErrorKind::Http => "http",
            ErrorKind::Integrity => "integrity",
            ErrorKind::HostileArchive => "hostile-archive",
            ErrorKind::TooLarge => "too-large",
            ErrorKind::OfflineMiss => "offline-miss",
            ErrorKind::BadMetadata => "bad-metadata",
            ErrorKind::NoSource => "no-source",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::BadArchive => "bad-archive",
            ErrorKind::Git => "git",
            ErrorKind::Io => "io",
        }
    }
}

/// A failed `collect`: `Display` gives the reason, `kind()` a short code.
#[derive(Debug, Clone)]
pub struct CollectError {
    kind: ErrorKind,
    message: String,
}

impl CollectError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> CollectError {
        CollectError {
            kind,
            message: message.into(),
        }
    }

    /// Short code: "not-found", "network", "http", "integrity", "hostile-archive",
    /// "too-large", "offline-miss", "bad-metadata", "no-source", "unsupported", "bad-archive", "git", "io".
    pub fn kind(&self) -> &'static str {
        self.kind.as_str()
    }

    pub fn error_kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// Prefixes the message with where it happened (the source key).
    pub(crate) fn context(mut self, what: &str) -> CollectError {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

impl fmt::Display for CollectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CollectError {}

pub(crate) fn io_err(what: impl fmt::Display, e: std::io::Error) -> CollectError {
    CollectError::new(ErrorKind::Io, format!("{what}: {e}"))
}

pub(crate) type Result<T> = std::result::Result<T, CollectError>;
