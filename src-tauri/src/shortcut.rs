//! The global shortcut (setting `shortcut`, default CommandOrControl+Shift+U) uploads the
//! clipboard image even while the window is hidden. Registration can fail — another app holds
//! the keys, or the syntax is wrong — and then the app says so and keeps running.

use std::sync::Mutex;

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_global_shortcut::{GlobalShortcutExt, Shortcut, ShortcutState};

use crate::uploads::{self, Source};
use crate::AppState;

pub use crate::payloads::ShortcutStatus;

#[derive(Default)]
pub struct Shortcuts {
    pub status: Mutex<ShortcutStatus>,
}

/// The plugin, with the handler every registered shortcut uses.
pub fn plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_global_shortcut::Builder::new()
        .with_handler(|app, _shortcut, event| {
            if event.state() == ShortcutState::Pressed {
                uploads::clipboard_or_notify(app, Source::Shortcut);
            }
        })
        .build()
}

/// Parse an accelerator, with a message that names the problem.
pub fn parse(text: &str) -> Result<Shortcut, String> {
    text.parse::<Shortcut>().map_err(|e| {
        format!(
            "{text:?} is not a shortcut ({e}); use keys joined by +, like CommandOrControl+Shift+U"
        )
    })
}

/// Register `text` in place of the current shortcut. On failure the previous one stays
/// registered and the error is returned (and kept in the status).
pub fn apply<R: Runtime>(app: &AppHandle<R>, text: &str) -> Result<(), String> {
    let state = app.state::<AppState>();
    let mut status = state
        .shortcut
        .status
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let gs = app.global_shortcut();
    let new = if text.is_empty() {
        None
    } else {
        Some(parse(text)?)
    };
    let old = if status.registered && !status.shortcut.is_empty() {
        parse(&status.shortcut).ok()
    } else {
        None
    };
    if old.is_some() && old == new {
        return Ok(());
    }
    if let Some(o) = old {
        let _ = gs.unregister(o);
    }
    let result = match new {
        None => Ok(()),
        Some(n) => gs
            .register(n)
            .map_err(|_| format!("{} is taken by another program", label(text))),
    };
    match &result {
        Ok(()) => {
            *status = ShortcutStatus {
                shortcut: text.to_string(),
                registered: new.is_some(),
                error: None,
            };
        }
        Err(e) => {
            // Put the old one back, so a failed change leaves the user where they were, and
            // say that it still works.
            let restored = old.map(|o| gs.register(o).is_ok()).unwrap_or(false);
            if restored {
                let still = format!("{e}; {} is still active", label(&status.shortcut));
                crate::events::send(
                    app,
                    crate::events::UiEvent::Shortcut {
                        status: status.clone(),
                    },
                );
                return Err(still);
            } else {
                *status = ShortcutStatus {
                    shortcut: text.to_string(),
                    registered: false,
                    error: Some(e.clone()),
                };
            }
        }
    }
    crate::events::send(
        app,
        crate::events::UiEvent::Shortcut {
            status: status.clone(),
        },
    );
    result
}

/// A shortcut as people write it: `Ctrl+Alt+T` (`⌘` on macOS) for `CommandOrControl+Alt+T`.
pub fn label(text: &str) -> String {
    let primary = if cfg!(target_os = "macos") {
        "⌘"
    } else {
        "Ctrl"
    };
    text.split('+')
        .map(|part| match part.to_ascii_lowercase().as_str() {
            "commandorcontrol" | "cmdorctrl" | "commandorctrl" | "cmdorcontrol" => {
                primary.to_string()
            }
            "control" | "ctrl" => "Ctrl".to_string(),
            "alt" | "option" => "Alt".to_string(),
            "shift" => "Shift".to_string(),
            "super" | "command" | "cmd" => "Super".to_string(),
            _ if part.len() == 1 => part.to_ascii_uppercase(),
            _ => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join("+")
}

/// Register the shortcut from the settings at start-up; a failure is reported, not fatal.
pub fn register_from_settings<R: Runtime>(app: &AppHandle<R>) {
    let engine = app.state::<AppState>().engine.clone();
    let shortcut = engine.settings().shortcut;
    if let Err(e) = apply(app, &shortcut) {
        eprintln!("pixdrop: {e}");
        pixdrop_core::log::append(engine.paths(), &format!("global shortcut: {e}"));
        let settings = engine.settings();
        let lang = crate::desktop::language(&settings);
        crate::desktop::show(
            crate::desktop::text(lang, "shortcut-failed").into(),
            e,
            None,
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn shortcuts_are_named_as_people_write_them() {
        let primary = if cfg!(target_os = "macos") {
            "⌘"
        } else {
            "Ctrl"
        };
        assert_eq!(
            super::label("CommandOrControl+Shift+u"),
            format!("{primary}+Shift+U")
        );
        assert_eq!(super::label("ctrl+alt+T"), "Ctrl+Alt+T");
    }
}
