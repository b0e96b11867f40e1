//! Commands the UI calls. Each is a short call into pixdrop-core.

use pixdrop_core::{ListQuery, Record};
use serde::Serialize;
use tauri::State;

use crate::error::AppResult;
use crate::local_server::ServerStatus;
use crate::AppState;

#[derive(Serialize)]
pub struct Overview {
    version: &'static str,
    config_file: String,
    album_file: String,
    default_host: Option<String>,
    hosts: usize,
    uploads: u64,
    recent: Vec<Record>,
    server: ServerStatus,
    /// Bytes of the local copies of what was sent (setting `keep_originals`).
    originals_bytes: u64,
}

/// Async: off the main thread (counting the local copies walks their folder once).
#[tauri::command]
pub async fn overview(state: State<'_, AppState>) -> AppResult<Overview> {
    let engine = &state.engine;
    let config = engine.config().load()?;
    let album = engine.album();
    Ok(Overview {
        version: env!("CARGO_PKG_VERSION"),
        config_file: engine.paths().config_file().display().to_string(),
        album_file: engine.paths().album_file().display().to_string(),
        default_host: config.default_host,
        hosts: config.hosts.len(),
        uploads: album.count(&ListQuery::default())?,
        recent: album.list(&ListQuery {
            limit: 5,
            ..Default::default()
        })?,
        server: state
            .server
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone(),
        originals_bytes: engine.originals().total(),
    })
}
