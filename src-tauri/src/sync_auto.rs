//! Sync in the app: one sync at a time (an automatic one, or Settings → Sync's "Sync now",
//! which waits for a running one and then runs), and the automatic ones: when sync is set up
//! and `sync_auto` is on, at start, a few seconds after each upload, delete or config change
//! (changes close together make one sync), and every 10 minutes. What a sync does is core's
//! `sync::service::now`; this module only decides when, and tells the UI what came of it.

use std::sync::Mutex;
use std::time::Duration;

use pixdrop_core::sync::{service, Report};
use tauri::{AppHandle, Manager, Runtime};
use tokio::time::Instant;

use crate::error::{AppError, AppResult};
use crate::events::{self, UiEvent};
use crate::payloads::{SyncResult, SyncState};
use crate::{tray, AppState};

/// How long after a change the automatic sync waits for more changes.
const DEBOUNCE: Duration = Duration::from_secs(5);
/// Changes that keep coming still sync at least this often.
const AT_MOST: Duration = Duration::from_secs(60);
/// How often the automatic sync runs when nothing changes here.
const EVERY: Duration = Duration::from_secs(600);

#[derive(Default)]
pub struct AutoSync {
    /// A change was made here (a permit is kept when none waits, so no change is missed).
    changed: tokio::sync::Notify,
    /// Held while a sync runs, set up or turned off: never two at once.
    one: tokio::sync::Mutex<()>,
    /// What the UI shows: running, and the last sync's result in this run of the app.
    state: Mutex<SyncState>,
}

impl AutoSync {
    /// What the UI shows now.
    pub fn state(&self) -> SyncState {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn update(&self, f: impl FnOnce(&mut SyncState)) -> SyncState {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut state);
        state.clone()
    }

    /// Hold the one sync (setup and off take it too, so they never cut into a sync).
    pub async fn hold(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.one.lock().await
    }
}

/// Something the sync carries changed here (an upload, a delete, a config or setting): the
/// automatic sync runs a few seconds later.
pub fn changed<R: Runtime>(app: &AppHandle<R>) {
    app.state::<AppState>().sync.changed.notify_one();
}

/// Forget the last result (sync turned off) and tell the UI.
pub fn forget(app: &AppHandle) {
    let state = app.state::<AppState>().sync.update(|s| s.last = None);
    events::send(app, UiEvent::Sync { state });
}

/// Sync now, after the sync that runs (if one does). The UI is told it runs, then how it
/// ended; records that arrived reload the album.
pub async fn run(app: &AppHandle, auto: bool) -> AppResult<Report> {
    let state = app.state::<AppState>();
    let _one = state.sync.hold().await;
    let running = state.sync.update(|s| s.running = true);
    events::send(app, UiEvent::Sync { state: running });
    let result = service::now(&state.engine).await.map_err(AppError::from);
    match &result {
        Ok(report) if report.received.records + report.received.deleted > 0 => {
            state.thumbs_filler.soon();
            tray::refresh(app);
            // Not `changed`: what arrived is no change of this computer's to send.
            events::send(app, UiEvent::AlbumChanged);
        }
        Err(e) if auto => pixdrop_core::log::append(
            state.engine.paths(),
            &format!("automatic sync: {}", e.message),
        ),
        _ => {}
    }
    let ended = state.sync.update(|s| {
        s.running = false;
        s.last = Some(SyncResult {
            at: pixdrop_core::album::now_ms(),
            auto,
            report: result.as_ref().ok().cloned(),
            error: result.as_ref().err().cloned(),
        });
    });
    events::send(app, UiEvent::Sync { state: ended });
    result
}

/// Whether the automatic sync is wanted now (read each time: the CLI may change it).
fn wanted(app: &AppHandle) -> bool {
    let engine = &app.state::<AppState>().engine;
    engine
        .config()
        .load()
        .is_ok_and(|c| c.settings.sync_auto && !c.settings.sync_config.is_empty())
}

/// Wait for a change (then for the changes close after it) or for the 10 minutes.
async fn next(sync: &AutoSync) {
    tokio::select! {
        _ = sync.changed.notified() => {
            let latest = Instant::now() + AT_MOST;
            loop {
                let wait = tokio::time::sleep_until((Instant::now() + DEBOUNCE).min(latest));
                tokio::select! {
                    _ = sync.changed.notified() => {}
                    _ = wait => break,
                }
            }
        }
        _ = tokio::time::sleep(EVERY) => {}
    }
}

/// Run the automatic sync for the app's life. Its errors are shown in Settings → Sync (and
/// logged), never as a notice: a storage that is away would otherwise say so every time.
pub fn start(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let sync = &app.state::<AppState>().inner().sync;
        loop {
            if wanted(&app) {
                let _ = run(&app, true).await;
            }
            next(sync).await;
        }
    });
}
