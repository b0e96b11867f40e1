//! The image-host settings page: named configs of every host kind, edited through forms the UI
//! generates from each kind's field list. Values arrive as the text typed and are parsed and
//! checked here (by pixdrop-core), so the CLI and the app accept exactly the same input.

use std::collections::BTreeMap;

use pixdrop_core::hosts::{self, KindInfo};
use pixdrop_core::HostConfig;
use serde::Serialize;
use serde_json::Value;
use tauri::State;

use crate::error::AppResult;
use crate::AppState;

#[derive(Serialize)]
pub struct HostView {
    name: String,
    kind: String,
    default: bool,
    /// Secrets masked unless asked for with `reveal`.
    settings: BTreeMap<String, Value>,
}

#[tauri::command]
pub fn host_kinds() -> &'static [KindInfo] {
    hosts::kinds()
}

/// Every config; `reveal` gives secrets in full (for the edit form, which masks them itself).
#[tauri::command]
pub fn hosts_list(state: State<'_, AppState>, reveal: bool) -> AppResult<Vec<HostView>> {
    let config = state.engine.config().load()?;
    Ok(config
        .hosts
        .iter()
        .map(|h| HostView {
            name: h.name.clone(),
            kind: h.kind.clone(),
            default: config.default_host.as_deref() == Some(h.name.as_str()),
            settings: hosts::display_settings(h, reveal),
        })
        .collect())
}

/// Create a config (`original` empty) or replace `original` (renaming it to `name` if that
/// differs). `values` are the texts typed per field; empty ones are left unset.
#[tauri::command]
pub fn host_save(
    state: State<'_, AppState>,
    original: Option<String>,
    name: String,
    kind: String,
    values: BTreeMap<String, String>,
    make_default: bool,
) -> AppResult<()> {
    let mut settings = BTreeMap::new();
    for (key, raw) in values {
        if raw.trim().is_empty() {
            continue;
        }
        settings.insert(key.clone(), hosts::parse_value(&kind, &key, &raw)?);
    }
    let host = HostConfig {
        name: name.trim().to_string(),
        kind,
        settings,
    };
    state.engine.config().update(|c| {
        let new_name = host.name.clone();
        match original.as_deref().filter(|o| !o.is_empty()) {
            Some(o) => c.replace_host(o, host)?,
            None => c.add_host(host, false)?,
        }
        if make_default {
            c.set_default(&new_name)?;
        }
        Ok(())
    })?;
    Ok(())
}

#[tauri::command]
pub fn host_remove(state: State<'_, AppState>, name: String) -> AppResult<()> {
    state.engine.config().update(|c| c.remove_host(&name))?;
    Ok(())
}

#[tauri::command]
pub fn host_set_default(state: State<'_, AppState>, name: String) -> AppResult<()> {
    state.engine.config().update(|c| c.set_default(&name))?;
    Ok(())
}

/// Check a config's credentials with its host; the host's own words on success.
#[tauri::command]
pub async fn host_test(state: State<'_, AppState>, name: String) -> AppResult<String> {
    Ok(state.engine.test_host(&name).await?)
}
