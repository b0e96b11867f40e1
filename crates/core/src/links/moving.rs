//! `album move`: images copied to another host and their records linked, so `rewrite` can point
//! notes at the new links.
//!
//! For each record, the bytes come from the first place that still has them and that gives the
//! image that was uploaded: the record's own link, then the other records of the same upload
//! (its mirrors) and any record of the same bytes. Never the album's thumbnail: a thumbnail is
//! not the image, so an image no place has is reported lost. The bytes go through the normal
//! pipeline to the new config as they are (no second metadata removal, conversion or
//! watermark), deduplicated there: a move interrupted after the upload finds the new record on
//! the rerun instead of uploading again. The old copy is deleted on its host, when asked, only
//! after the new record and the link between the two are committed.

use crate::{msg, Msg};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::check::LinkStatus;
use super::store::LinkCheck;
use crate::album::{now_ms, Record};
use crate::error::{Error, Result};
use crate::hosts::Http;
use crate::image;
use crate::pipeline::{download, Engine, Input, ReadCap, UploadOptions};

/// The most bytes downloaded of one image being moved.
const MOVE_DOWNLOAD_LIMIT: u64 = 256 * 1024 * 1024;

#[derive(Debug, Clone, Default)]
pub struct MoveOptions {
    /// The config to move to.
    pub to: String,
    /// Delete the old copy on its host once the new one is recorded.
    pub delete_old: bool,
    /// Find the bytes and say what would be done; upload, record and delete nothing.
    pub dry_run: bool,
}

/// What happened to one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MoveStatus {
    /// Uploaded to the new config and linked (now or, for a rerun after an interruption,
    /// found there already).
    Moved,
    /// Moved by an earlier run: nothing was uploaded.
    AlreadyMoved,
    /// A dry run found the bytes: this is what would be uploaded.
    WouldMove,
    /// No place still has the image that was uploaded.
    Lost,
    /// The bytes were found but the upload (or the record) failed; nothing was linked.
    Failed,
    /// Nothing to do: the record is on the config it would move to, or does not exist.
    Skipped,
}

/// One record's move.
#[derive(Debug, Clone, Serialize)]
pub struct MoveResult {
    pub id: i64,
    pub file_name: String,
    pub config_name: String,
    pub url: String,
    pub status: MoveStatus,
    /// Where the bytes came from ("its link", "mirror NAME: URL").
    pub source: Option<Msg>,
    pub new_id: Option<i64>,
    pub new_url: Option<String>,
    /// The old copy was deleted on its host (this run or an earlier one).
    pub old_deleted: bool,
    /// Why it is lost, failed or skipped, or what went wrong deleting the old copy.
    pub detail: Option<Msg>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MoveReport {
    pub to: String,
    pub dry_run: bool,
    pub results: Vec<MoveResult>,
}

impl MoveReport {
    pub fn count(&self, status: MoveStatus) -> usize {
        self.results.iter().filter(|r| r.status == status).count()
    }

