//! Reading the clipboard through the app's own window (GTK's clipboard, on the main thread).
//! GNOME's Wayland compositor lets only the focused window read the clipboard (it offers no
//! data-control protocol); when Pixdrop's window is the one asking (its Upload clipboard button,
//! Ctrl+V) it reads it this way, by the same rules as everywhere else.

use pixdrop_core::msg;
use std::time::Duration;

use gtk::gdk;
use pixdrop_clipboard::Targets;
use pixdrop_core::{Error, Result};
use tauri::{AppHandle, Runtime};

/// What the clipboard holds to upload, read for the window (its button, Ctrl+V): as everywhere
/// else, and through the window itself where the desktop allows only that.
pub fn inputs<R: Runtime>(app: &AppHandle<R>) -> Result<Vec<pixdrop_core::Input>> {
    let read = if crate::test_hooks::window_clipboard() {
        Err(Error::Input(pixdrop_clipboard::no_data_control()))
    } else {
        pixdrop_clipboard::inputs()
    };
    match read {
        Err(e) if pixdrop_clipboard::needs_window(&e) => {
            pixdrop_clipboard::inputs_from_targets(&mut WindowClipboard::open(app)?)
        }
        other => other,
    }
}

/// How long the program that copied may take to answer.
const WAIT: Duration = Duration::from_secs(15);

pub struct WindowClipboard<R: Runtime> {
    app: AppHandle<R>,
    offered: Vec<String>,
}

fn unavailable(e: impl std::fmt::Display) -> Error {
    Error::Input(msg!("cannot read the clipboard through the window: {e}"))
}

/// Run `f` on the main thread (GTK's) and wait for its result.
fn on_main<R: Runtime, T: Send + 'static>(
    app: &AppHandle<R>,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    let (tx, rx) = std::sync::mpsc::channel();
    app.run_on_main_thread(move || {
        let _ = tx.send(f());
    })
    .map_err(unavailable)?;
    rx.recv_timeout(WAIT)
        .map_err(|_| unavailable("the program that copied did not answer"))
}

fn clipboard() -> gtk::Clipboard {
    gtk::Clipboard::get(&gdk::SELECTION_CLIPBOARD)
}

impl<R: Runtime> WindowClipboard<R> {
    pub fn open(app: &AppHandle<R>) -> Result<Self> {
        let offered = on_main(app, || {
            clipboard()
                .wait_for_targets()
                .unwrap_or_default()
                .iter()
                .map(|a| a.name().to_string())
                .collect::<Vec<_>>()
        })?;
        Ok(WindowClipboard {
            app: app.clone(),
            offered,
        })
    }
}

impl<R: Runtime> Targets for WindowClipboard<R> {
    fn offered(&self) -> &[String] {
        &self.offered
    }

    fn read_named(&mut self, target: &str) -> Result<Option<Vec<u8>>> {
        let target = target.to_string();
        on_main(&self.app, move || {
            clipboard()
                .wait_for_contents(&gdk::Atom::intern(&target))
                .map(|d| d.data())
                .filter(|d| !d.is_empty())
        })
    }
}
