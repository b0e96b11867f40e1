//! `pixdrop sync`: the album shared between computers through the user's own storage.

use std::io::{BufRead, IsTerminal, Write};

use clap::Subcommand;
use pixdrop_core::msg;
use pixdrop_core::sync::service;
use pixdrop_core::Engine;
use serde_json::json;

use crate::Failure;

/// Where the passphrase comes from when no terminal can be asked.
const PASSPHRASE_ENV: &str = "PIXDROP_SYNC_PASSPHRASE";

#[derive(Debug, Subcommand)]
pub enum SyncCmd {
    /// Sync through the storage config NAME; joins the sync already in its folder, else starts
    /// one. The passphrase comes from PIXDROP_SYNC_PASSPHRASE, else a prompt (never echoed);
    /// this computer keeps it like a secret.
    Setup {
        #[arg(add = crate::names::names())]
        name: String,
        /// The sync's folder in that storage (default: pixdrop-sync).
        #[arg(long, value_name = "P")]
        path: Option<String>,
    },
    /// Send this computer's changes and merge the others'; prints what changed.
    Now {
        /// Print {sent, received: {configs, settings, records, deleted}, machines}.
        #[arg(long)]
        json: bool,
    },
    /// Where sync stands: its place, the machines seen, the last sync, pending changes.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Stop syncing on this computer (nothing is deleted on the storage; the album stays).
    Off,
    /// Change the sync's passphrase (everything is sealed anew under it; the other computers
    /// are then asked for it), or give the new one after it was changed on another computer.
    /// From PIXDROP_SYNC_PASSPHRASE, else a prompt (twice, never echoed).
    Passphrase,
}

pub async fn run(engine: &Engine, cmd: SyncCmd) -> Result<(), Failure> {
    match cmd {
        SyncCmd::Setup { name, path } => {
            let passphrase = passphrase()?;
            let started = service::setup(engine, &name, path.as_deref(), &passphrase).await?;
            let status = service::status(engine, false).await?;
            println!(
                "{}",
                if started {
                    msg!("started a new sync in {folder} of {name}; run `pixdrop sync now` here, then set up your other computers with the same passphrase", folder = status.path, name = name.clone())
                } else {
                    msg!("joined the sync in {folder} of {name}; run `pixdrop sync now` to bring the album here", folder = status.path, name = name.clone())
                }
            );
            Ok(())
        }
        SyncCmd::Now { json } => {
            let r = service::now(engine).await?;
            for refused in &r.refused {
                eprintln!("pixdrop: {refused}");
            }
            if json {
                crate::output::print_json(&json!({
                    "sent": r.sent,
                    "received": {
                        "configs": r.received.configs,
                        "settings": r.received.settings,
                        "records": r.received.records,
                        "deleted": r.received.deleted,
                    },
                    "machines": r.machines,
                }));
            } else {
                println!(
                    "{}",
                    msg!(
                        "changes sent: {sent}; configs received: {configs}; settings received: {settings}; records received: {records}; deletions received: {deleted}; computers in this sync: {machines}",
                        sent = r.sent,
                        configs = r.received.configs,
                        settings = r.received.settings,
                        records = r.received.records,
                        deleted = r.received.deleted,
                        machines = r.machines
                    )
                );
            }
            if r.refused.is_empty() {
                Ok(())
            } else {
                Err(Failure::Partial)
            }
        }
        SyncCmd::Status { json } => {
            let s = service::status(engine, true).await?;
            if json {
                crate::output::print_json(&serde_json::to_value(&s).unwrap_or_default());
            } else if s.config.is_empty() {
                println!(
                    "{}",
                    msg!("sync is off on this computer (pixdrop sync setup NAME)")
                );
            } else {
                let last = s
                    .last_sync
                    .map_or_else(|| "never".to_string(), crate::output::date);
                println!(
                    "{}",
                    msg!(
                        "syncing through {folder} of {name}; computers: {machines}; last sync: {last}; changes to send: {pending}",
                        folder = s.path,
                        name = s.config,
                        machines = s.machines.unwrap_or(0),
                        last = last,
                        pending = s.pending
                    )
                );
            }
            Ok(())
        }
        SyncCmd::Passphrase => {
            let new = new_passphrase()?;
            let changed_here = service::passphrase(engine, &new).await?;
            println!(
                "{}",
                if changed_here {
                    msg!("the sync's passphrase is changed and everything is sealed anew under it; on your other computers, run pixdrop sync passphrase with the new one")
                } else {
                    msg!("this computer now uses the sync's new passphrase, and has sent what it knows again")
                }
            );
            Ok(())
        }
        SyncCmd::Off => {
            service::off(engine)?;
            println!(
                "{}",
                msg!("sync is off on this computer; nothing was deleted on the storage")
            );
            Ok(())
        }
    }
}

/// The passphrase: from PIXDROP_SYNC_PASSPHRASE, else asked on the terminal without echo.
fn passphrase() -> Result<String, Failure> {
    if let Ok(p) = std::env::var(PASSPHRASE_ENV) {
        if p.is_empty() {
            return Err(Failure::Usage(format!(
                "{PASSPHRASE_ENV} is empty: put the passphrase in it, or unset it to be asked"
            )));
        }
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(format!(
            "no terminal to ask the sync passphrase on: set {PASSPHRASE_ENV}"
        )));
    }
    ask(&msg!("Sync passphrase: ").to_string())
}

/// Ask on the terminal, and read the answer without echo.
fn ask(prompt: &str) -> Result<String, Failure> {
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let line = without_echo(|| {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map(|_| line)
    })
    .map_err(|e| Failure::Usage(format!("cannot read the passphrase: {e}")))?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// A new passphrase: from PIXDROP_SYNC_PASSPHRASE, else asked twice on the terminal.
fn new_passphrase() -> Result<String, Failure> {
    if std::env::var_os(PASSPHRASE_ENV).is_some() {
        return passphrase();
    }
    let first = passphrase()?;
    if ask(&msg!("Again: ").to_string())? != first {
        return Err(Failure::Usage(
            msg!("the two passphrases differ; nothing was changed").to_string(),
        ));
    }
    Ok(first)
}

/// Run `read` with the terminal's echo off, put back after.
#[cfg(unix)]
fn without_echo<T>(read: impl FnOnce() -> std::io::Result<T>) -> std::io::Result<T> {
    // SAFETY: tcgetattr/tcsetattr on stdin with a zeroed termios they fill in.
    unsafe {
        let mut term: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(libc::STDIN_FILENO, &mut term) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let before = term;
        term.c_lflag &= !libc::ECHO;
        term.c_lflag |= libc::ECHONL;
        if libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &term) != 0 {
            // Never read a passphrase that would show.
            return Err(std::io::Error::last_os_error());
        }
        let out = read();
        libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &before);
        out
    }
}

#[cfg(not(unix))]
fn without_echo<T>(_read: impl FnOnce() -> std::io::Result<T>) -> std::io::Result<T> {
    Err(std::io::Error::other(format!(
        "this terminal cannot hide what is typed; set {PASSPHRASE_ENV}"
    )))
}
