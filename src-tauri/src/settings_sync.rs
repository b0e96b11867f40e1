//! The app follows its settings wherever they are changed: its own Settings page, the CLI
//! (`pixdrop settings set`, `pixdrop hosts add`), another Pixdrop, an editor. The system tells
//! the app when the config file changes (inotify through `notify`; the folder is watched, as
//! the CLI replaces the file by a rename), so a change shows at once and an idle app is never
//! woken; only where notifications cannot be had is the file looked at once a second. When it
//! changed, what changed is applied (the shortcut registered, the server restarted, the tray
//! relabelled) and the UI is told to reload, so a page never shows one thing while the app does
//! another.

use pixdrop_core::msg;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
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

/// What tells a change apart from the last one seen: the file's identity (a rename makes a new
/// one), its time and its length.
fn stamp(path: &Path) -> Option<(u64, SystemTime, u64)> {
    let m = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let id = std::os::unix::fs::MetadataExt::ino(&m);
    #[cfg(not(unix))]
    let id = 0;
    Some((id, m.modified().ok()?, m.len()))
}

/// How the watching thread learns that the config may have changed.
enum Changes {
    /// The system says so (the watcher lives as long as the thread that holds it).
    Notified {
        _watcher: notify::RecommendedWatcher,
        told: mpsc::Receiver<()>,
    },
    /// Notifications could not be had (no inotify watches left, say): look once a second.
    Polled,
}

impl Changes {
    fn start(path: &Path) -> Changes {
        use notify::Watcher;
        let (tx, rx) = mpsc::channel();
        let name = path.file_name().map(|n| n.to_os_string());
        let Some(folder) = path.parent() else {
            return Changes::Polled;
        };
        let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            // The folder also holds the album and the log: only the config's name wakes us.
            let ours = match &event {
                Ok(e) => e.paths.iter().any(|p| p.file_name() == name.as_deref()),
                Err(_) => true, // events were lost: look, to be sure
            };
            if ours {
                let _ = tx.send(());
            }
        });
        match watcher {
            Ok(mut w) => match w.watch(folder, notify::RecursiveMode::NonRecursive) {
                Ok(()) => Changes::Notified {
                    _watcher: w,
                    told: rx,
                },
                Err(_) => Changes::Polled,
            },
            Err(_) => Changes::Polled,
        }
    }

    /// Wait for the next possible change; false when no more can come.
    fn next(&self) -> bool {
        match self {
            Changes::Notified { told, .. } => {
                if told.recv().is_err() {
                    return false;
                }
                // One save is several events (create, write, rename): one look for all of them.
                while told.try_recv().is_ok() {}
                true
            }
            Changes::Polled => {
                std::thread::sleep(Duration::from_secs(1));
                true
            }
        }
    }
}

/// Watch the config file for the app's life (a thread woken by the system's file
/// notifications).
pub fn watch(app: AppHandle) {
    let engine = app.state::<AppState>().engine.clone();
    let path: PathBuf = engine.config().path().to_path_buf();
    // Started here, before the thread, so a change made from now on is seen.
    let changes = Changes::start(&path);
    std::thread::spawn(move || {
        let mut last = stamp(&path);
        while changes.next() {
            let now = stamp(&path);
            if now == last {
                continue;
            }
            last = now;
            let Ok(config) = engine.config().load() else {
                // A half-written file by an editor: the next event finds it whole (and is not
                // taken for the same state if its time and length happen to match).
                last = None;
                continue;
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
            crate::sync_auto::changed(&app);
        }
    });
}
