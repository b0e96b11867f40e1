//! The global shortcut on a Wayland desktop, through the XDG GlobalShortcuts portal
//! (`org.freedesktop.portal.GlobalShortcuts`: GNOME 48+, KDE Plasma 6, Hyprland …). Wayland gives
//! no program a key grab of its own: the app asks the portal to bind "Upload the clipboard
//! image", with the setting's shortcut as the preferred trigger, and the desktop (which may ask
//! the user, or let them choose other keys) says what it bound and signals `Activated`.

use futures::StreamExt;
use pixdrop_core::{msg, Msg};
use tauri::{AppHandle, Runtime};

use ashpd::desktop::global_shortcuts::{
    BindShortcutsOptions, GlobalShortcuts, NewShortcut, Shortcut,
};
use ashpd::desktop::{CreateSessionOptions, ResponseError, Session};

use crate::uploads::{self, Source};

/// The id of Pixdrop's one shortcut, as the portal knows it.
pub const SHORTCUT_ID: &str = "upload-clipboard";

/// Whether this is a Wayland session, where the portal is asked first.
pub fn wayland_session() -> bool {
    std::env::var("XDG_SESSION_TYPE").is_ok_and(|t| t == "wayland")
        || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty())
}

/// Why binding through the portal did not work.
#[derive(Debug)]
pub enum Failure {
    /// No portal, or one without GlobalShortcuts: the caller falls back to the X11 grab.
    Missing(Msg),
    /// The desktop (or the user, in its dialog) said no.
    Refused(Msg),
}

/// A bound shortcut: the portal's session, kept open while the binding should hold (closing
/// it, or dropping the app, removes the binding).
pub struct Binding {
    session: Session<GlobalShortcuts>,
    listener: tauri::async_runtime::JoinHandle<()>,
    /// What the desktop says the trigger is ("Ctrl+Shift+U", or its own words).
    pub trigger: String,
}

impl Binding {
    pub async fn close(self) {
        self.listener.abort();
        let _ = self.session.close().await;
    }
}

fn missing(e: impl std::fmt::Display) -> Failure {
    Failure::Missing(msg!(
        "the desktop offers no global shortcuts portal (org.freedesktop.portal.GlobalShortcuts): {e}"
    ))
}

/// Bind `trigger` (the portal's syntax, see `pixdrop_core::shortcut::portal_trigger`) as
/// Pixdrop's shortcut; each activation uploads the clipboard.
pub async fn bind<R: Runtime>(
    app: AppHandle<R>,
    description: &str,
    trigger: Option<&str>,
) -> Result<Binding, Failure> {
    let portal = GlobalShortcuts::new().await.map_err(missing)?;
    let session = portal
        .create_session(CreateSessionOptions::default())
        .await
        .map_err(missing)?;
    // Listen before binding: an activation right after the bind is not lost.
    let activated = portal.receive_activated().await.map_err(missing)?;
    let shortcut = NewShortcut::new(SHORTCUT_ID, description).preferred_trigger(trigger);
    let request = portal
        .bind_shortcuts(&session, &[shortcut], None, BindShortcutsOptions::default())
        .await
        .map_err(missing)?;
    let bound = match request.response() {
        Ok(r) => r,
        Err(ashpd::Error::Response(ResponseError::Cancelled)) => {
            let _ = session.close().await;
            return Err(Failure::Refused(msg!(
                "the desktop's shortcut dialog was cancelled, so no shortcut is bound"
            )));
        }
        Err(e) => {
            let _ = session.close().await;
            return Err(Failure::Refused(msg!(
                "the desktop did not bind the shortcut: {e}"
            )));
        }
    };
    let Some(ours) = bound.shortcuts().iter().find(|s| s.id() == SHORTCUT_ID) else {
        let _ = session.close().await;
        return Err(Failure::Refused(msg!(
            "the desktop bound no shortcut for Pixdrop (it can be set in the desktop's keyboard settings)"
        )));
    };
    let trigger = shown_trigger(ours);
    let listener = tauri::async_runtime::spawn(async move {
        let _portal = portal;
        let mut activated = std::pin::pin!(activated);
        while let Some(a) = activated.next().await {
            // One session at a time: a rebinding aborts this listener before the next starts.
            if a.shortcut_id() == SHORTCUT_ID {
                uploads::clipboard_or_notify(&app, Source::Shortcut);
            }
        }
    });
    Ok(Binding {
        session,
        listener,
        trigger,
    })
}

fn shown_trigger(s: &Shortcut) -> String {
    let t = s.trigger_description().trim();
    if t.is_empty() {
        "a shortcut chosen in the desktop's settings".to_string()
    } else {
        t.to_string()
    }
}
