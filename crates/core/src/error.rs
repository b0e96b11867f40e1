//! One error type for the whole engine. Every variant has a stable `kind` string that the
//! CLI, the app (as `{kind, message}`) and the local server pass on, and a message in plain words.

use std::path::PathBuf;
use std::time::Duration;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Something the user gave us is wrong (a file, a URL, a value). Nothing was sent.
    #[error("{0}")]
    Input(String),
    /// A file we were asked to upload is unusable. Nothing was sent.
    #[error("{}: {reason}", path.display())]
    File { path: PathBuf, reason: String },
    /// The configuration is wrong or refers to something that does not exist.
    #[error("{0}")]
    Config(String),
    /// The host refused our credentials.
    #[error("the host refused the token: {0}")]
    Auth(String),
    /// The host asks us to slow down. `retry` is true for HTTP 429 (worth waiting for) and false
    /// for SM.MS's "Flood detected" ban, which lasts an hour.
    #[error("the host is rate limiting: {message}")]
    RateLimited {
        message: String,
        retry_after: Option<Duration>,
        retry: bool,
    },
    /// The file is larger than the host accepts.
    #[error("{0}")]
    TooLarge(String),
    /// The host answered, understood us, and said no.
    #[error("the host refused the upload: {0}")]
    Refused(String),
    /// An HTTP error status (5xx is retried, 4xx is not). `message` is the whole sentence.
    #[error("{message}")]
    Http { status: u16, message: String },
    /// The host answered something we cannot read (an HTML page, broken JSON).
    #[error("{0}")]
    BadResponse(String),
    /// No answer in time.
    #[error("the host did not answer within {} s", .0.as_secs_f32())]
    Timeout(Duration),
    /// The connection failed (refused, reset, DNS).
    #[error("could not reach the host: {0}")]
    Network(String),
    /// Something asked for does not exist (an album id, a config name).
    #[error("{0}")]
    NotFound(String),
    /// The host does not offer this operation.
    #[error("{0}")]
    Unsupported(String),
    /// The local album or config could not be read or written.
    #[error("storage: {0}")]
    Storage(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// A short, stable machine-readable kind (used as `{kind}` in the app and in `--json`).
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Input(_) => "input",
            Error::File { .. } => "file",
            Error::Config(_) => "config",
            Error::Auth(_) => "auth",
            Error::RateLimited { .. } => "rate_limited",
            Error::TooLarge(_) => "too_large",
            Error::Refused(_) => "refused",
            Error::Http { .. } => "http",
            Error::BadResponse(_) => "bad_response",
            Error::Timeout(_) => "timeout",
            Error::Network(_) => "network",
            Error::NotFound(_) => "not_found",
            Error::Unsupported(_) => "unsupported",
            Error::Storage(_) => "storage",
            Error::Io { .. } => "io",
        }
    }

    /// Whether trying the same request again may succeed: timeouts, resets, 5xx and 429.
    /// Refusals (4xx, bad token, too large, "flood detected") are never retried.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Timeout(_) | Error::Network(_) => true,
            Error::Http { status, .. } => *status >= 500,
            Error::RateLimited { retry, .. } => *retry,
            _ => false,
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    pub fn file(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::File {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Storage(e.to_string())
    }
}
