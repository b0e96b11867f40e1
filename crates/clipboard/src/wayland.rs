//! Reading the Wayland clipboard through the data-control protocol (wlroots compositors such as
//! sway and Hyprland, KDE Plasma), which lets a program that has no window read it: what is
//! offered is listed first, then only an offered type is asked for.

use pixdrop_core::{msg, Msg};
use std::io::Read;
use std::sync::mpsc;
use std::time::Duration;

use pixdrop_core::{Error, Result};
use wl_clipboard_rs::paste::{self, ClipboardType, MimeType, Seat};

use crate::{unavailable, Targets, MAX_BYTES};

/// How long the program that copied may take to hand its content over.
const WAIT: Duration = Duration::from_secs(10);

pub struct Clipboard {
    offered: Vec<String>,
}

/// What to say when the compositor keeps its clipboard to focused windows (GNOME's Mutter has
/// no data-control protocol).
pub fn no_data_control() -> Msg {
    msg!("this desktop does not let programs read the clipboard from the background (its Wayland compositor offers no data-control protocol, as GNOME's does not); paste into Pixdrop's window with Ctrl+V instead")
}

impl Clipboard {
    /// `None` when there is no Wayland display, or when the compositor has no data-control
    /// protocol and an X display (XWayland) can be asked instead.
    pub fn open() -> Option<Result<Clipboard>> {
        std::env::var_os("WAYLAND_DISPLAY").filter(|d| !d.is_empty())?;
        match paste::get_mime_types_ordered(ClipboardType::Regular, Seat::Unspecified) {
            Ok(offered) => Some(Ok(Clipboard { offered })),
            Err(paste::Error::ClipboardEmpty | paste::Error::NoSeats) => Some(Ok(Clipboard {
                offered: Vec::new(),
            })),
            Err(paste::Error::MissingProtocol { .. }) => {
                if std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty()) {
                    None
                } else {
                    Some(Err(Error::Input(msg!(
                        "cannot read the clipboard: {why}",
                        why = no_data_control()
                    ))))
                }
            }
            Err(e) => Some(Err(unavailable(e))),
        }
    }
}

impl Targets for Clipboard {
    fn offered(&self) -> &[String] {
        &self.offered
    }

    fn read_named(&mut self, target: &str) -> Result<Option<Vec<u8>>> {
        let (pipe, _) = match paste::get_contents(
            ClipboardType::Regular,
            Seat::Unspecified,
            MimeType::Specific(target),
        ) {
            Ok(got) => got,
            // Taken back, or replaced by something else, since it was listed.
            Err(paste::Error::ClipboardEmpty | paste::Error::NoMimeType) => return Ok(None),
            Err(e) => return Err(unavailable(e)),
        };
        // The owner writes into the pipe and closes it; one that never does must not hang us.
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let read = pipe
                .take(MAX_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
                .map(|_| bytes);
            let _ = tx.send(read);
        });
        let bytes = match rx.recv_timeout(WAIT) {
            Ok(read) => read.map_err(unavailable)?,
            Err(_) => {
                return Err(unavailable(format!(
                    "the program that copied did not hand over its {target} within {} s",
                    WAIT.as_secs()
                )))
            }
        };
        if bytes.len() > MAX_BYTES {
            return Err(Error::Input(msg!(
                "the clipboard's content is larger than {} MB",
                MAX_BYTES >> 20
            )));
        }
        Ok(Some(bytes))
    }
}
