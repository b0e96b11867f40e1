//! The album's images as the window shows them: a record's thumbnail (from the cache, else
//! made from its original, downloaded a few at a time), its original (downloaded by Rust, so the
//! window loads nothing from the network), and the background round that makes the thumbnails
//! imported records lack.

use crate::msg;
use bytes::Bytes;
use futures::StreamExt;

use crate::album::Record;
use crate::error::{Error, Result};
use crate::pipeline::{download, Engine, ReadCap};
use crate::thumbs::{Thumbs, AT_ONCE};

/// What a round of [`Engine::fill_thumbnails`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct FillReport {
    pub made: usize,
    pub failed: usize,
    /// The round stopped early: the cache is nearly full.
    pub cache_full: bool,
}

/// Largest original downloaded for a thumbnail or the Details view.
const ORIGINAL_LIMIT: u64 = 64 * 1024 * 1024;
/// Background downloads stop when the cache is this full (the rest is fetched when shown).
const FILL_UP_TO: f64 = 0.8;

impl Engine {
    /// The thumbnail of a record: from the cache, else made from its original, downloaded (a
    /// few at a time). A download that failed is not tried again for a while.
    pub async fn thumbnail(&self, record: &Record) -> Result<Vec<u8>> {
        let key = Thumbs::key(record);
        let thumbs = self.thumbs();
        if let Some(t) = thumbs.get(&key) {
            return Ok(t);
        }
        if thumbs.resting(&key) {
            return Err(Error::Network(msg!(
                "{}: its download failed a moment ago; tried again later",
                record.url
            )));
        }
        let _slot = thumbs.download_slot().await;
        // Another request may have made it while this one waited.
        if let Some(t) = thumbs.get(&key) {
            return Ok(t);
        }
        let made = async {
            let original = self.original(record).await?;
            let cap = self.settings().thumbnail_cap();
            let thumbs = self.thumbs().clone();
            tokio::task::spawn_blocking(move || thumbs.put_image(&key, &original, cap))
                .await
                .map_err(|e| Error::Storage(msg!("making a thumbnail failed: {e}")))?
        }
        .await;
        if made.is_err() {
            thumbs.note_failure(&Thumbs::key(record));
        }
        made
    }

    /// A record's image as the host serves it (downloaded by Rust: the window loads nothing
    /// from the network). Only images are returned.
    pub async fn original(&self, record: &Record) -> Result<Bytes> {
        let http = Engine::http(&self.settings())?;
        let (_, bytes) = download(&http, &record.url, ReadCap::Pixdrop(ORIGINAL_LIMIT)).await?;
        if crate::image::sniff(&bytes).is_none() {
            return Err(Error::Input(msg!(
                "{}: the host answered with something that is not an image",
                record.url
            )));
        }
        Ok(bytes)
    }

    /// One round of making the thumbnails the album lacks (records from an import or a host
    /// sync), newest first, a few at a time; stops when the cache is nearly full. Records whose
    /// download failed are left for a later round.
    pub async fn fill_thumbnails(&self) -> FillReport {
        let cap = self.settings().thumbnail_cap();
        let mut report = FillReport::default();
        let mut offset = 0;
        loop {
            let query = crate::album::ListQuery {
                limit: 500,
                offset,
                ..Default::default()
            };
            let Ok(page) = self.album().list(&query) else {
                break;
            };
            if page.is_empty() {
                break;
            }
            offset += page.len() as u32;
            let missing: Vec<Record> = page
                .into_iter()
                .filter(|r| {
                    let k = Thumbs::key(r);
                    !self.thumbs().has(&k) && !self.thumbs().resting(&k)
                })
                .collect();
            // The futures are made first (not in a `map` closure), so the round's future is
            // `Send` for any caller (rust-lang/rust#102211).
            let jobs: Vec<_> = missing
                .iter()
                .map(|r| async move {
                    if self.thumbs().total() as f64 >= cap as f64 * FILL_UP_TO {
                        return None;
                    }
                    Some(self.thumbnail(r).await.is_ok())
                })
                .collect();
            let results: Vec<bool> = futures::stream::iter(jobs)
                .buffer_unordered(AT_ONCE)
                .filter_map(std::future::ready)
                .collect()
                .await;
            report.made += results.iter().filter(|ok| **ok).count();
            report.failed += results.iter().filter(|ok| !**ok).count();
            if results.len() < missing.len() {
                report.cache_full = true;
                break;
            }
        }
        report
    }
}
