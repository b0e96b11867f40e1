//! Updates pushed to the UI. The UI opens one Tauri channel at start (`events_subscribe`) and
//! everything — upload rows and their progress, drop hover, finished batches, shortcut and
//! server status — arrives on it. A channel passed to a command needs no capability, so the
//! webview is granted no event permissions at all.

use std::sync::Mutex;

use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime};

pub use crate::payloads::UiEvent;
use crate::AppState;

/// The UI's channel (the newest one, after a reload).
#[derive(Default)]
pub struct Events {
    channel: Mutex<Option<Channel<UiEvent>>>,
}

impl Events {
    pub fn subscribe(&self, channel: Channel<UiEvent>) {
        *self.channel.lock().unwrap_or_else(|p| p.into_inner()) = Some(channel);
    }
}

/// Send an update to the UI, if it is listening. A closed window simply misses it; the UI
/// re-reads the state (`uploads_list`, `settings_get`) when it subscribes again.
pub fn send<R: Runtime>(app: &AppHandle<R>, event: UiEvent) {
    let state = app.state::<AppState>();
    let channel = state
        .events
        .channel
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    if let Some(c) = channel {
        let _ = c.send(event);
    }
}

#[tauri::command]
pub fn events_subscribe(state: tauri::State<'_, AppState>, channel: Channel<UiEvent>) {
    state.events.subscribe(channel);
}
