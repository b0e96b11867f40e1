//! One error type for the whole engine. Every variant has a stable `kind` string that the
//! CLI, the app (as `{kind, message}`) and the local server pass on, and a message in plain words.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::msg::{msg, Msg};

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
/// of a batch; the app keeps a failed row's error). Every message is a [`Msg`]: English text
/// the app can show translated.
#[derive(Debug, Clone)]
pub enum Error {
    /// Something the user gave us is wrong (a file, a URL, a value). Nothing was sent.
    Input(Msg),
    /// A file we were asked to upload is unusable. Nothing was sent.
    File { path: PathBuf, reason: Msg },
    /// The configuration is wrong or refers to something that does not exist.
    Config(Msg),
    /// The host refused our credentials (or, for SFTP, we refused the server's key). The message
    /// is the whole sentence; [`Error::token`] makes the one for a refused token.
    Auth(Msg),
    /// The host asks us to slow down. `retry` is true for HTTP 429 (worth waiting for) and false
    /// for SM.MS's "Flood detected" ban, which lasts an hour.
    RateLimited {
        message: Msg,
        retry_after: Option<Duration>,
        retry: bool,
    },
    /// The file is larger than the host accepts.
    TooLarge(Msg),
    /// The host answered, understood us, and said no. The message says what was refused
    /// ("the host refused to delete the image: …").
    Refused(Msg),
    /// An HTTP error status (5xx is retried, 4xx is not). `message` is the whole sentence.
    Http { status: u16, message: Msg },
    /// The host answered something we cannot read (an HTML page, broken JSON).
    BadResponse(Msg),
    /// No answer in time.
    Timeout(Duration),
    /// The connection failed (refused, reset, DNS). The message names what could not be
    /// reached (the host's address with its port, or the proxy).
    Network(Msg),
    /// Something asked for does not exist (an album id, a config name).
    NotFound(Msg),
    /// The host does not offer this operation.
    Unsupported(Msg),
    /// The local album or config could not be read or written.
    Storage(Msg),
    Io {
        context: Msg,
        source: Arc<std::io::Error>,
    },
    /// A fault of the program itself.
    Internal(Msg),
    /// Every host an upload went to failed: the chosen config's error, then each other host's
    /// (its mirrors, further `--host`s) with its config's name, in order. Its kind is the chosen
    /// config's. Made by [`Error::all_hosts_failed`].
    AllHostsFailed {
        config: String,
        error: Box<Error>,
        others: Vec<(String, Error)>,
    },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.msg().text)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}

/// The system's words for an I/O error, as a message the app translates when the error is a
/// common one ("no such file or folder"), the system's own text otherwise.
pub fn io_msg(e: &std::io::Error) -> Msg {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => msg!("no such file or folder"),
        K::PermissionDenied => msg!("permission denied"),
        K::AlreadyExists => msg!("it exists already"),
        K::IsADirectory => msg!("it is a folder"),
        K::NotADirectory => msg!("a part of the path is not a folder"),
        K::StorageFull => msg!("the disk is full"),
        K::ReadOnlyFilesystem => msg!("the file system is read-only"),
        K::DirectoryNotEmpty => msg!("the folder is not empty"),
        K::ConnectionRefused => msg!("the connection was refused"),
        K::ConnectionReset => msg!("the connection was reset"),
        K::TimedOut => msg!("it timed out"),
        K::InvalidFilename => msg!("the name is not a valid file name"),
        _ => Msg::plain(e.to_string()),
    }
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

    /// The whole message, as the app translates it.
    pub fn msg(&self) -> Msg {
        match self {
            Error::Input(m)
            | Error::Config(m)
            | Error::Auth(m)
            | Error::TooLarge(m)
            | Error::Refused(m)
            | Error::BadResponse(m)
            | Error::Network(m)
            | Error::NotFound(m)
            | Error::Unsupported(m)
            | Error::Internal(m)
            | Error::Http { message: m, .. } => m.clone(),
            Error::File { path, reason } => msg!("{path}: {reason}", path = path.display()),
            Error::RateLimited { message, .. } => {
                msg!("the host is rate limiting: {message}")
            }
            Error::Timeout(d) => msg!(
                "the host did not answer within {secs} s",
                secs = d.as_secs_f32()
            ),
            Error::Storage(m) => msg!("storage: {m}"),
            Error::Io { context, source } => {
                msg!("{context}: {cause}", cause = io_msg(source))
            }
            Error::AllHostsFailed {
                config,
                error,
                others,
            } => {
                let mut all = msg!("{config} failed: {error}", error = error.as_ref());
                for (config, error) in others {
                    all = msg!("{all}; {config} failed: {error}");
                }
                all
            }
        }
    }

    /// The host refused the token (or key) we sent, in its words.
    pub fn token(said: impl std::fmt::Display) -> Self {
        Error::Auth(msg!("the host refused the token: {said}"))
    }

    /// The error of an upload that failed on every host it went to, from each host's config
    /// name and error, the chosen config's first: that error itself when it was the only host.
    pub fn all_hosts_failed(failures: impl IntoIterator<Item = (String, Error)>) -> Self {
        let mut failures = failures.into_iter();
        let Some((config, error)) = failures.next() else {
            return Error::Internal(msg!("an upload went to no host"));
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

    pub fn io(context: Msg, source: std::io::Error) -> Self {
        Error::Io {
            context,
            source: Arc::new(source),
        }
    }

    pub fn file(path: impl Into<PathBuf>, reason: Msg) -> Self {
        Error::File {
            path: path.into(),
            reason,
        }
    }
}

/// An error as data: its kind and its message (what the CLI's `--json`, the app and the local
/// server pass on).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub kind: ErrorKind,
    pub message: String,
    /// The message as the app says it in the user's language (not in the CLI's JSON).
    #[serde(skip)]
    pub msg: Msg,
}

impl From<&Error> for Failure {
    fn from(e: &Error) -> Self {
        Failure {
            kind: e.kind(),
            message: e.to_string(),
            msg: e.msg(),
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
        Error::Storage(Msg::plain(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upload_failed_everywhere_names_every_host() {
        let refused = || Error::Refused(msg!("no"));
        let one = Error::all_hosts_failed([("main".to_string(), refused())]);
        assert_eq!(one.to_string(), "no", "one host: its own error, as it was");
        let all = Error::all_hosts_failed([
            ("main".to_string(), refused()),
            ("spare".to_string(), Error::Network(msg!("down"))),
            ("third".to_string(), Error::Timeout(Duration::from_secs(2))),
        ]);
        assert_eq!(
            all.to_string(),
            "main failed: no; spare failed: down; third failed: the host did not answer within 2 s"
        );
        assert_eq!(all.kind(), ErrorKind::Refused, "the chosen config's kind");
    }
}
