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

/// Keep a record of panics in the log as well as on standard error: the app has no terminal
/// its users see, and a panic on the window's thread ends the app (the event loop cannot
/// unwind), so the log is where "it closed by itself" gets its cause. The previous hook still
/// runs. The message is cut at 500 characters.
pub fn keep_panics(paths: &Paths) {
    let paths = paths.clone();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        // One line in the log: an assertion's message spans several.
        let message: String = message
            .chars()
            .take(500)
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let thread = std::thread::current();
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        append(
            &paths,
            &format!(
                "panic in thread {} at {place}: {message}",
                thread.name().unwrap_or("unnamed")
            ),
        );
        previous(info);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_kept_in_the_log_with_its_place() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::in_dir(dir.path());
        keep_panics(&paths);
        let joined = std::thread::Builder::new()
            .name("uploader".into())
            .spawn(|| panic!("the host said {}\nat all", "nothing"))
            .unwrap()
            .join();
        assert!(joined.is_err());
        let log = std::fs::read_to_string(paths.log_dir().join("pixdrop.log")).unwrap();
        assert!(
            log.contains("panic in thread uploader at crates/core/src/log.rs:"),
            "{log}"
        );
        assert!(log.contains(": the host said nothing at all\n"), "{log}");
        // The test binary's later panics go to the default hook again, not to this folder.
        let _ = std::panic::take_hook();
    }
}
