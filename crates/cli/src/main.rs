//! `pixdrop`: the command line over Pixdrop's engine. Exit codes: 0 all went well, 1 something
//! failed (the rest was still done), 2 the command line itself is wrong.

mod batch;
mod cli;
mod clipboard;
mod commands;
mod links;
mod names;
mod output;
mod picgo;
mod progress;
mod shell;
mod sync;
mod url_rewrite;

use std::process::ExitCode;

use clap::Parser;

/// How a command ended, beyond success.
pub enum Failure {
    /// The command line is wrong (exit 2).
    Usage(String),
    /// The work failed (exit 1); the message is printed.
    Error(pixdrop_core::Error),
    /// Some items failed; their errors were already printed (exit 1).
    Partial,
}

impl From<pixdrop_core::Error> for Failure {
    fn from(e: pixdrop_core::Error) -> Self {
        Failure::Error(e)
    }
}

fn main() -> ExitCode {
    // A Tab in a shell with pixdrop's completion: answer and exit.
    shell::complete_if_asked();
    // Started as `picgo` (a link to this program): `picgo upload …` is `pixdrop picgo upload …`.
    let mut argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if argv.first().is_some_and(|a| picgo::invoked_as_picgo(a)) {
        argv.insert(1, "picgo".into());
    }
    let args = cli::Cli::parse_from(argv);
    if matches!(args.command, cli::Command::ServeClipboard) {
        return clipboard::serve();
    }
    // What only prints ends quietly when its reader stops reading (`pixdrop album list | head`),
    // as other Unix tools do, instead of a panic; commands that talk to other programs over
    // pipes keep Rust's default (the write fails, and is said).
    #[cfg(unix)]
    if matches!(
        args.command,
        cli::Command::Album(_)
            | cli::Command::Hosts(_)
            | cli::Command::Settings(_)
            | cli::Command::Completions { .. }
    ) {
        // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("pixdrop: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(commands::run(args));
    // Work left on blocking threads (a thumbnail past its wait) is not waited for.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            eprintln!("pixdrop: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Error(e)) => {
            eprintln!("pixdrop: {e}");
            ExitCode::FAILURE
        }
        Err(Failure::Partial) => ExitCode::FAILURE,
    }
}
