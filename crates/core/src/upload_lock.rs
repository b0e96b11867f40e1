//! Uploads of the same bytes wait for each other across processes. The app, every `pixdrop`
//! command and the local server share one album, and each checks it for a duplicate before
//! sending; without a lock held from that check to the record's commit, four processes given the
//! same file at once would each find nothing and store four copies.
//!
//! The lock is an advisory file lock (`flock` on Unix, `LockFileEx` on Windows, through std) on
//! one of 256 small files in the data folder, chosen by the content hash's first byte: released
//! by the kernel when its holder exits or is killed, so a crash never leaves one behind. Two
//! different files that share a slot only wait for each other.

use crate::msg;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The lock files' folder.
pub struct UploadLocks {
    dir: PathBuf,
}

/// Held while one content hash is checked, uploaded and recorded; released when dropped.
#[must_use]
pub struct UploadLock {
    _file: File,
}

impl UploadLocks {
    pub fn new(dir: PathBuf) -> Self {
        UploadLocks { dir }
    }

    fn slot(&self, sha256: &str) -> PathBuf {
        let byte: String = sha256
            .chars()
            .filter(char::is_ascii_hexdigit)
            .take(2)
            .collect::<String>()
            .to_ascii_lowercase();
        self.dir.join(format!("upload-{byte:0>2}.lock"))
    }

    /// Wait (on a blocking thread) until no other upload of `sha256`'s slot, in this process or
    /// another, holds it.
    pub async fn lock(&self, sha256: &str) -> Result<UploadLock> {
        let path = self.slot(sha256);
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || lock_file(&dir, &path))
            .await
            .map_err(|e| Error::Storage(msg!("waiting for another upload failed: {e}")))?
    }
}

fn lock_file(dir: &Path, path: &Path) -> Result<UploadLock> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(msg!("creating {}", dir.display()), e))?;
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| Error::io(msg!("opening {}", path.display()), e))?;
    file.lock()
        .map_err(|e| Error::io(msg!("locking {}", path.display()), e))?;
    Ok(UploadLock { _file: file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_holder_waits_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let locks = UploadLocks::new(dir.path().join("locks"));
        let first = locks.lock("ab12").await.unwrap();
        // Another open file description: as another process would have.
        let path = locks.slot("AB99");
        let other = File::options().write(true).open(&path).unwrap();
        assert!(matches!(
            other.try_lock(),
            Err(std::fs::TryLockError::WouldBlock)
        ));
        drop(first);
        other.try_lock().unwrap();
        assert_eq!(path.file_name().unwrap(), "upload-ab.lock");
    }
}
