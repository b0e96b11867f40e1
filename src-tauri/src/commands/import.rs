//! Import buttons: the file or folder comes from a native dialog opened here, in Rust; the
//! webview only asks for the dialog and gets the report back.
//! (The GUI tests' build answers the dialogs from `test_hooks`.)

use pixdrop_core::msg;
use std::path::PathBuf;

use pixdrop_core::import::{self, picgo, sxcu};
use serde::Serialize;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;

use crate::error::{AppError, AppResult};
use crate::AppState;

enum Pick {
    File,
    Folder,
}

async fn pick(app: &AppHandle, what: Pick, title: &str) -> AppResult<Option<PathBuf>> {
    if let Some(p) = crate::test_hooks::picked(matches!(what, Pick::Folder)) {
        return Ok(Some(p));
    }
    let mut dialog = app.dialog().file().set_title(title);
    let picked = match what {
        Pick::File => {
            dialog = dialog.add_filter("ShareX custom uploader", &["sxcu", "json"]);
            tauri::async_runtime::spawn_blocking(move || dialog.blocking_pick_file()).await
        }
        Pick::Folder => {
            tauri::async_runtime::spawn_blocking(move || dialog.blocking_pick_folder()).await
        }
    };
    let picked = picked.map_err(|e| AppError::internal(msg!("the file dialog failed: {e}")))?;
    match picked {
        None => Ok(None),
        Some(p) => p
            .into_path()
            .map(Some)
            .map_err(|e| AppError::input(msg!("the chosen item is not a local path: {e}"))),
    }
}

#[derive(Serialize)]
pub struct SxcuImported {
    name: String,
    file: String,
    /// Set when nothing was added because a config already has the uploader's name: the name
    /// to offer instead (`import_sxcu` with `as_name` imports the same file under it).
    taken_suggestion: Option<String>,
}

/// Pick an .sxcu file and add its `custom` config. `None` when the dialog was cancelled. When
/// the uploader's name is taken nothing is added, and the answer offers a free name; called
/// again with `as_name`, the same file is imported under that name (no second dialog).
#[tauri::command]
pub async fn import_sxcu(
    app: AppHandle,
    state: State<'_, AppState>,
    as_name: Option<String>,
) -> AppResult<Option<SxcuImported>> {
    let path = match &as_name {
        Some(_) => state
            .last_sxcu
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(|| AppError::not_found(msg!("choose the .sxcu file again")))?,
        None => match pick(&app, Pick::File, "Import a ShareX custom uploader").await? {
            Some(p) => p,
            None => return Ok(None),
        },
    };
    let file = path.display().to_string();
    let cfg = sxcu::read(&path, as_name.as_deref())?;
    let config = state.engine.config().load()?;
    if as_name.is_none() && config.host(&cfg.name).is_some() {
        *state.last_sxcu.lock().unwrap_or_else(|p| p.into_inner()) = Some(path);
        return Ok(Some(SxcuImported {
            taken_suggestion: Some(import::free_name(&config, &cfg.name, "sxcu")),
            name: cfg.name,
            file,
        }));
    }
    let name = cfg.name.clone();
    state.engine.config().update(|c| c.add_host(cfg, false))?;
    Ok(Some(SxcuImported {
        name,
        file,
        taken_suggestion: None,
    }))
}

/// Pick a PicGo data folder and import it. `None` when the dialog was cancelled.
#[tauri::command]
pub async fn import_picgo(
    app: AppHandle,
    state: State<'_, AppState>,
) -> AppResult<Option<picgo::Report>> {
    let Some(dir) = pick(&app, Pick::Folder, "Import from a PicGo data folder").await? else {
        return Ok(None);
    };
    let engine = state.engine.clone();
    let report = tauri::async_runtime::spawn_blocking(move || {
        picgo::import(engine.config(), engine.album(), &dir)
    })
    .await
    .map_err(|e| AppError::internal(msg!("a background task failed: {e}")))??;
    state.thumbs_filler.soon();
    Ok(Some(report))
}
