//! The global shortcut (setting `shortcut`, default CommandOrControl+Shift+U) uploads the
//! clipboard image even while the window is hidden. Registration can fail — another app holds
//! the keys, or the syntax is wrong — and then the app says so and keeps running.

use std::sync::Mutex;

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_global_shortcut::{GlobalShortcutExt, Shortcut, ShortcutState};

use pixdrop_core::{msg, Msg};

use crate::uploads::{self, Source};
use crate::AppState;

pub use crate::payloads::ShortcutStatus;

#[derive(Default)]
pub struct Shortcuts {
    pub status: Mutex<ShortcutStatus>,
    /// Whether the desktop's portal holds the shortcut (a Wayland session with the portal).
    portal_active: std::sync::atomic::AtomicBool,
    /// The portal's binding while it holds the shortcut.
    #[cfg(target_os = "linux")]
    binding: tokio::sync::Mutex<Option<crate::portal::Binding>>,
}

const X11: &str = "x11";
const PORTAL: &str = "portal";

fn publish<R: Runtime>(app: &AppHandle<R>, status: &ShortcutStatus) {
    crate::events::send(
        app,
        crate::events::UiEvent::Shortcut {
            status: status.clone(),
        },
    );
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
pub fn parse(text: &str) -> Result<Shortcut, Msg> {
    text.parse::<Shortcut>().map_err(|e| {
        msg!(
            "{text:?} is not a shortcut ({e}); use keys joined by +, like CommandOrControl+Shift+U"
        )
    })
}

/// Register `text` in place of the current shortcut. On failure the previous one stays
/// registered and the error is returned (and kept in the status).
pub fn apply<R: Runtime>(app: &AppHandle<R>, text: &str) -> Result<(), Msg> {
    let state = app.state::<AppState>();
    #[cfg(target_os = "linux")]
    if state
        .shortcut
        .portal_active
        .load(std::sync::atomic::Ordering::SeqCst)
    {
        if !text.is_empty() {
            parse(text)?;
        }
        let (app, text) = (app.clone(), text.to_string());
        tauri::async_runtime::spawn(async move { bind_portal(&app, &text, None).await });
        return Ok(());
    }
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
        // Asked for what is bound already (the setting put back after a refused change):
        // what the status said about the refusal no longer holds.
        if status.error.take().is_some() {
            publish(app, &status);
        }
        return Ok(());
    }
    if let Some(o) = old {
        let _ = gs.unregister(o);
    }
    let result = match new {
        None => Ok(()),
        Some(n) => gs
            .register(n)
            .map_err(|_| msg!("{keys} is taken by another program", keys = label(text))),
    };
    match &result {
        Ok(()) => {
            *status = ShortcutStatus {
                shortcut: text.to_string(),
                registered: new.is_some(),
                error: None,
                method: X11,
                note: status.note.clone(),
                ..Default::default()
            };
        }
        Err(e) => {
            // Put the old one back, so a failed change leaves the user where they were, and
            // say that it still works.
            let restored = old.map(|o| gs.register(o).is_ok()).unwrap_or(false);
            if restored {
                // The status is what every page shows, however the change was asked for (the
                // window, or the CLI through the config): the old keys, and why not the new.
                let still = msg!(
                    "{e}; {keys} is still active",
                    keys = label(&status.shortcut)
                );
                status.error = Some(still.clone());
                publish(app, &status);
                return Err(still);
            } else {
                *status = ShortcutStatus {
                    shortcut: text.to_string(),
                    registered: false,
                    error: Some(e.clone()),
                    method: X11,
                    note: status.note.clone(),
                    ..Default::default()
                };
            }
        }
    }
    publish(app, &status);
    result
}

/// Bind `text` through the desktop's GlobalShortcuts portal in place of the current binding.
/// When the portal is missing and `fallback_note` is given, the X11 grab is used instead, with
/// that reason kept in the status.
#[cfg(target_os = "linux")]
async fn bind_portal<R: Runtime>(app: &AppHandle<R>, text: &str, fallback_note: Option<Msg>) {
    use crate::portal::{self, Failure};
    let state = app.state::<AppState>();
    let mut binding = state.shortcut.binding.lock().await;
    if let Some(old) = binding.take() {
        old.close().await;
    }
    let set = |s: ShortcutStatus| {
        let mut status = state
            .shortcut
            .status
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        *status = s;
        publish(app, &status);
    };
    if text.is_empty() {
        set(ShortcutStatus {
            method: PORTAL,
            ..Default::default()
        });
        return;
    }
    let trigger = pixdrop_core::shortcut::portal_trigger(text);
    match portal::bind(
        app.clone(),
        "Upload the clipboard image",
        trigger.as_deref(),
    )
    .await
    {
        Ok(b) => {
            state
                .shortcut
                .portal_active
                .store(true, std::sync::atomic::Ordering::SeqCst);
            set(ShortcutStatus {
                shortcut: text.to_string(),
                registered: true,
                method: PORTAL,
                portal_trigger: Some(b.trigger.clone()),
                ..Default::default()
            });
            *binding = Some(b);
        }
        Err(Failure::Missing(why)) if fallback_note.is_some() => {
            drop(binding);
            let note = msg!(
                "{why}. {fallback}",
                fallback = fallback_note.unwrap_or_else(Msg::empty)
            );
            log(app, &note);
            state
                .shortcut
                .status
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .note = Some(note);
            if let Err(e) = apply(app, text) {
                report(app, e);
            }
        }
        Err(Failure::Missing(why) | Failure::Refused(why)) => {
            log(app, &why);
            set(ShortcutStatus {
                shortcut: text.to_string(),
                registered: false,
                error: Some(why),
                method: PORTAL,
                ..Default::default()
            });
        }
    }
}

fn log<R: Runtime>(app: &AppHandle<R>, line: &str) {
    let engine = app.state::<AppState>().engine.clone();
    pixdrop_core::log::append(engine.paths(), &format!("global shortcut: {line}"));
}

/// Say that the shortcut could not be registered: stderr, the log and a notification.
fn report<R: Runtime>(app: &AppHandle<R>, e: Msg) {
    eprintln!("pixdrop: {e}");
    log(app, &e);
    let settings = app.state::<AppState>().engine.settings();
    let lang = crate::desktop::language(&settings);
    crate::desktop::show(
        crate::desktop::text(lang, "shortcut-failed").into(),
        crate::desktop::say(lang, &e),
        None,
    );
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

/// Register the shortcut from the settings at start-up; a failure is reported, not fatal. On a
/// Wayland session the desktop's portal is asked first; without one the X11 grab is used,
/// which fires only while an X11 (XWayland) window has focus, and the status says so.
pub fn register_from_settings<R: Runtime>(app: &AppHandle<R>) {
    let shortcut = app.state::<AppState>().engine.settings().shortcut;
    #[cfg(target_os = "linux")]
    if crate::portal::wayland_session() {
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            bind_portal(
                &app,
                &shortcut,
                Some(msg!("On this Wayland desktop the shortcut is grabbed through X11 instead, which fires only while an X11 (XWayland) window has focus; bind Pixdrop's \"pixdrop upload --clipboard\" command in the desktop's keyboard settings to upload from anywhere")),
            )
            .await
        });
        return;
    }
    if let Err(e) = apply(app, &shortcut) {
        report(app, e);
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
