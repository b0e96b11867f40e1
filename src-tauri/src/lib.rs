//! The Pixdrop desktop app: a thin shell over pixdrop-core. It shares the CLI's config and
//! album (`--data-dir DIR` or `PIXDROP_HOME` select them, as for the CLI).

mod autostart;
mod commands;
mod desktop;
mod error;
mod events;
mod images;
mod local_server;
mod note_offers;
mod payloads;
#[cfg(target_os = "linux")]
mod portal;
mod settings_sync;
mod shortcut;
mod sync_auto;
mod test_hooks;
mod tray;
mod uploads;
#[cfg(target_os = "linux")]
mod window_clipboard;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use pixdrop_core::{Engine, Paths};
use tauri::{AppHandle, Manager, Runtime, WindowEvent};

use commands::{album, hosts, import, links, notes, overview, settings, sync, upload};

/// Everything the commands share.
pub struct AppState {
    pub engine: Arc<Engine>,
    pub server: Mutex<local_server::ServerStatus>,
    /// The running local server; dropping it stops it.
    running_server: Mutex<Option<pixdrop_core::server::RunningServer>>,
    pub uploads: uploads::Uploads,
    pub shortcut: shortcut::Shortcuts,
    pub events: events::Events,
    /// The host config deleted last, for Undo.
    pub removed_host: Mutex<Option<pixdrop_core::host_configs::Removed>>,
    /// The .sxcu file last chosen, for importing it again under a free name.
    pub last_sxcu: Mutex<Option<std::path::PathBuf>>,
    /// The settings the app has applied (shortcut, server, tray), whoever changed them.
    pub applied_settings: tokio::sync::Mutex<pixdrop_core::Settings>,
    /// The Settings page's image preview, served by the `thumb:` protocol.
    pub preview: Mutex<Option<images::Preview>>,
    /// Wakes the background thumbnail round.
    pub thumbs_filler: images::Filler,
    /// The album's running "Check links", to cancel it.
    pub link_check: Mutex<Option<pixdrop_core::links::CancellationToken>>,
    /// The notes dropped last, offered for their local images.
    pub notes: crate::note_offers::NoteOffers,
    /// Settings → Sync and the automatic sync: one sync at a time.
    pub sync: sync_auto::AutoSync,
}

/// Started with `--hidden` (at login): the first paint does not show the window.
pub struct StartHidden(pub bool);

/// Show, unminimise and focus the main window (tray "Open", a second launch).
pub fn show_main_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}

/// `--data-dir DIR` / `--data-dir=DIR` from the command line, if given.
fn data_dir_arg(args: impl Iterator<Item = String>) -> Option<PathBuf> {
    let mut args = args.skip(1);
    while let Some(a) = args.next() {
        if a == "--data-dir" {
            return args.next().map(PathBuf::from);
        }
        if let Some(v) = a.strip_prefix("--data-dir=") {
            return Some(PathBuf::from(v));
        }
    }
    None
}

/// The files named on a command line: "Open with Pixdrop" in a file manager (the desktop entry's
/// `%F`) or `pixdrop-app shot.png`. Every argument that is not an option and not a folder,
/// relative to the folder the launch came from: the upload checks that each is there and an
/// image, so a file that is gone gets a row saying so (and a log line), as a non-image does.
fn files_in_args(args: &[String], cwd: &std::path::Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut args = args.iter().skip(1);
    while let Some(a) = args.next() {
        if a == "--data-dir" {
            args.next();
        } else if !a.starts_with("--") {
            let path = cwd.join(a);
            if !path.is_dir() {
                files.push(path);
            }
        }
    }
    files
}

/// Upload files the app was opened with, in the running instance.
fn open_files<R: Runtime>(app: &AppHandle<R>, files: Vec<PathBuf>) {
    if !files.is_empty() {
        let inputs = files.into_iter().map(pixdrop_core::Input::Path).collect();
        uploads::start(app, inputs, payloads::Source::Open);
    }
}

/// Every command the webview may call, listed once; the GUI tests' build adds its hooks.
macro_rules! app_commands {
    ($($extra:path),*) => {
        tauri::generate_handler![
            events::events_subscribe,
            overview::overview,
            import::import_sxcu,
            import::import_picgo,
            hosts::host_kinds,
            hosts::hosts_list,
            hosts::host_secret,
            hosts::host_save,
            hosts::host_removal_preview,
            hosts::host_remove,
            hosts::host_restore,
            hosts::host_set_default,
            hosts::host_test,
            upload::uploads_list,
            upload::upload_pick,
            upload::upload_clipboard,
            upload::upload_url,
            upload::upload_retry,
            upload::upload_dismiss,
            upload::upload_copy,
            settings::settings_get,
            settings::settings_set,
            settings::link_preview,
            settings::url_rewrite_list,
            settings::url_rewrite_change,
            settings::url_rewrite_preview,
            settings::rename_preview,
            settings::image_preview,
            settings::window_show,
            settings::ui_ready,
            album::album_page,
            album::album_ids,
            album::album_configs,
            album::album_copy,
            album::album_delete,
            album::album_mirrors,
            album::album_sync,
            album::album_open,
            links::links_check,
            links::links_check_cancel,
            links::album_move,
            notes::note_localize,
            notes::note_dismiss,
            sync::sync_setup,
            sync::sync_now,
            sync::sync_status,
            sync::sync_off,
            sync::sync_passphrase,
            $($extra),*
        ]
    };
}

