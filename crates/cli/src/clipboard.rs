//! Putting links on the system clipboard, for `--copy` (reading it for `--clipboard` is
//! pixdrop-clipboard's, shared with the app).
//!
//! On X11 the clipboard's content lives in the process that owns it, so a command that exits
//! would take its copy with it. As xclip does, `--copy` hands the text to a small background
//! copy of `pixdrop` that owns the selection until something else is copied, and returns only
//! once that copy owns it.

use pixdrop_core::msg;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

use pixdrop_core::{Error, Result};

fn unavailable(e: impl std::fmt::Display) -> Error {
    Error::Input(msg!("cannot use the clipboard: {e}"))
}

/// Put `text` on the clipboard so that it stays there after this process exits.
pub fn copy_text(text: &str) -> Result<()> {
    pixdrop_clipboard::check_display()?;
    if !cfg!(target_os = "linux") {
        return arboard::Clipboard::new()
            .and_then(|mut c| c.set_text(text))
            .map_err(unavailable);
    }
    let exe = std::env::current_exe().map_err(unavailable)?;
    let mut cmd = Command::new(exe);
    cmd.arg("__serve-clipboard")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .current_dir("/");
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let mut child = cmd.spawn().map_err(unavailable)?;
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(text.as_bytes())
        .map_err(unavailable)?;
    // The child says "ready" once it owns the selection, or exits with the reason.
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut line)
        .map_err(unavailable)?;
    if line.trim() == "ready" {
        return Ok(());
    }
    let mut why = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut why);
    }
    let _ = child.wait();
    Err(unavailable(if why.trim().is_empty() {
        "the clipboard helper stopped".to_string()
    } else {
        why.trim().to_string()
    }))
}

/// The background side of [`copy_text`]: read the text, own the selection, say "ready", and
/// serve it until another program takes the clipboard.
pub fn serve() -> std::process::ExitCode {
    let mut text = String::new();
    if std::io::stdin().read_to_string(&mut text).is_err() {
        return std::process::ExitCode::FAILURE;
    }
    #[cfg(target_os = "linux")]
    if let Some(code) = wayland::serve(&text) {
        return code;
    }
    let mut cb = match arboard::Clipboard::new() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    if let Err(e) = cb.set_text(text.clone()) {
        eprintln!("{e}");
        return std::process::ExitCode::FAILURE;
    }
    println!("ready");
    let _ = std::io::stdout().flush();
    #[cfg(target_os = "linux")]
    {
        use arboard::SetExtLinux;
        let _ = cb.set().wait().text(text);
    }
    std::process::ExitCode::SUCCESS
}

/// On Wayland (with the data-control protocol) the text is offered once and served from this
/// process; "ready" is said only once the clipboard gives it back, so a paste right after the
/// command returns finds it (two offers in a row, as arboard makes, leave a moment where the
/// first is already withdrawn).
#[cfg(target_os = "linux")]
mod wayland {
    use std::io::{Read, Write};
    use std::process::ExitCode;
    use std::time::{Duration, Instant};

    use wl_clipboard_rs::copy::{self, MimeType, Options, Source};
    use wl_clipboard_rs::paste::{self, ClipboardType, Seat};

    /// `None` when this is not a Wayland session with data-control (the caller uses arboard).
    pub fn serve(text: &str) -> Option<ExitCode> {
        std::env::var_os("WAYLAND_DISPLAY").filter(|d| !d.is_empty())?;
        let mut opts = Options::new();
        opts.foreground(true);
        let prepared = match opts.prepare_copy(
            Source::Bytes(text.as_bytes().to_vec().into_boxed_slice()),
            MimeType::Text,
        ) {
            Ok(p) => p,
            Err(copy::Error::MissingProtocol { .. }) => return None,
            Err(e) => {
                eprintln!("{e}");
                return Some(ExitCode::FAILURE);
            }
        };
        let wanted = text.to_string();
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                let got = paste::get_contents(
                    ClipboardType::Regular,
                    Seat::Unspecified,
                    paste::MimeType::Text,
                )
                .ok()
                .and_then(|(mut pipe, _)| {
                    let mut s = String::new();
                    pipe.read_to_string(&mut s).ok().map(|_| s)
                });
                if got.as_deref() == Some(wanted.as_str()) {
                    println!("ready");
                    let _ = std::io::stdout().flush();
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            eprintln!("the clipboard did not take the text");
            std::process::exit(1);
        });
        // Serves until another program takes the clipboard.
        Some(match prepared.serve() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        })
    }
}
