//! The app follows its settings wherever they are changed: its own Settings page, the CLI
//! (`pixdrop settings set`, `pixdrop hosts add`), another Pixdrop, an editor. The config file is
//! looked at once a second; when it changed, what changed is applied (the shortcut registered,
//! the server restarted, the tray relabelled) and the UI is told to reload, so a page never
//! shows one thing while the app does another.

use pixdrop_core::msg;
use std::time::{Duration, SystemTime};

use pixdrop_core::Settings;
use tauri::{AppHandle, Manager};

use crate::error::{AppError, AppResult};
use crate::events::{self, UiEvent};
use crate::{autostart, local_server, shortcut, tray, AppState};

/// What must work before a change is saved (a shortcut another program holds is refused, and
/// the setting keeps its old value).
pub fn before_saving(app: &AppHandle, old: &Settings, new: &Settings) -> AppResult<()> {
    if new.shortcut != old.shortcut {
        shortcut::apply(app, &new.shortcut).map_err(AppError::input)?;
    }
    if new.autostart != old.autostart {
        autostart::set(app, new.autostart).map_err(AppError::internal)?;
    }
    // A port another program holds is refused before it is saved: the running server keeps
    // its port instead of stopping.
    if new.server_enabled && new.server_port != old.server_port {
        if let Err(e) =
            std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, new.server_port))
        {
            let why = if e.kind() == std::io::ErrorKind::AddrInUse {
                msg!("is in use by another program")
            } else {
                msg!("cannot be used ({e})")
            };
            return Err(AppError::input(if old.server_enabled {
                msg!(
                    "port {} {why}; the server stays on port {}",
                    new.server_port,
                    old.server_port
                )
            } else {
                msg!("port {} {why}", new.server_port)
            }));
        }
    }
    Ok(())
}

/// What follows a saved change.
pub async fn after_saving(app: &AppHandle, old: &Settings, new: &Settings) {
    // The secret and origins are read by the server per request; only these need a restart.
    if (new.server_enabled, new.server_port) != (old.server_enabled, old.server_port) {
        local_server::restart(app.clone()).await;
    }
    if (new.language, new.link_format) != (old.language, old.link_format) {
        tray::refresh(app);
    }
    // A smaller thumbnail cache takes effect now, not at the next upload.
    if new.thumbnail_cache_mb < old.thumbnail_cache_mb {
        let engine = app.state::<AppState>().engine.clone();
        let cap = new.thumbnail_cap();
        let _ = tauri::async_runtime::spawn_blocking(move || engine.thumbs().evict(cap)).await;
    }
}

fn stamp(path: &std::path::Path) -> Option<(SystemTime, u64)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

/// Watch the config file for the app's life (a thread that looks once a second).
pub fn watch(app: AppHandle) {
    std::thread::spawn(move || {
        let engine = app.state::<AppState>().engine.clone();
        let path = engine.config().path().to_path_buf();
        let mut last = stamp(&path);
        loop {
            std::thread::sleep(Duration::from_secs(1));
            let now = stamp(&path);
            if now == last {
                continue;
            }
            last = now;
            let Ok(config) = engine.config().load() else {
                continue; // a half-written file by an editor: the next look finds it whole
            };
            tauri::async_runtime::block_on(async {
                let state = app.state::<AppState>();
                let mut applied = state.applied_settings.lock().await;
                let new = config.settings;
                if *applied != new {
                    if let Err(e) = before_saving(&app, &applied, &new) {
                        pixdrop_core::log::append(
                            engine.paths(),
                            &format!("settings changed elsewhere: {}", e.message),
                        );
                    }
                    after_saving(&app, &applied, &new).await;
                    *applied = new;
                }
            });
            events::send(&app, UiEvent::ConfigChanged);
        }
    });
}
