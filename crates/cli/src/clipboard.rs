//! Putting links on the system clipboard, for `--copy` (reading it for `--clipboard` is
//! pixdrop-clipboard's, shared with the app).
//!
//! On X11 the clipboard's content lives in the process that owns it, so a command that exits
//! would take its copy with it. As xclip does, `--copy` hands the text to a small background
//! copy of `pixdrop` that owns the selection until something else is copied, and returns only
//! once that copy owns it.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

use pixdrop_core::{Error, Result};

fn unavailable(e: impl std::fmt::Display) -> Error {
    Error::Input(format!("cannot use the clipboard: {e}"))
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
