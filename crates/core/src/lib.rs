//! Pixdrop's engine: image hosts, the shared config, the album and the upload pipeline.
//! It has no GUI, clipboard or Tauri types, and is tested without a display.

// `msg!` names its types as `::pixdrop_core::…`, here too.

extern crate self as pixdrop_core;

pub mod album;
pub mod album_images;
pub mod capped;
pub mod config;
pub mod error;
pub mod fsutil;
pub mod host_config;
pub mod host_configs;
pub mod hosts;
pub mod image;
pub mod import;
pub mod links;
pub mod log;
pub mod metadata;
pub mod msg;
pub mod originals;
pub mod paths;
pub mod pending;
pub mod pipeline;
pub mod process;
pub mod rename;
pub mod secrets;
pub mod server;
pub mod shortcut;
pub mod sync;
pub mod template;
pub mod thumbs;
pub mod upload_lock;
pub mod url_rules;

pub use album::{Album, ListQuery, NewRecord, Record, Sort};
pub use config::{Config, ConfigStore, HostConfig, Settings};
pub use error::{Error, Result};
pub use msg::{msg, Msg};
pub use paths::Paths;
pub use pipeline::{Done, Engine, EngineOptions, Input, Outcome, SyncReport, UploadOptions};
pub use template::LinkFormat;
