//! The album's thumbnail cache: a small WebP per image (at most [`EDGE`] px a side), in the cache
//! folder (not the config folder: it can all go), named by the image's hash. Uploads write
//! theirs from the bytes in memory, after the link is out ([`Thumbs::make_later`]: one worker
//! thread at the lowest CPU priority, so the link never waits for a picture of it, not even
//! the next file's link in a batch); records from an import or a host sync get theirs downloaded
//! once, a few at a time. The cache has a size cap: the least recently shown go first (a file's
//! modification time is when it was last shown). A file that is not a whole WebP is removed and
//! made again, never served.

use crate::msg;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::album::Record;
use crate::capped::CappedDir;
use crate::error::{Error, Result};
use crate::pending::Pending;

/// The longest side of a thumbnail, in pixels.
pub const EDGE: u32 = 320;
/// Downloads of originals at once (for thumbnails and the Details view).
pub const AT_ONCE: usize = 3;
/// Thumbnails waiting for the worker at most; past that an upload's thumbnail is left to the
/// app's background round (made from the link), so a long batch never holds its images here.
const QUEUED_AT_MOST: usize = 64;
/// After eviction the cache holds at most this share of its cap (so each write does not evict).
const EVICT_TO: f64 = 0.9;
/// A failed download is tried again after this long, doubling each time.
const RETRY_AFTER: Duration = Duration::from_secs(600);

pub struct Thumbs {
    files: CappedDir,
    downloads: Arc<Semaphore>,
    /// Keys whose download failed: when to try again, and how many times it failed.
    failed: Mutex<HashMap<String, (Instant, u32)>>,
    /// Thumbnails started by [`Thumbs::make_later`] and not finished.
    pending: Pending,
    /// The worker that makes them (started with the first), and how many wait for it.
    worker: Mutex<Option<mpsc::Sender<Job>>>,
    queued: AtomicUsize,
}

/// A thumbnail to make: the upload's image, the file before processing if that one cannot be
/// decoded here.
struct Job {
    key: String,
    image: Bytes,
    fallback: Option<Bytes>,
    cap: u64,
}

impl Thumbs {
    pub fn new(dir: PathBuf) -> Self {
        Thumbs {
            files: CappedDir::new(dir, |name| name.ends_with(".webp")),
            downloads: Arc::new(Semaphore::new(AT_ONCE)),
            failed: Mutex::new(HashMap::new()),
            pending: Pending::default(),
            worker: Mutex::new(None),
            queued: AtomicUsize::new(0),
        }
    }

    /// Make the thumbnail of an upload's `image` (or, when that cannot be decoded here — an
    /// AVIF —, of `fallback`, the file before processing) on the thumbnail worker, and return at
    /// once: the caller gives the link out meanwhile. The worker runs at the lowest CPU priority,
    /// one thumbnail at a time, so uploads still under way (the rest of a batch, the next
    /// shortcut) take the CPU first. One that cannot be made at all (a HEIC, an image too large
    /// to decode) is no reason to fail anything: the tile shows a blank square.
    pub fn make_later(
        self: &Arc<Self>,
        key: String,
        image: Bytes,
        fallback: Option<Bytes>,
        cap: u64,
    ) {
        if self.has(&key) || self.queued.load(Ordering::SeqCst) >= QUEUED_AT_MOST {
            return;
        }
        let job = Job {
            key,
            image,
            fallback,
            cap,
        };
        let mut worker = self.worker.lock().unwrap_or_else(|e| e.into_inner());
        let sender = worker.get_or_insert_with(|| self.start_worker());
        self.pending.start();
        self.queued.fetch_add(1, Ordering::SeqCst);
        if sender.send(job).is_err() {
            // The worker is gone (it could not start): nothing waits for this one.
            self.queued.fetch_sub(1, Ordering::SeqCst);
            self.pending.finish();
            *worker = None;
        }
    }