pub fn run() {
    let engine =
        match Paths::resolve(data_dir_arg(std::env::args()).as_deref()).and_then(Engine::open) {
            Ok(e) => e,
            Err(e) => {
                eprintln!("pixdrop: cannot open Pixdrop's data: {e}");
                std::process::exit(1);
            }
        };
    pixdrop_core::log::keep_panics(engine.paths());
    let engine = Arc::new(engine);
    let settings_at_start = engine.settings();
    let hidden = std::env::args().any(|a| a == autostart::HIDDEN_ARG);
    type Commands = fn(tauri::ipc::Invoke<tauri::Wry>) -> bool;
    #[cfg(feature = "test-hooks")]
    let commands: Commands = app_commands![test_hooks::test_drop];
    #[cfg(not(feature = "test-hooks"))]
    let commands: Commands = app_commands![];
    tauri::Builder::default()
        // First, so a second launch hands over before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, args, cwd| {
            show_main_window(app);
            open_files(app, files_in_args(&args, std::path::Path::new(&cwd)));
        }))
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(shortcut::plugin())
        .plugin(autostart::plugin())
        .plugin(tauri_plugin_opener::init())
        .manage(AppState {
            engine,
            server: Mutex::new(Default::default()),
            running_server: Mutex::new(None),
            uploads: Default::default(),
            shortcut: Default::default(),
            events: Default::default(),
            removed_host: Mutex::new(None),
            last_sxcu: Mutex::new(None),
            applied_settings: tokio::sync::Mutex::new(settings_at_start),
            preview: Mutex::new(None),
            thumbs_filler: Default::default(),
            link_check: Default::default(),
            notes: Default::default(),
            sync: Default::default(),
        })
        .register_asynchronous_uri_scheme_protocol("thumb", images::serve)
        .setup(move |app| {
            let handle = app.handle().clone();
            // The window stays hidden until the UI has painted (`ui_ready`), so it never
            // flashes white; started at login (`--hidden`) it stays in the tray.
            app.manage(StartHidden(hidden));
            tray::create(&handle, |app| {
                uploads::clipboard_or_notify(app, uploads::Source::Tray)
            });
            shortcut::register_from_settings(&handle);
            tauri::async_runtime::spawn(local_server::restart(handle.clone()));
            images::fill_in_background(handle.clone());
            let args: Vec<String> = std::env::args().collect();
            let cwd = std::env::current_dir().unwrap_or_default();
            open_files(&handle, files_in_args(&args, &cwd));
            settings_sync::watch(handle.clone());
            sync_auto::start(handle);
            Ok(())
        })
        .on_window_event(|window, event| match event {
            WindowEvent::CloseRequested { api, .. } if window.label() == "main" => {
                let engine = window.state::<AppState>().engine.clone();
                let to_tray = engine.settings().close_to_tray;
                if to_tray {
                    api.prevent_close();
                    let _ = window.hide();
                }
            }
            WindowEvent::DragDrop(drop) => uploads::on_drag_drop(window, drop),
            _ => {}
        })
        .invoke_handler(commands)
        .run(tauri::generate_context!())
        .expect("error while running Pixdrop");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_on_the_command_line_are_the_existing_ones_that_are_not_options() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("shot one.png"), b"x").unwrap();
        std::fs::write(dir.path().join("abs.jpg"), b"x").unwrap();
        std::fs::create_dir(dir.path().join("folder")).unwrap();
        let abs = dir.path().join("abs.jpg").display().to_string();
        let args: Vec<String> = [
            "pixdrop-app",
            "--data-dir",
            "shot one.png",
            "--hidden",
            "shot one.png",
            "missing.png",
            "folder",
            &abs,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            files_in_args(&args, dir.path()),
            vec![
                dir.path().join("shot one.png"),
                dir.path().join("missing.png"),
                dir.path().join("abs.jpg")
            ]
        );
    }

    #[test]
    fn data_dir_argument() {
        let args = |v: &[&str]| {
            v.iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .into_iter()
        };
        assert_eq!(
            data_dir_arg(args(&["app", "--data-dir", "/x"])),
            Some(PathBuf::from("/x"))
        );
        assert_eq!(
            data_dir_arg(args(&["app", "--data-dir=/y"])),
            Some(PathBuf::from("/y"))
        );
        assert_eq!(data_dir_arg(args(&["app"])), None);
    }
}
