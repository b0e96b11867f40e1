//! Commands the UI calls. Each is a short call into pixdrop-core.

use pixdrop_core::{Engine, ListQuery, Record};
use serde::Serialize;
use tauri::State;

use crate::error::AppResult;

#[derive(Serialize)]
pub struct Overview {
    version: &'static str,
    config_file: String,
    album_file: String,
    default_host: Option<String>,
    hosts: usize,
    uploads: u64,
    recent: Vec<Record>,
}

#[tauri::command]
pub fn overview(engine: State<'_, Engine>) -> AppResult<Overview> {
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
    })
}