    /// The worker thread: it holds the cache weakly, and ends when the cache is dropped.
    fn start_worker(self: &Arc<Self>) -> mpsc::Sender<Job> {
        let (tx, rx) = mpsc::channel::<Job>();
        let thumbs: Weak<Thumbs> = Arc::downgrade(self);
        let _ = std::thread::Builder::new()
            .name("pixdrop-thumbnails".into())
            .spawn(move || {
                lowest_priority();
                while let Ok(job) = rx.recv() {
                    let Some(thumbs) = thumbs.upgrade() else {
                        return;
                    };
                    // A decoder that panics on a strange file costs its thumbnail, not the
                    // worker (the tile shows a blank square).
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        let made = thumbs.put_image(&job.key, &job.image, job.cap);
                        if let (Err(_), Some(f)) = (made, job.fallback) {
                            let _ = thumbs.put_image(&job.key, &f, job.cap);
                        }
                    }));
                    thumbs.queued.fetch_sub(1, Ordering::SeqCst);
                    thumbs.pending.finish();
                }
            });
        tx
    }

    /// Wait until every thumbnail [`Thumbs::make_later`] started is written (the CLI, before it
    /// exits, bounded by the caller; tests).
    pub async fn settled(&self) {
        self.pending.settled().await;
    }

    pub fn dir(&self) -> &Path {
        self.files.dir()
    }

    /// The cache key of a record: the hash it was uploaded with, else (an imported record) the
    /// hash of its URL. Only hex digits, so it is always a safe file name.
    pub fn key(record: &Record) -> String {
        match &record.sha256 {
            Some(h) if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) => {
                h.to_ascii_lowercase()
            }
            _ => format!("u{}", hex::encode(Sha256::digest(record.url.as_bytes()))),
        }
    }

    fn path(&self, key: &str) -> PathBuf {
        self.files
            .dir()
            .join(&key[..2.min(key.len())])
            .join(format!("{key}.webp"))
    }

    /// Whether a thumbnail file is there (not checked).
    pub fn has(&self, key: &str) -> bool {
        self.path(key).is_file()
    }

    /// The thumbnail of `key`, marked as just shown; a damaged file is removed (`None`).
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        let path = self.path(key);
        let bytes = std::fs::read(&path).ok()?;
        if !whole_webp(&bytes) {
            // Counted first (a first count walks the folder), then removed and taken off.
            self.total();
            if std::fs::remove_file(&path).is_ok() {
                self.files.counted(|t| t.saturating_sub(bytes.len() as u64));
            }
            return None;
        }
        if let Ok(f) = std::fs::File::options().write(true).open(&path) {
            let _ = f.set_modified(SystemTime::now());
        }
        Some(bytes)
    }

    /// Make the thumbnail of an image and keep it under `key`, keeping the cache within
    /// `cap` bytes. Returns the thumbnail.
    pub fn put_image(&self, key: &str, image: &[u8], cap: u64) -> Result<Vec<u8>> {
        let thumb = crate::process::thumbnail(image, EDGE)?;
        self.put(key, &thumb, cap)?;
        Ok(thumb)
    }

    /// Keep a ready-made thumbnail (no cap: for seeding benchmarks).
    pub fn write_raw(&self, key: &str, thumb: &[u8]) -> Result<()> {
        self.put(key, thumb, u64::MAX)
    }

    fn put(&self, key: &str, thumb: &[u8], cap: u64) -> Result<()> {
        let path = self.path(key);
        let dir = path.parent().unwrap_or(self.files.dir());
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(msg!("creating {}", dir.display()), e))?;
        // A temporary file renamed into place: a reader never sees half a thumbnail. Not
        // synced: after a crash a damaged thumbnail is found by `get` and made again.
        let tmp = dir.join(format!(".{key}.{}.tmp", std::process::id()));
        // Counted before the write (a first count walks the folder), less what it replaces.
        let replaced = std::fs::metadata(&path).map_or(0, |m| m.len());
        self.total();
        std::fs::write(&tmp, thumb)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                Error::io(msg!("writing {}", path.display()), e)
            })?;
        self.failed_lock().remove(key);
        let total = self
            .files
            .counted(|t| t.saturating_sub(replaced) + thumb.len() as u64);
        if total > cap {
            self.evict(cap);
        }
        Ok(())
    }

    /// Bytes in the cache (counted once, then kept up to date).
    pub fn total(&self) -> u64 {
        self.files.total()
    }

    /// Remove the least recently shown thumbnails until the cache holds at most 90% of `cap`.
    pub fn evict(&self, cap: u64) {
        self.files.evict_to((cap as f64 * EVICT_TO) as u64);
    }

    fn failed_lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, u32)>> {
        self.failed.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether a download for `key` failed recently enough not to try again yet.
    pub fn resting(&self, key: &str) -> bool {
        self.failed_lock()
            .get(key)
            .is_some_and(|(again, _)| Instant::now() < *again)
    }

    /// Note a failed download: tried again after 10 min, then 20, 40 … (at most a day).
    pub fn note_failure(&self, key: &str) {
        let mut failed = self.failed_lock();
        let n = failed.get(key).map_or(0, |f| f.1) + 1;
        let wait = RETRY_AFTER
            .saturating_mul(1 << (n - 1).min(7))
            .min(Duration::from_secs(86_400));
        failed.insert(key.to_string(), (Instant::now() + wait, n));
    }

    /// A permit to download an original (a few at a time).
    pub async fn download_slot(&self) -> tokio::sync::OwnedSemaphorePermit {
        self.downloads
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed")
    }
}

