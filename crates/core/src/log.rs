//! A small append-only log in the data folder (`logs/pixdrop.log`), rotated at 2 MB.

use std::io::Write;

use crate::paths::Paths;

const MAX_LOG: u64 = 2 * 1024 * 1024;

/// Append one line. Logging never fails the caller.
pub fn append(paths: &Paths, line: &str) {
    let dir = paths.log_dir();
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let file = dir.join("pixdrop.log");
    if std::fs::metadata(&file)
        .map(|m| m.len() > MAX_LOG)
        .unwrap_or(false)
    {
        let _ = std::fs::rename(&file, dir.join("pixdrop.log.1"));
    }
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&file)
    {
        let _ = writeln!(
            f,
            "{} {line}",
            chrono::Local::now().format("%Y-%m-%d %H:%M:%S%.3f")
        );
    }
}
