//! A folder of files kept within a size cap (the thumbnail cache, the local copies of what was
//! sent): files in two-letter subfolders, their total counted once and then kept up to date,
//! the oldest by modification time removed first.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

pub struct CappedDir {
    dir: PathBuf,
    /// Which file names are the folder's (others, such as temporary files, are not counted).
    named: fn(&str) -> bool,
    /// Bytes in the folder, once counted.
    total: Mutex<Option<u64>>,
}

impl CappedDir {
    pub fn new(dir: PathBuf, named: fn(&str) -> bool) -> Self {
        CappedDir {
            dir,
            named,
            total: Mutex::new(None),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Bytes in the folder (counted once, then kept up to date).
    pub fn total(&self) -> u64 {
        self.counted(|t| t)
    }

    /// Change the total by `f` (a file written or removed), counting it first if need be.
    pub fn counted(&self, f: impl FnOnce(u64) -> u64) -> u64 {
        let mut total = self.total.lock().unwrap_or_else(|p| p.into_inner());
        let now = f(total.unwrap_or_else(|| self.files().iter().map(|f| f.1).sum()));
        *total = Some(now);
        now
    }

    /// Count again when next asked (a file went another way).
    pub fn recount(&self) {
        *self.total.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Every file: path, size, modification time.
    fn files(&self) -> Vec<(PathBuf, u64, SystemTime)> {
        let mut out = Vec::new();
        let Ok(dirs) = std::fs::read_dir(&self.dir) else {
            return out;
        };
        for d in dirs.flatten() {
            let Ok(files) = std::fs::read_dir(d.path()) else {
                continue;
            };
            for f in files.flatten() {
                let Ok(meta) = f.metadata() else { continue };
                let named = f.file_name().to_str().is_some_and(self.named);
                if meta.is_file() && named {
                    let at = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                    out.push((f.path(), meta.len(), at));
                }
            }
        }
        out
    }

    /// Remove the oldest files until the rest hold at most `goal` bytes.
    pub fn evict_to(&self, goal: u64) {
        let mut files = self.files();
        let mut total: u64 = files.iter().map(|f| f.1).sum();
        files.sort_by_key(|f| f.2);
        for (path, size, _) in files {
            if total <= goal {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                total -= size;
            }
        }
        *self.total.lock().unwrap_or_else(|p| p.into_inner()) = Some(total);
    }
}
