//! Launch at login (tauri-plugin-autostart). The app started at login starts hidden, in the tray.

use tauri::{AppHandle, Runtime};
use tauri_plugin_autostart::{MacosLauncher, ManagerExt};

/// The argument the login item passes: start without showing the window.
pub const HIDDEN_ARG: &str = "--hidden";

pub fn plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_autostart::init(MacosLauncher::LaunchAgent, Some(vec![HIDDEN_ARG]))
}

/// Whether the login item exists (None when the system cannot say).
pub fn is_enabled<R: Runtime>(app: &AppHandle<R>) -> Option<bool> {
    app.autolaunch().is_enabled().ok()
}

pub fn set<R: Runtime>(app: &AppHandle<R>, on: bool) -> Result<(), pixdrop_core::Msg> {
    let launcher = app.autolaunch();
    let r = if on {
        launcher.enable()
    } else {
        launcher.disable()
    };
    match r {
        Ok(()) => Ok(()),
        // Disabling what is not there is already done.
        Err(_) if !on && launcher.is_enabled().ok() == Some(false) => Ok(()),
        Err(e) => Err(pixdrop_core::msg!("cannot change launch at login: {e}")),
    }
}
