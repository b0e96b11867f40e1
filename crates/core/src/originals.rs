//! A local copy of what each upload sent (setting `keep_originals`, off by default): the exact
//! bytes, one file per SHA-256 in the data folder (so duplicates and mirrors share one), written
//! atomically after the link is out, within a size cap (`originals_cap_mb`): the least recently
//! uploaded go first (a file's modification time is its last upload). With it, an image whose
//! every host died can still be moved (`links::moving` looks here first).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use sha2::{Digest, Sha256};

use crate::capped::CappedDir;
use crate::error::{Error, Result};
use crate::fsutil::write_atomic;
use crate::msg;
use crate::pending::Pending;

/// Only a SHA-256 in lowercase hex names a copy.
fn is_sha256(name: &str) -> bool {
    name.len() == 64
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub struct Originals {
    files: CappedDir,
    pending: Pending,
    /// One write at a time: two uploads of the same bytes in a batch keep one copy, and never
    /// share a temporary file.
    writing: std::sync::Mutex<()>,
}

impl Originals {
    pub fn new(dir: PathBuf) -> Self {
        Originals {
            files: CappedDir::new(dir, is_sha256),
            pending: Pending::default(),
            writing: std::sync::Mutex::new(()),
        }
    }

    /// Where the copy of `sha256` lives: only a SHA-256 in lowercase hex names a file.
    fn path(&self, sha256: &str) -> Option<PathBuf> {
        is_sha256(sha256).then(|| self.files.dir().join(&sha256[..2]).join(sha256))
    }

    /// Keep `bytes` (whose SHA-256 is `sha256`) on a blocking thread, and return at once: the
    /// caller gives the link out meanwhile. A failure is no reason to fail the upload.
    pub fn keep_later(self: &Arc<Self>, sha256: String, bytes: Bytes, cap: u64) {
        self.pending.start();
        let originals = self.clone();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = originals.keep(&sha256, &bytes, cap) {
                eprintln!("pixdrop: the local copy of an upload was not kept: {e}");
            }
            originals.pending.finish();
        });
    }

    /// Keep `bytes` under `sha256` (already there: marked as uploaded now), then evict the least
    /// recently uploaded until the copies fit in `cap` bytes.
    pub fn keep(&self, sha256: &str, bytes: &[u8], cap: u64) -> Result<()> {
        let path = self
            .path(sha256)
            .ok_or_else(|| Error::Internal(msg!("{sha256} is not a SHA-256")))?;
        let _one = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        let present = std::fs::metadata(&path).is_ok_and(|m| m.len() == bytes.len() as u64);
        if present {
            let _ = std::fs::File::options()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_modified(SystemTime::now()));
        } else {
            let replaced = std::fs::metadata(&path).map_or(0, |m| m.len());
            self.files.total();
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| Error::io(msg!("creating {dir}", dir = dir.display()), e))?;
            }
            write_atomic(&path, bytes)?;
            self.files
                .counted(|t| t.saturating_sub(replaced) + bytes.len() as u64);
        }
        if self.total() > cap {
            self.evict(cap);
        }
        Ok(())
    }

    /// The bytes kept for `sha256`, when they are there and whole (a copy that does not hash to
    /// its name is removed, never given).
    pub fn get(&self, sha256: &str) -> Option<Bytes> {
        let path = self.path(sha256)?;
        let bytes = std::fs::read(&path).ok()?;
        if hex::encode(Sha256::digest(&bytes)) == sha256 {
            Some(Bytes::from(bytes))
        } else {
            let _ = std::fs::remove_file(&path);
            self.files.recount();
            None
        }
    }

    /// Bytes kept (counted once, then kept up to date).
    pub fn total(&self) -> u64 {
        self.files.total()
    }

    /// Remove the least recently uploaded copies until the rest hold at most 90% of `cap`
    /// (so each upload after the cap is reached does not walk the folder).
    pub fn evict(&self, cap: u64) {
        self.files.evict_to(cap / 10 * 9);
    }

    /// Wait until every copy [`Originals::keep_later`] started is written (the CLI, before it
    /// exits, bounded by the caller; tests).
    pub async fn settled(&self) {
        self.pending.settled().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    #[test]
    fn copies_are_kept_by_hash_shared_and_evicted_oldest_first_within_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let o = Originals::new(dir.path().join("originals"));
        let (a, b, c) = (vec![1u8; 400], vec![2u8; 400], vec![3u8; 400]);
        o.keep(&sha(&a), &a, 1000).unwrap();
        o.keep(&sha(&a), &a, 1000).unwrap();
        assert_eq!(o.total(), 400, "the same bytes twice: one copy");
        o.keep(&sha(&b), &b, 1000).unwrap();
        // `a` uploaded again: now the most recent; `b` is the oldest.
        let old = SystemTime::now() - std::time::Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(o.path(&sha(&b)).unwrap())
            .unwrap()
            .set_modified(old)
            .unwrap();
        o.keep(&sha(&c), &c, 1000).unwrap();
        assert_eq!(o.total(), 800);
        assert!(
            o.get(&sha(&b)).is_none(),
            "the least recently uploaded went"
        );
        assert_eq!(o.get(&sha(&a)).as_deref(), Some(&a[..]));
        assert_eq!(o.get(&sha(&c)).as_deref(), Some(&c[..]));
        // A copy that is not what its name says is never given, and goes.
        std::fs::write(o.path(&sha(&a)).unwrap(), b"damaged").unwrap();
        assert!(o.get(&sha(&a)).is_none());
        assert!(!o.path(&sha(&a)).unwrap().exists());
        assert_eq!(o.total(), 400);
        // Only a hash names a file.
        assert!(o.keep("../../etc/passwd", b"x", 1000).is_err());
        assert!(o.get("../x").is_none());
    }
}
