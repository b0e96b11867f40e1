//! The image-host settings page: named configs of every host kind, edited through forms the UI
//! generates from each kind's field list. Values arrive as the text typed and are parsed and
//! checked here (by pixdrop-core), so the CLI and the app accept exactly the same input.

use pixdrop_core::{msg, Msg};
use std::collections::BTreeMap;

use pixdrop_core::host_configs::{RemovalPreview, Removed};
use pixdrop_core::hosts::{self, KindInfo};
use pixdrop_core::HostConfig;
use serde::Serialize;
use serde_json::Value;
use tauri::State;

use crate::error::{AppError, AppResult};
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

/// Every config, secrets masked: the webview never holds a secret the user did not ask to see
/// (`host_secret`), and a form saved with a mask still in it keeps the stored secret.
#[tauri::command]
pub fn hosts_list(state: State<'_, AppState>) -> AppResult<Vec<HostView>> {
    // Listed (masked) also when the keyring cannot give a secret, so it can be set again.
    let config = state.engine.config().load()?;
    Ok(config
        .hosts
        .iter()
        .map(|h| HostView {
            name: h.name.clone(),
            kind: h.kind.clone(),
            default: config.default_host.as_deref() == Some(h.name.as_str()),
            settings: hosts::display_settings(h, false),
        })
        .collect())
}

/// One setting of a config in clear, for the form's Show button.
#[tauri::command]
pub fn host_secret(state: State<'_, AppState>, name: String, key: String) -> AppResult<String> {
    let config = state.engine.config().load_revealed()?;
    let host = config.pick_host(Some(&name))?;
    Ok(hosts::shown_text(host, &key, true).unwrap_or_default())
}

/// Create a config (`original` empty) or replace `original` (renaming it to `name` if that
/// differs). `values` are the texts typed per field; empty ones are left unset. A secret that
/// still reads as the mask of `secrets_from`'s (the config edited or duplicated) is kept.
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub fn host_save(
    state: State<'_, AppState>,
    original: Option<String>,
    secrets_from: Option<String>,
    name: String,
    kind: String,
    values: BTreeMap<String, String>,
    make_default: bool,
) -> AppResult<()> {
    let config = state.engine.config().load()?;
    let values = match secrets_from.as_deref().and_then(|n| config.host(n)) {
        Some(stored) if stored.kind == kind => hosts::unmask(stored, values),
        _ => values.into_iter().collect(),
    };
    let settings = hosts::parse_settings(&kind, values)?;
    let host = HostConfig {
        name: name.trim().to_string(),
        kind,
        settings,
    };
    match original.as_deref().filter(|o| !o.is_empty()) {
        // A rename takes the config's album records along.
        Some(o) => state.engine.replace_host(o, host, make_default)?,
        None => state
            .engine
            .config()
            .update(|c| c.add_host(host, make_default))?,
    }
    Ok(())
}

/// What deleting a config would do (which config becomes the default, how many album records
/// it leaves), for the confirmation.
#[tauri::command]
pub fn host_removal_preview(state: State<'_, AppState>, name: String) -> AppResult<RemovalPreview> {
    Ok(state.engine.removal_preview(&name)?)
}

/// Delete a config. It is kept in memory (secrets included, never sent to the webview) so
/// `host_restore` can undo the deletion until the app quits or another config is deleted.
#[tauri::command]
pub fn host_remove(state: State<'_, AppState>, name: String) -> AppResult<Removed> {
    let removed = state.engine.remove_host(&name)?;
    *state.removed_host.lock().unwrap_or_else(|p| p.into_inner()) = Some(removed.clone());
    Ok(removed)
}

/// Undo the last deletion. Returns the restored config's name.
#[tauri::command]
pub fn host_restore(state: State<'_, AppState>) -> AppResult<String> {
    let removed = state
        .removed_host
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
        .ok_or_else(|| AppError::not_found(msg!("there is no deleted config to bring back")))?;
    state.engine.restore_host(&removed)?;
    Ok(removed.config.name)
}

#[tauri::command]
pub fn host_set_default(state: State<'_, AppState>, name: String) -> AppResult<()> {
    state.engine.config().update(|c| c.set_default(&name))?;
    Ok(())
}

/// Check a config's credentials with its host; the host's own words on success.
#[tauri::command]
pub async fn host_test(state: State<'_, AppState>, name: String) -> AppResult<Msg> {
    Ok(state.engine.test_host(&name).await?)
}

#[cfg(test)]
mod tests {
    /// Every text of the host registry that the window shows has its 简体中文 in the UI's table
    /// (ui/src/i18nHosts.ts), found by the stable key the UI looks it up by.
    #[test]
    fn every_registry_text_is_translated() {
        let table = include_str!("../../../ui/src/i18nHosts.ts");
        let has = |key: String| table.contains(&format!("\"{key}\":"));
        let mut missing = Vec::new();
        for k in pixdrop_core::hosts::kinds() {
            if !has(format!("kind.{}", k.kind)) {
                missing.push(format!("kind.{}", k.kind));
            }
            for f in &k.fields {
                for part in ["label", "help"] {
                    let own = format!("{}.{}.{part}", k.kind, f.key);
                    if !has(own.clone()) && !has(format!("*.{}.{part}", f.key)) {
                        missing.push(own);
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "not in ui/src/i18nHosts.ts: {missing:?}"
        );
    }
}
