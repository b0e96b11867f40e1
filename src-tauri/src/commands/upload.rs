//! The upload page. Files come from Rust-side drops and dialogs; the UI names rows by id and
//! never hands a path to upload. (The GUI tests' build answers dialogs from `test_hooks`.)

use pixdrop_core::msg;
use std::path::PathBuf;

use pixdrop_core::Input;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;

use crate::error::{AppError, AppResult};
use crate::uploads::{self, Row, Source};
use crate::AppState;

/// Extensions offered by the "Choose files" dialog (what pixdrop-core can upload).
const IMAGE_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "bmp", "ico", "tif", "tiff", "avif", "heic", "svg",
];

#[tauri::command]
pub fn uploads_list(state: State<'_, AppState>) -> Vec<Row> {
    state.uploads.list()
}

/// "Choose files": the native dialog, filtered to images, several at once. Returns the new row
/// ids (none when cancelled).
#[tauri::command]
pub async fn upload_pick(app: AppHandle) -> AppResult<Vec<u64>> {
    let paths: Vec<PathBuf> = if let Some(paths) = crate::test_hooks::picked_files() {
        paths
    } else {
        let dialog = app
            .dialog()
            .file()
            .set_title("Choose images to upload")
            .add_filter("Images", IMAGE_EXTENSIONS);
        let picked = tauri::async_runtime::spawn_blocking(move || dialog.blocking_pick_files())
            .await
            .map_err(|e| AppError::internal(msg!("the file dialog failed: {e}")))?;
        picked
            .unwrap_or_default()
            .into_iter()
            .filter_map(|p| p.into_path().ok())
            .collect()
    };
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    Ok(uploads::start(
        &app,
        paths.into_iter().map(Input::Path).collect(),
        Source::Dialog,
    ))
}

/// "Upload clipboard" and Ctrl+V / Cmd+V in the window.
#[tauri::command]
pub async fn upload_clipboard(app: AppHandle) -> AppResult<Vec<u64>> {
    // Reading and encoding the image off the main thread.
    tauri::async_runtime::spawn_blocking(move || {
        #[cfg(target_os = "linux")]
        let inputs = crate::window_clipboard::inputs(&app);
        #[cfg(not(target_os = "linux"))]
        let inputs = pixdrop_clipboard::inputs();
        inputs.map(|i| uploads::start(&app, i, Source::Clipboard))
    })
    .await
    .map_err(|e| AppError::internal(msg!("a background task failed: {e}")))?
    .map_err(AppError::from)
}

/// A typed or pasted image URL (http and https only).
#[tauri::command]
pub fn upload_url(app: AppHandle, url: String) -> AppResult<Vec<u64>> {
    let input = uploads::url_input(&url)?;
    Ok(uploads::start(&app, vec![input], Source::Url))
}

#[tauri::command]
pub fn upload_retry(app: AppHandle, id: u64) -> AppResult<()> {
    uploads::retry(&app, id)
}

#[tauri::command]
pub fn upload_dismiss(state: State<'_, AppState>, ids: Vec<u64>) {
    state.uploads.dismiss(&ids);
}

/// Copy a finished row's link again.
#[tauri::command]
pub fn upload_copy(app: AppHandle, state: State<'_, AppState>, id: u64) -> AppResult<String> {
    let link = state
        .uploads
        .list()
        .into_iter()
        .find(|r| r.id == id)
        .and_then(|r| r.link)
        .ok_or_else(|| AppError::not_found(msg!("upload {id} has no link to copy")))?;
    crate::desktop::copy(&app, &link).map_err(AppError::internal)?;
    Ok(link)
}
