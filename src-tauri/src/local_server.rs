//! The PicGo-compatible upload server inside the app (setting `server_enabled`, on by default).

use pixdrop_core::msg;
use std::sync::Arc;

use pixdrop_core::server::{self, RunningServer, ServerHooks, ServerOptions};
use pixdrop_core::{Done, Engine, Input};
use tauri::{AppHandle, Manager};

use crate::uploads::{self, Source};
use crate::AppState;

pub use crate::payloads::ServerStatus;

/// The app's side of each server upload: the same clipboard, auto-copy, notification and tray
/// refresh as the window's uploads.
struct AppHooks {
    app: AppHandle,
}

impl ServerHooks for AppHooks {
    fn clipboard_inputs(&self) -> pixdrop_core::Result<Vec<Input>> {
        pixdrop_clipboard::inputs()
    }

    fn uploaded(&self, done: &[Done], failures: &[pixdrop_core::Msg]) {
        uploads::finished(&self.app, Source::Server, done, failures, None);
    }
}

/// Start the server if the settings ask for it. Failures (a taken port) are reported in the
/// status, and the app keeps running.
pub async fn start(app: AppHandle) -> (ServerStatus, Option<RunningServer>) {
    let engine: Arc<Engine> = app.state::<AppState>().engine.clone();
    let settings = match engine.config().load() {
        Ok(c) => c.settings,
        Err(e) => {
            return (
                ServerStatus {
                    enabled: false,
                    port: None,
                    error: Some(e.msg()),
                },
                None,
            )
        }
    };
    if !settings.server_enabled {
        return (ServerStatus::default(), None);
    }
    let hooks = Arc::new(AppHooks { app: app.clone() });
    let options = ServerOptions {
        change_port: msg!("choose another port under Settings → Local upload server"),
        ..ServerOptions::from_settings(&settings)
    };
    match server::start(engine, options, hooks).await {
        Ok(running) => (
            ServerStatus {
                enabled: true,
                port: Some(running.port),
                error: None,
            },
            Some(running),
        ),
        Err(e) => (
            ServerStatus {
                enabled: true,
                port: None,
                error: Some(e.msg()),
            },
            None,
        ),
    }
}

/// Start the server from the settings and keep it in the app's state, stopping a running one
/// first (after a change of `server_*` settings).
pub async fn restart(app: AppHandle) -> ServerStatus {
    let state = app.state::<AppState>();
    let old = state
        .running_server
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take();
    if let Some(old) = old {
        old.stop().await;
    }
    let (status, running) = start(app.clone()).await;
    if let Some(e) = &status.error {
        eprintln!("pixdrop: the local upload server is not running: {e}");
    }
    *state.server.lock().unwrap_or_else(|p| p.into_inner()) = status.clone();
    *state
        .running_server
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = running;
    crate::events::send(
        &app,
        crate::events::UiEvent::Server {
            status: status.clone(),
        },
    );
    status
}
