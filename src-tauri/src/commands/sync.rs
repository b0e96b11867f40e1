//! Settings → Sync: set up, sync now, where it stands, turn off — calls into core's
//! `sync::service`, one at a time with the automatic sync (`sync_auto`).

use pixdrop_core::sync::service::{self, Status};
use pixdrop_core::sync::Report;
use serde::Serialize;
use tauri::{AppHandle, State};

use crate::error::{AppError, AppResult};
use crate::payloads::SyncState;
use crate::{sync_auto, AppState};

/// Join the sync in `path` (default `pixdrop-sync`) of the storage config `config`, or start
/// one there; `true` when this computer started it. The config change that follows starts the
/// first automatic sync (when `sync_auto` is on).
#[tauri::command]
pub async fn sync_setup(
    state: State<'_, AppState>,
    config: String,
    path: Option<String>,
    passphrase: String,
) -> AppResult<bool> {
    let _one = state.sync.hold().await;
    Ok(service::setup(&state.engine, &config, path.as_deref(), &passphrase).await?)
}

/// Sync now (after the automatic sync that runs, if one does).
#[tauri::command]
pub async fn sync_now(app: AppHandle) -> AppResult<Report> {
    sync_auto::run(&app, false).await
}

#[derive(Serialize)]
pub struct SyncView {
    #[serde(flatten)]
    status: Status,
    /// Why the machines could not be counted (the storage is away), when they were asked.
    machines_error: Option<AppError>,
    /// Running now, and the last sync's result.
    run: SyncState,
}

/// Where sync stands; `machines`: also ask the storage how many computers sync (its error is
/// given beside the rest, which is known here).
#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>, machines: bool) -> AppResult<SyncView> {
    let mut status = service::status(&state.engine, false).await?;
    let mut machines_error = None;
    if machines && !status.config.is_empty() {
        match service::status(&state.engine, true).await {
            Ok(s) => status = s,
            Err(e) => machines_error = Some(e.into()),
        }
    }
    Ok(SyncView {
        status,
        machines_error,
        run: state.sync.state(),
    })
}

/// Use the passphrase `passphrase` for the sync: changed here when the sync still has the
/// one kept here (everything is sealed anew), else taken as the one changed on another
/// computer; `true` when changed here.
#[tauri::command]
pub async fn sync_passphrase(state: State<'_, AppState>, passphrase: String) -> AppResult<bool> {
    let _one = state.sync.hold().await;
    Ok(service::passphrase(&state.engine, &passphrase).await?)
}

/// Stop syncing here: the album stays, nothing on the storage is deleted.
#[tauri::command]
pub async fn sync_off(app: AppHandle, state: State<'_, AppState>) -> AppResult<()> {
    let _one = state.sync.hold().await;
    service::off(&state.engine)?;
    sync_auto::forget(&app);
    Ok(())
}
