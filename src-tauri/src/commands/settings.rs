//! The app-settings page. Every change is one key set through pixdrop-core (the same parsing and
//! checks as `pixdrop settings set`), saved at once, and applied at once: the shortcut is
//! re-registered, the server restarted (port, on/off), the tray relabelled.

use pixdrop_core::msg;
use pixdrop_core::rename::{self, RenameMode};
use pixdrop_core::template::{self, LinkFormat};
use pixdrop_core::url_rules::{self, Edit, Rewritten, UrlRule};
use pixdrop_core::Settings;
use serde::Serialize;
use tauri::{AppHandle, State};

use crate::error::{AppError, AppResult};
use crate::images::{Preview, SAMPLE_PHOTO};
use crate::local_server::ServerStatus;
use crate::shortcut::ShortcutStatus;
use crate::{autostart, settings_sync, AppState};

/// A sample used by the previews.
const SAMPLE_URL: &str = "https://i.example.com/2026/11/screenshot.png";
const SAMPLE_NAME: &str = "screenshot.png";

#[derive(Serialize)]
pub struct ImagePreview {
    /// `thumb:` URLs of the sample before and after (new each time, so the window reloads them).
    before: String,
    after: String,
    size_before: u64,
    size_after: u64,
    type_before: &'static str,
    type_after: &'static str,
    /// What the settings did (as data the UI words); `None`: the sample would go as it is.
    done: Option<pixdrop_core::pipeline::Processed>,
}

/// The sample photo through the saved image settings, for the before/after preview.
#[tauri::command]
pub async fn image_preview(state: State<'_, AppState>) -> AppResult<ImagePreview> {
    let settings = state.engine.config().load()?.settings;
    let (bytes, kind, processed) = tauri::async_runtime::spawn_blocking(move || {
        pixdrop_core::pipeline::preview(SAMPLE_PHOTO, &settings)
    })
    .await
    .map_err(|e| AppError::internal(msg!("a background task failed: {e}")))??;
    let version = {
        let mut current = state.preview.lock().unwrap_or_else(|p| p.into_inner());
        let version = current.as_ref().map_or(1, |p| p.version + 1);
        *current = Some(Preview {
            version,
            after: (bytes.clone(), kind.mime()),
        });
        version
    };
    Ok(ImagePreview {
        before: format!("{}preview/before?v={version}", crate::images::base()),
        after: format!("{}preview/after?v={version}", crate::images::base()),
        size_before: SAMPLE_PHOTO.len() as u64,
        size_after: bytes.len() as u64,
        type_before: pixdrop_core::image::ImageKind::Jpeg.label(),
        type_after: kind.label(),
        done: processed,
    })
}

#[derive(Serialize)]
pub struct SettingsView {
    /// Secrets masked (the server's secret, the proxy's password): a masked value saved back
    /// keeps the stored one.
    settings: Settings,
    shortcut: ShortcutStatus,
    server: ServerStatus,
    /// Whether launch-at-login is really registered with the system.
    autostart: Option<bool>,
    /// The config's default host and every config name, for the upload page's picker.
    default_host: Option<String>,
    hosts: Vec<String>,
}

fn view(app: &AppHandle, state: &AppState) -> AppResult<SettingsView> {
    let config = state.engine.config().load()?;
    Ok(SettingsView {
        settings: config.settings.masked(),
        shortcut: state
            .shortcut
            .status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone(),
        server: state
            .server
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone(),
        autostart: autostart::is_enabled(app),
        default_host: config.default_host,
        hosts: config.hosts.into_iter().map(|h| h.name).collect(),
    })
}

#[tauri::command]
pub fn settings_get(app: AppHandle, state: State<'_, AppState>) -> AppResult<SettingsView> {
    view(&app, &state)
}

/// Set one setting from its text. Nothing is saved when the value is refused.
#[tauri::command]
pub async fn settings_set(
    app: AppHandle,
    state: State<'_, AppState>,
    key: String,
    value: String,
) -> AppResult<SettingsView> {
    // Check first, so a refused value neither registers nor saves anything. The lock keeps the
    // config watcher from applying the same change a second time meanwhile.
    let mut applied = state.applied_settings.lock().await;
    let mut new = applied.clone();
    new.set(&key, &value)?;
    settings_sync::before_saving(&app, &applied, &new)?;
    state
        .engine
        .config()
        .update(|c| c.settings.set(&key, &value))?;
    settings_sync::after_saving(&app, &applied, &new).await;
    *applied = new;
    drop(applied);
    view(&app, &state)
}

/// The URL rewrite rules, in the order they are tried.
#[tauri::command]
pub fn url_rewrite_list(state: State<'_, AppState>) -> AppResult<Vec<UrlRule>> {
    Ok(state.engine.config().load()?.settings.url_rewrite)
}

/// Add, remove, or turn on or off a rule (the list is checked before it is saved); the rules
/// as saved.
#[tauri::command]
pub fn url_rewrite_change(state: State<'_, AppState>, edit: Edit) -> AppResult<Vec<UrlRule>> {
    Ok(state.engine.config().change_url_rules(edit)?)
}

/// What `rules` (the list being edited, not saved) make of the link `sample`.
#[tauri::command]
pub fn url_rewrite_preview(rules: Vec<UrlRule>, sample: String) -> AppResult<Rewritten> {
    Ok(url_rules::preview(&rules, &sample)?)
}

/// The link `format` (with `template` for the custom one) for a sample upload.
#[tauri::command]
pub fn link_preview(format: LinkFormat, template: String) -> AppResult<String> {
    if format == LinkFormat::Custom && template.trim().is_empty() {
        return Err(AppError::input(msg!(
            "the custom template is empty; use $url, $fileName and $extName"
        )));
    }
    Ok(template::render(format, SAMPLE_URL, SAMPLE_NAME, &template))
}

/// The name a sample file would be uploaded under.
#[tauri::command]
pub fn rename_preview(mode: RenameMode, pattern: String) -> AppResult<String> {
    if mode == RenameMode::Pattern {
        rename::check_pattern(&pattern)?;
    }
    Ok(rename::apply(
        mode,
        &pattern,
        SAMPLE_NAME,
        b"pixdrop sample",
        chrono::Local::now(),
    )?)
}

/// Show the window (tray "Open", a second launch).
#[tauri::command]
pub fn window_show(app: AppHandle) {
    crate::show_main_window(&app);
}

/// The UI has painted its first frame: show the window, unless the app started hidden.
#[tauri::command]
pub fn ui_ready(app: AppHandle, hidden: State<'_, crate::StartHidden>) {
    if !hidden.0 {
        crate::show_main_window(&app);
    }
}
