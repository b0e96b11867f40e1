//! What the shell needs from `pixdrop`: completion code (commands, options, and config names read
//! from the config when Tab is pressed, through clap_complete's completion engine) and the manual
//! page, both made from the same definitions as the parser.

use pixdrop_core::msg;
use std::io::Write;

use clap::CommandFactory;
use clap_complete::env::Shells;

use crate::cli::{Cli, CompletionShell};
use crate::Failure;

/// The variable the completion code sets when it asks `pixdrop` for candidates.
pub const COMPLETE_VAR: &str = "COMPLETE";

/// Answer a completion request (when `COMPLETE` is set, by the code `completions` prints) and
/// exit; otherwise return at once.
pub fn complete_if_asked() {
    clap_complete::CompleteEnv::with_factory(Cli::command)
        .var(COMPLETE_VAR)
        .complete();
}

/// The shell code that registers completion for `pixdrop` (found on PATH when Tab is pressed).
pub fn completions(shell: CompletionShell) -> Result<(), Failure> {
    let shells = Shells::builtins();
    let completer = shells
        .completer(shell.name())
        .ok_or_else(|| Failure::Usage(format!("no completion for {}", shell.name())))?;
    let mut out = std::io::stdout().lock();
    completer
        .write_registration(COMPLETE_VAR, "pixdrop", "pixdrop", "pixdrop", &mut out)
        .and_then(|()| out.flush())
        .map_err(|e| pixdrop_core::Error::io(msg!("writing the completion code"), e).into())
}

/// The manual page, `pixdrop.1`, in roff.
pub fn man() -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .and_then(|()| out.flush())
        .map_err(|e| pixdrop_core::Error::io(msg!("writing the manual page"), e).into())
}
