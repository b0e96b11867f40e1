//! The one error type the UI sees: `{kind, message}`.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct AppError {
    pub kind: &'static str,
    pub message: String,
}

impl AppError {
    pub fn internal(message: impl Into<String>) -> Self {
        AppError {
            kind: "internal",
            message: message.into(),
        }
    }

    pub fn input(message: impl Into<String>) -> Self {
        AppError {
            kind: "input",
            message: message.into(),
        }
    }
}

impl From<pixdrop_core::Error> for AppError {
    fn from(e: pixdrop_core::Error) -> Self {
        AppError {
            kind: e.kind(),
            message: e.to_string(),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
