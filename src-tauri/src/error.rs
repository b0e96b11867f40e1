//! The one error type the UI sees: `{kind, message}`, with `kind` from core's one list.

use pixdrop_core::error::ErrorKind;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
}

impl AppError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        AppError {
            kind,
            message: message.into(),
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    pub fn input(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Input, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }
}

impl From<pixdrop_core::Error> for AppError {
    fn from(e: pixdrop_core::Error) -> Self {
        Self::new(e.kind(), e.to_string())
    }
}

pub type AppResult<T> = Result<T, AppError>;
