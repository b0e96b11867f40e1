//! One error type for the whole engine. Every variant has a stable `kind` string that the
//! CLI, the app (as `{kind, message}`) and the local server pass on, and a message in plain words.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, as the CLI's `--json`, the app's `{kind, message}` and the local server's
/// answers name it. This enum is the one list of kinds; nothing spells a kind by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Input,
    File,
    Config,
    Auth,
    RateLimited,
    TooLarge,
    Refused,
    Http,
    BadResponse,
    Timeout,
    Network,
    NotFound,
    Unsupported,
    Storage,
    Io,
    /// A fault of the program itself (a task that panicked, a dialog that failed).
    Internal,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Input => "input",
            ErrorKind::File => "file",
            ErrorKind::Config => "config",
            ErrorKind::Auth => "auth",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::Refused => "refused",
            ErrorKind::Http => "http",
            ErrorKind::BadResponse => "bad_response",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Network => "network",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Storage => "storage",
            ErrorKind::Io => "io",
            ErrorKind::Internal => "internal",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for ErrorKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Errors are cheap to clone and keep their kind (a setup failure is repeated for every input
/// of a batch; the app keeps a failed row's error).
#[derive(Debug, Clone, thiserror::Error)]
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
    /// The host refused our credentials (or, for SFTP, we refused the server's key). The message
    /// is the whole sentence; [`Error::token`] makes the one for a refused token.
    #[error("{0}")]
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
    /// The host answered, understood us, and said no. The message says what was refused
    /// ("the host refused to delete the image: …").
    #[error("{0}")]
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
    /// The connection failed (refused, reset, DNS). The message names what could not be
    /// reached (the host's address with its port, or the proxy).
    #[error("{0}")]
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
        source: Arc<std::io::Error>,
    },
    /// A fault of the program itself.
    #[error("{0}")]
    Internal(String),
    /// Every host an upload went to failed: the chosen config's error, then each other host's
    /// (its mirrors, further `--host`s) with its config's name, in order. Its kind is the chosen
    /// config's. Made by [`Error::all_hosts_failed`].
    #[error("{config} failed: {error}{}", others_failed(others))]
    AllHostsFailed {
        config: String,
        error: Box<Error>,
        others: Vec<(String, Error)>,
    },
}

fn others_failed(others: &[(String, Error)]) -> String {
    others
        .iter()
        .map(|(config, e)| format!("; {config} failed: {e}"))
        .collect()
}

impl Error {
    /// A short, stable machine-readable kind (used as `{kind}` in the app and in `--json`).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Input(_) => ErrorKind::Input,
            Error::File { .. } => ErrorKind::File,
            Error::Config(_) => ErrorKind::Config,
            Error::Auth(_) => ErrorKind::Auth,
            Error::RateLimited { .. } => ErrorKind::RateLimited,
            Error::TooLarge(_) => ErrorKind::TooLarge,
            Error::Refused(_) => ErrorKind::Refused,
            Error::Http { .. } => ErrorKind::Http,
            Error::BadResponse(_) => ErrorKind::BadResponse,
            Error::Timeout(_) => ErrorKind::Timeout,
            Error::Network(_) => ErrorKind::Network,
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::Unsupported(_) => ErrorKind::Unsupported,
            Error::Storage(_) => ErrorKind::Storage,
            Error::Io { .. } => ErrorKind::Io,
            Error::Internal(_) => ErrorKind::Internal,
            Error::AllHostsFailed { error, .. } => error.kind(),
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

    /// The host refused the token (or key) we sent, in its words.
    pub fn token(said: impl std::fmt::Display) -> Self {
        Error::Auth(format!("the host refused the token: {said}"))
    }

    /// The error of an upload that failed on every host it went to, from each host's config
    /// name and error, the chosen config's first: that error itself when it was the only host.
    pub fn all_hosts_failed(failures: impl IntoIterator<Item = (String, Error)>) -> Self {
        let mut failures = failures.into_iter();
        let Some((config, error)) = failures.next() else {
            return Error::Internal("an upload went to no host".into());
        };
        let others: Vec<(String, Error)> = failures.collect();
        if others.is_empty() {
            return error;
        }
        Error::AllHostsFailed {
            config,
            error: Box::new(error),
            others,
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source: Arc::new(source),
        }
    }

    pub fn file(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::File {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

/// An error as data: its kind and its message (what the CLI's `--json`, the app and the local
/// server pass on).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub kind: ErrorKind,
    pub message: String,
}

impl From<&Error> for Failure {
    fn from(e: &Error) -> Self {
        Failure {
            kind: e.kind(),
            message: e.to_string(),
        }
    }
}

/// The innermost cause of an error, in its own words: libraries' outer texts are generic
/// ("error sending request"), the last cause says what happened ("Connection refused").
pub fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text = s.to_string();
        source = s.source();
    }
    text
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Storage(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upload_failed_everywhere_names_every_host() {
        let refused = || Error::Refused("no".into());
        let one = Error::all_hosts_failed([("main".to_string(), refused())]);
        assert_eq!(one.to_string(), "no", "one host: its own error, as it was");
        let all = Error::all_hosts_failed([
            ("main".to_string(), refused()),
            ("spare".to_string(), Error::Network("down".into())),
            ("third".to_string(), Error::Timeout(Duration::from_secs(2))),
        ]);
        assert_eq!(
            all.to_string(),
            "main failed: no; spare failed: down; third failed: the host did not answer within 2 s"
        );
        assert_eq!(all.kind(), ErrorKind::Refused, "the chosen config's kind");
    }
}
