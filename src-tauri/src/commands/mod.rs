//! Commands the UI calls, one module per page. Each is a short call into pixdrop-core or into
//! the app's own modules; errors reach the UI as `{kind, message}`.

pub mod album;
pub mod hosts;
pub mod import;
pub mod links;
pub mod notes;
pub mod overview;
pub mod settings;
pub mod sync;
pub mod upload;
