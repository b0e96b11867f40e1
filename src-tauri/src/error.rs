//! The one error type the UI sees: `{kind, message, template, args}`, with `kind` from core's
//! one list and the message as core's [`Msg`] (its English text as `message`, its template and
//! arguments for the UI to say it in the user's language).

use std::borrow::Cow;
use std::collections::BTreeMap;

use pixdrop_core::error::ErrorKind;
use pixdrop_core::msg::{Arg, Msg};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct AppError {
    pub kind: ErrorKind,
    /// The English sentence, whole.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<Cow<'static, str>, Arg>,
}

impl AppError {
    pub fn new(kind: ErrorKind, message: Msg) -> Self {
        AppError {
            kind,
            message: message.text,
            template: message.template,
            args: message.args,
        }
    }

    pub fn internal(message: Msg) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    pub fn input(message: Msg) -> Self {
        Self::new(ErrorKind::Input, message)
    }

    pub fn not_found(message: Msg) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    /// The message again, as events carry it.
    pub fn msg(&self) -> Msg {
        Msg {
            text: self.message.clone(),
            template: self.template.clone(),
            args: self.args.clone(),
            // A whole error is a sentence, never a lone term (those are its arguments).
            ..Msg::default()
        }
    }
}

impl From<pixdrop_core::Error> for AppError {
    fn from(e: pixdrop_core::Error) -> Self {
        Self::new(e.kind(), e.msg())
    }
}

pub type AppResult<T> = Result<T, AppError>;