/// A RIFF/WEBP file whose length is what its header says, with a picture size.
/// Lower the calling thread's CPU priority as far as it goes (nice 19: on Linux a thread has its
/// own). Work here then only takes CPU time nothing else wants.
fn lowest_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls on the calling thread's own id; a refusal changes nothing.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 19);
    }
}

fn whole_webp(b: &[u8]) -> bool {
    b.len() >= 20
        && &b[..4] == b"RIFF"
        && &b[8..12] == b"WEBP"
        && u32::from_le_bytes([b[4], b[5], b[6], b[7]]) as usize + 8 == b.len()
        && crate::image::dimensions(b).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(seed: u8, w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([seed ^ (x as u8), (y as u8).wrapping_mul(seed), seed])
        });
        let mut out = Vec::new();
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn kept_served_and_a_damaged_one_is_never_served() {
        let dir = tempfile::tempdir().unwrap();
        let t = Thumbs::new(dir.path().join("thumbs"));
        let key = "ab".repeat(32);
        assert!(t.get(&key).is_none());
        let made = t.put_image(&key, &png(1, 800, 600), 1 << 30).unwrap();
        assert_eq!(crate::image::dimensions(&made), Some((320, 240)));
        assert_eq!(t.get(&key).unwrap(), made);
        // Cut short (a crash while writing): removed, not served.
        let path = t.path(&key);
        std::fs::write(&path, &made[..made.len() / 2]).unwrap();
        let fresh = Thumbs::new(dir.path().join("thumbs"));
        assert!(fresh.get(&key).is_none());
        assert!(!path.exists());
        assert_eq!(fresh.total(), 0, "counted once, not taken off twice");
    }

    /// The worker makes what it is given, a damaged image costs only its own thumbnail, and on
    /// Linux it runs at the lowest priority, so the uploads beside it take the CPU first.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn made_later_by_a_worker_at_the_lowest_priority() {
        let dir = tempfile::tempdir().unwrap();
        let t = Arc::new(Thumbs::new(dir.path().join("thumbs")));
        let good: Vec<String> = (0..3u8).map(|i| format!("{i:02x}").repeat(32)).collect();
        let bad = "ff".repeat(32);
        t.make_later(
            bad.clone(),
            Bytes::from_static(b"\x89PNG\r\n\x1a\n not one"),
            None,
            1 << 30,
        );
        for (i, k) in good.iter().enumerate() {
            t.make_later(
                k.clone(),
                Bytes::from(png(i as u8 + 1, 640, 480)),
                None,
                1 << 30,
            );
        }
        t.settled().await;
        for k in &good {
            assert_eq!(
                crate::image::dimensions(&t.get(k).unwrap()),
                Some((320, 240))
            );
        }
        assert!(t.get(&bad).is_none());
        assert_eq!(t.queued.load(Ordering::SeqCst), 0);
        #[cfg(target_os = "linux")]
        {
            let mut nice = None;
            for task in std::fs::read_dir("/proc/self/task").unwrap() {
                let task = task.unwrap().path();
                let name = std::fs::read_to_string(task.join("comm")).unwrap_or_default();
                if name.trim() == "pixdrop-thumbna" {
                    let stat = std::fs::read_to_string(task.join("stat")).unwrap();
                    let fields: Vec<&str> =
                        stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
                    nice = Some(fields[16].parse::<i32>().unwrap());
                }
            }
            assert_eq!(nice, Some(19), "the worker's nice value");
        }
    }

    #[test]
    fn over_the_cap_the_least_recently_shown_go_first() {
        let dir = tempfile::tempdir().unwrap();
        let t = Thumbs::new(dir.path().join("thumbs"));
        let keys: Vec<String> = (0..6u8).map(|i| format!("{i:02x}").repeat(32)).collect();
        let mut sizes = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            sizes.push(
                t.put_image(k, &png(i as u8 + 1, 300, 300), 1 << 30)
                    .unwrap()
                    .len() as u64,
            );
            // Distinct times, oldest first.
            let f = std::fs::File::options()
                .write(true)
                .open(t.path(k))
                .unwrap();
            f.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(1000 + i as u64))
                .unwrap();
        }
        // The oldest is shown again: it becomes the newest.
        assert!(t.get(&keys[0]).is_some());
        let all: u64 = sizes.iter().sum();
        assert_eq!(t.total(), all);
        // A cap that three of them fit (after eviction to 90%).
        let cap = ((sizes[0] + sizes[4] + sizes[5]) as f64 / EVICT_TO) as u64 + 1;
        t.evict(cap);
        let left: Vec<bool> = keys.iter().map(|k| t.has(k)).collect();
        assert_eq!(left, [true, false, false, false, true, true]);
        assert_eq!(t.total(), sizes[0] + sizes[4] + sizes[5]);
    }

    #[test]
    fn keys_are_hex_whatever_the_record_holds() {
        let mut r = Record {
            id: 1,
            host_kind: "smms".into(),
            config_name: "x".into(),
            file_name: "a.png".into(),
            stored_name: "a.png".into(),
            url: "https://e.com/../../etc/passwd".into(),
            delete_handle: None,
            size: 1,
            width: None,
            height: None,
            sha256: Some("../../evil".into()),
            created_at: 0,
            mirror_group: None,
            origin_url: None,
        };
        let k = Thumbs::key(&r);
        assert!(
            k.starts_with('u') && k[1..].bytes().all(|b| b.is_ascii_hexdigit()),
            "{k}"
        );
        r.sha256 = Some("AB".repeat(32));
        assert_eq!(Thumbs::key(&r), "ab".repeat(32));
    }

    #[test]
    fn failures_rest_then_double() {
        let t = Thumbs::new(PathBuf::from("/nonexistent"));
        assert!(!t.resting("k"));
        t.note_failure("k");
        assert!(t.resting("k"));
        t.note_failure("k");
        let (again, n) = t.failed_lock()["k"];
        assert_eq!(n, 2);
        assert!(again > Instant::now() + Duration::from_secs(1100));
    }
}
