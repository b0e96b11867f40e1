//! The one error type the UI sees: `{kind, message}`.

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct AppError {
    pub kind: &'static str,
    pub message: String,
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