    /// Every record moved (or already moved, or would be), and every old copy asked to be
    /// deleted was.
    pub fn all_done(&self, delete_old: bool) -> bool {
        self.results.iter().all(|r| {
            matches!(
                r.status,
                MoveStatus::Moved | MoveStatus::AlreadyMoved | MoveStatus::WouldMove
            ) && (!delete_old || self.dry_run || r.old_deleted)
        })
    }
}

/// Move the records `ids` to config `opts.to`, one after another, in order.
pub async fn move_records(engine: &Engine, ids: &[i64], opts: &MoveOptions) -> Result<MoveReport> {
    move_records_with(engine, ids, opts, &mut |_, _, _| {}).await
}

/// [`move_records`], watched: `on_result` gets each record's result as it is done, with how
/// many are done of how many (the app's per-image progress).
pub async fn move_records_with(
    engine: &Engine,
    ids: &[i64],
    opts: &MoveOptions,
    on_result: &mut (dyn FnMut(&MoveResult, usize, usize) + Send),
) -> Result<MoveReport> {
    if ids.is_empty() {
        return Err(Error::Input(msg!("no album records to move")));
    }
    let config = engine.config().load()?;
    // A typo sends nothing.
    config.pick_host(Some(&opts.to))?;
    let http = Engine::http(&config.settings)?;
    let mut results = Vec::with_capacity(ids.len());
    for &id in ids {
        let Some(record) = engine.album().get(id)? else {
            results.push(MoveResult {
                id,
                file_name: String::new(),
                config_name: String::new(),
                url: String::new(),
                status: MoveStatus::Skipped,
                source: None,
                new_id: None,
                new_url: None,
                old_deleted: false,
                detail: Some(msg!("no album record {id}")),
            });
            on_result(
                results.last().expect("just pushed"),
                results.len(),
                ids.len(),
            );
            continue;
        };
        results.push(move_one(engine, &config, &http, record, opts).await?);
        on_result(
            results.last().expect("just pushed"),
            results.len(),
            ids.len(),
        );
    }
    Ok(MoveReport {
        to: opts.to.clone(),
        dry_run: opts.dry_run,
        results,
    })
}

async fn move_one(
    engine: &Engine,
    config: &crate::config::Config,
    http: &Http,
    record: Record,
    opts: &MoveOptions,
) -> Result<MoveResult> {
    let album = engine.album();
    let mut result = MoveResult {
        id: record.id,
        file_name: record.file_name.clone(),
        config_name: record.config_name.clone(),
        url: record.url.clone(),
        status: MoveStatus::Skipped,
        source: None,
        new_id: None,
        new_url: None,
        old_deleted: album.deleted_on_host(record.id)?,
        detail: None,
    };
    if record.config_name == opts.to {
        result.detail = Some(msg!("it is on {to} already", to = opts.to));
        return Ok(result);
    }
    if let Some(next) = album.moved_to(record.id)? {
        result.status = MoveStatus::AlreadyMoved;
        result.new_id = Some(next);
        result.new_url = album.get(next)?.map(|r| r.url);
    } else {
        let sent = album.sent_sha256(record.id)?;
        let (bytes, source) = match find_bytes(engine, http, &record, sent.as_deref()).await? {
            Ok(found) => found,
            Err(tried) => {
                result.status = MoveStatus::Lost;
                result.detail = Some(tried);
                return Ok(result);
            }
        };
        result.source = Some(source);
        if opts.dry_run {
            result.status = MoveStatus::WouldMove;
            return Ok(result);
        }
        let upload = UploadOptions {
            host: Some(opts.to.clone()),
            as_is: true,
            ..Default::default()
        };
        let input = Input::Bytes {
            name: record.file_name.clone(),
            bytes,
        };
        let outcome = engine.upload_all(vec![input], upload).await.remove(0);
        let done = match outcome.result {
            // The new config's own host failed and a mirror of it took the image: that is not
            // the move asked for; the rerun finds the mirror's copy and tries the host again.
            Ok(done) if done.fallback.is_some() => {
                result.status = MoveStatus::Failed;
                result.detail = done
                    .fallback
                    .and_then(|f| f.error)
                    .map(|e| e.msg)
                    .or_else(|| Some(msg!("{to} did not take the image", to = opts.to)));
                return Ok(result);
            }
            Ok(done) => done,
            Err(e) => {
                result.status = MoveStatus::Failed;
                result.detail = Some(e.msg());
                return Ok(result);
            }
        };
        album.set_moved(record.id, done.record.id)?;
        result.status = MoveStatus::Moved;
        result.new_id = Some(done.record.id);
        result.new_url = Some(done.record.url.clone());
    }
    if opts.delete_old && !opts.dry_run && !result.old_deleted {
        match engine.delete_on_host(config, &record).await {
            Ok(()) => {
                album.set_deleted_on_host(record.id)?;
                album.set_link_check(
                    record.id,
                    &LinkCheck {
                        status: LinkStatus::Gone,
                        detail: Some(msg!(
                            "deleted on the host after the move to {to}",
                            to = opts.to
                        )),
                        checked_at: now_ms(),
                    },
                )?;
                result.old_deleted = true;
            }
            Err(e) => {
                result.detail = Some(msg!("the old copy could not be deleted: {e}"));
            }
        }
    }
    Ok(result)
}

/// The uploaded image's bytes from the first place that has them, with where that is; or, when
/// none has, what each place gave (one line).
async fn find_bytes(
    engine: &Engine,
    http: &Http,
    record: &Record,
    sent: Option<&str>,
) -> Result<std::result::Result<(bytes::Bytes, Msg), Msg>> {
    // The local copy of what was sent (setting `keep_originals`) is the image itself: it is
    // given by its hash, which the copy is checked against.
    if let Some(bytes) = sent.and_then(|s| engine.originals().get(s)) {
        return Ok(Ok((bytes, msg!("the local copy of what was sent"))));
    }
    let mut places: Vec<(Msg, String)> = vec![(msg!("its link"), record.url.clone())];
    let album = engine.album();
    let mut others = album.mirrors_of(record.id)?;
    if let Some(sent) = sent {
        for r in album.with_sent_sha256(sent)? {
            if r.id != record.id && !others.iter().any(|o| o.id == r.id) {
                others.push(r);
            }
        }
    }
    for r in others {
        if r.url != record.url {
            places.push((
                msg!("{url} ({config})", url = r.url, config = r.config_name),
                r.url,
            ));
        }
    }
    let mut tried = Vec::new();
    for (name, url) in places {
        let said = match download(http, &url, ReadCap::Pixdrop(MOVE_DOWNLOAD_LIMIT)).await {
            Ok((_, bytes)) => match same_image(record, sent, &bytes) {
                Ok(Checked::Verified) => return Ok(Ok((bytes, name))),
                // Said with the source, so the person knows a host's "removed" picture may
                // have been taken for the image.
                Ok(Checked::Unverifiable) => {
                    return Ok(Ok((
                        bytes,
                        msg!(
                        "{name}, not verified: the album knows no hash, size or dimensions of it"
                    ),
                    )))
                }
                Err(why) => why,
            },
            Err(e) => without_prefix(e.msg(), &url),
        };
        tried.push(msg!("{name}: {said}"));
    }
    let mut all = tried.remove(0);
    for t in tried {
        all = msg!("{all}; {t}");
    }
    Ok(Err(msg!("no place still has the uploaded image ({all})")))
}

/// A message that starts with `url` ("URL: HTTP 404") without it: the part after it, when that
/// part is one of its arguments.
fn without_prefix(m: Msg, url: &str) -> Msg {
    let Some(rest) = m.text.strip_prefix(url).and_then(|r| r.strip_prefix(": ")) else {
        return m;
    };
    m.args
        .values()
        .find_map(|a| match a {
            crate::msg::Arg::Msg(inner) if inner.text == rest => Some(inner.clone()),
            _ => None,
        })
        .unwrap_or(m)
}

/// Whether `bytes` are the image `record` uploaded: by the hash of what was sent when the album
/// has it; else by the dedupe key (the same when the upload was not changed on the way); else
/// (records imported from a host, older uploads that were processed) an image of the recorded
/// size and dimensions. A record with none of these (some PicGo imports) cannot be checked: any
/// image passes, and is said to be unverified.
fn same_image(
    record: &Record,
    sent: Option<&str>,
    bytes: &[u8],
) -> std::result::Result<Checked, Msg> {
    let hash = hex::encode(Sha256::digest(bytes));
    if let Some(sent) = sent {
        return if hash == sent {
            Ok(Checked::Verified)
        } else {
            Err(msg!(
                "it serves other bytes than were uploaded ({size})",
                size = crate::pipeline::human_size(bytes.len() as u64)
            ))
        };
    }
    if record.sha256.as_deref() == Some(hash.as_str()) {
        return Ok(Checked::Verified);
    }
    let header = image::header(bytes).map_err(|_| msg!("it does not serve an image"))?;
    if record.size > 0 && bytes.len() as u64 != record.size {
        return Err(msg!(
            "it serves {got} where {sent} was uploaded",
            got = crate::pipeline::human_size(bytes.len() as u64),
            sent = crate::pipeline::human_size(record.size)
        ));
    }
    if let (Some(w), Some(h)) = (record.width, record.height) {
        if (w, h) != (header.width, header.height) {
            return Err(msg!(
                "it serves a {gw}×{gh} image where {w}×{h} was uploaded",
                gw = header.width,
                gh = header.height
            ));
        }
        return Ok(Checked::Verified);
    }
    Ok(if record.size > 0 {
        Checked::Verified
    } else {
        Checked::Unverifiable
    })
}

/// What [`same_image`] could tell of bytes it did not refuse.
enum Checked {
    Verified,
    Unverifiable,
}
