//! Config names for shell completion, read from the config when Tab is pressed.

use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};

/// Completes a config name from the config file, read when Tab is pressed (`--data-dir` on the
/// line is followed; nothing is asked of the keyring).
pub(crate) fn names() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &std::ffi::OsStr| {
        let current = current.to_string_lossy();
        config_names()
            .into_iter()
            .filter(|n| n.starts_with(current.as_ref()))
            .map(CompletionCandidate::new)
            .collect::<Vec<_>>()
    })
}

/// Config names for completion: from the data folder a `--data-dir` on the line names, else
/// the usual one; none when it cannot be read (completion never prints an error).
pub fn config_names() -> Vec<String> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let dir = args
        .iter()
        .position(|a| a == "--data-dir")
        .and_then(|i| args.get(i + 1))
        .map(std::path::PathBuf::from);
    pixdrop_core::Paths::resolve(dir.as_deref())
        .map(|p| pixdrop_core::ConfigStore::new(p.config_file()))
        .and_then(|c| c.names())
        .unwrap_or_default()
}
