//! The upload pipeline: validate → hash → dedupe → rename → upload with retry → record → format.
//! The app, the CLI and the local server all upload through [`Engine`].

use crate::{msg, Msg};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::stream::{self, Stream, StreamExt};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::album::{now_ms, Album, NewRecord, Record};
use crate::config::{Config, ConfigStore, HostConfig, Settings};
use crate::error::{Error, Failure, Result};
use crate::hosts::{self, Host, Http, Payload, Progress};
use crate::image::{self, ImageKind};
use crate::originals::Originals;
use crate::paths::Paths;
use crate::process;
use crate::rename;
use crate::template::{self, LinkFormat};
use crate::thumbs::Thumbs;
use crate::upload_lock::UploadLocks;

/// Largest image downloaded from a URL when the host sets no limit.
const URL_DOWNLOAD_LIMIT: u64 = 64 * 1024 * 1024;

/// The most bytes of one input that are read or downloaded, and whose limit that is (the
/// message over it names the right one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReadCap {
    /// The host takes no more.
    Host(u64),
    /// Pixdrop reads or downloads no more of one image, whatever the host takes.
    Pixdrop(u64),
}

/// Something to upload.
#[derive(Debug, Clone)]
pub enum Input {
    Path(PathBuf),
    Url(String),
    /// Bytes already in memory (a pasted image), with the name to give them.
    Bytes {
        name: String,
        bytes: Bytes,
    },
}

impl Input {
    /// `http://` and `https://` arguments are URLs; a `file:` URL of this computer is the path
    /// it names (percent-decoded), one of another computer (`file://server/…`) a URL that is
    /// refused in words; anything else is a path.
    pub fn parse(arg: &str) -> Input {
        let lower = arg.trim_start().to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            Input::Url(arg.trim().to_string())
        } else if lower.starts_with("file:") {
            match url::Url::parse(arg.trim()).map(|u| u.to_file_path()) {
                Ok(Ok(path)) => Input::Path(path),
                _ => Input::Url(arg.trim().to_string()),
            }
        } else {
            Input::Path(PathBuf::from(arg))
        }
    }

    /// A clipboard image as 8-bit RGBA pixels, encoded as PNG.
    pub fn from_rgba(width: u32, height: u32, rgba: &[u8]) -> Result<Input> {
        let png = image::encode_png(width, height, rgba)?;
        Input::clipboard(png)
    }

    /// A clipboard image as its owner encoded it (PNG, JPEG, …), uploaded byte for byte and
    /// named `clipboard-<local time>.<ext>`. Bytes that are no image we know are refused.
    pub fn clipboard(bytes: impl Into<Bytes>) -> Result<Input> {
        let bytes = bytes.into();
        let kind = image::sniff(&bytes[..bytes.len().min(image::SNIFF_LEN)]).ok_or_else(|| {
            Error::Input(msg!(
                "the clipboard's image is in a format Pixdrop cannot upload"
            ))
        })?;
        let name = format!(
            "clipboard-{}.{}",
            chrono::Local::now().format("%Y%m%d-%H%M%S"),
            kind.extension()
        );
        Ok(Input::Bytes { name, bytes })
    }

    /// How the input is named in messages and results.
    pub fn label(&self) -> String {
        match self {
            Input::Path(p) => p.display().to_string(),
            Input::Url(u) => u.clone(),
            Input::Bytes { name, .. } => name.clone(),
        }
    }
}

/// Knobs the settings do not cover (tests shorten the backoff).
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// First wait before a retry; doubles each time, capped at 8 s.
    pub backoff: Duration,
    /// The longest Retry-After we wait for; longer ones fail at once with the host's words.
    pub max_retry_after: Duration,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            backoff: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

/// Called with (input index, bytes sent, total bytes).
pub type BatchProgress = Arc<dyn Fn(usize, u64, u64) + Send + Sync>;

/// An upload about to be tried again: attempt `attempt` of `of`, after `wait`, because of `why`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Retrying {
    pub attempt: u32,
    pub of: u32,
    pub wait_ms: u64,
    pub why: crate::Msg,
}

/// Called with (input index, the retry coming), before the wait.
pub type BatchRetry = Arc<dyn Fn(usize, Retrying) + Send + Sync>;

/// One lock per content hash, so identical files in a batch upload once.
type HashLocks = std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>;

/// Per-call choices.
#[derive(Clone, Default)]
pub struct UploadOptions {
    /// The config to use; the default one when `None`. Its mirrors get the upload too.
    pub host: Option<String>,
    /// More configs to send this upload to, besides the config's own mirrors.
    pub also: Vec<String>,
    /// Upload even if the same bytes were uploaded with this config before.
    pub force: bool,
    /// Link format; the `link_format` setting when `None`.
    pub format: Option<LinkFormat>,
    /// Called with (input index, bytes sent, total bytes).
    pub progress: Option<BatchProgress>,
    /// Called when an upload failed in a way worth trying again, before the wait.
    pub retrying: Option<BatchRetry>,
    /// Send the bytes as they are: no metadata removal, conversion, resizing, fitting or
    /// watermark (an image moved to another host was processed when it was first uploaded).
    pub as_is: bool,
}

/// A finished upload: the record whose link the user gets (the config's own, or, when its
/// host failed, the first mirror's that succeeded) and what the other hosts did.
#[derive(Debug, Clone, Serialize)]
pub struct Done {
    pub record: Record,
    pub link: String,
    /// The album already had these bytes for this config: no request was made.
    pub duplicate: bool,
    /// The other hosts the upload went to (the config's mirrors), in order.
    pub mirrors: Vec<MirrorResult>,
    /// When the config's own host failed and the link is a mirror's: that host's failure.
    pub fallback: Option<MirrorResult>,
    /// What was done to the file before it was sent (metadata removed).
    pub processed: Option<Processed>,
}

/// What one more host of an upload did.
#[derive(Debug, Clone, Serialize)]
pub struct MirrorResult {
    pub config: String,
    /// Its record, when it has the image.
    pub record: Option<Record>,
    /// It had these bytes already: no request was made.
    pub duplicate: bool,
    pub error: Option<Failure>,
}

impl Done {
    /// What the user should be told besides the link: the config's own host failed and the
    /// link is a mirror's, or a mirror failed.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if let Some(f) = &self.fallback {
            let why = f.error.as_ref().map_or("", |e| e.message.as_str());
            notes.push(format!(
                "{} failed ({why}); the link is from its mirror {}",
                f.config, self.record.config_name
            ));
        }
        for m in &self.mirrors {
            if let Some(e) = &m.error {
                notes.push(format!("mirror {} failed: {}", m.config, e.message));
            }
        }
        notes
    }
}

impl MirrorResult {
    fn of(config: &str, result: &Result<(Record, bool)>) -> Self {
        MirrorResult {
            config: config.to_string(),
            record: result.as_ref().ok().map(|(r, _)| r.clone()),
            duplicate: result.as_ref().is_ok_and(|(_, d)| *d),
            error: result.as_ref().err().map(Failure::from),
        }
    }
}

/// The result for one input, in input order.
#[derive(Debug)]
pub struct Outcome {
    pub index: usize,
    pub input: String,
    pub result: Result<Done>,
}

pub struct Engine {
    paths: Paths,
    config: ConfigStore,
    album: Album,
    options: EngineOptions,
    thumbs: Arc<Thumbs>,
    originals: Arc<Originals>,
    locks: UploadLocks,
}

/// What a host-history import did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct SyncReport {
    pub imported: usize,
    pub already_there: usize,
    pub pages: u32,
}

struct Prepared {
    original_name: String,
    /// What is sent: the file, without its metadata when that was removed.
    bytes: Bytes,
    kind: ImageKind,
    /// The dedupe key: SHA-256 of the original bytes, and of the processing when it changed
    /// them (the same file with the same settings is not sent twice; a change sends it anew).
    sha256: String,
    /// SHA-256 of `bytes`, what is sent (the dedupe key's own when nothing changed them).
    sent_sha256: String,
    processed: Option<Processed>,
    /// The file before processing, when processing changed it: the thumbnail is made from it
    /// when what is sent cannot be decoded here (an AVIF).
    before: Option<Bytes>,
}

/// What the prepare stage did to a file before sending it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Processed {
    /// Metadata removed without re-encoding: "EXIF", "GPS", "XMP", "IPTC", "comments" …
    pub removed: Vec<&'static str>,
    /// Re-encoded from this type (converted, resized or fitted): its metadata is gone too.
    pub converted_from: Option<&'static str>,
    pub converted_to: Option<&'static str>,
    /// Downscaled from and to (width, height).
    pub resized: Option<((u32, u32), (u32, u32))>,
    /// Made to fit this host limit, in bytes.
    pub fitted: Option<u64>,
    /// The watermark was drawn.
    pub watermarked: bool,
    pub size_before: u64,
    pub size_after: u64,
}

impl Processed {
    fn new(d: &process::Done, size_before: u64) -> Processed {
        Processed {
            removed: d.removed.clone(),
            converted_from: d.converted_from.map(|k| k.label()),
            converted_to: d.converted_from.map(|_| d.kind.label()),
            resized: d.resized,
            fitted: d.fitted,
            watermarked: d.watermarked,
            size_before,
            size_after: d.bytes.len() as u64,
        }
    }

    /// In words, for the row, the log and the CLI: "location and camera data removed (EXIF,
    /// GPS, XMP): 2.1 MB → 2.0 MB", "converted PNG → JPEG, resized 4000×3000 → 1920×1440 to fit
    /// the host's 5.0 MB: 7.2 MB → 4.7 MB".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.removed.is_empty() {
            parts.push(format!(
                "location and camera data removed ({})",
                self.removed.join(", ")
            ));
        }
        match (self.converted_from, self.converted_to) {
            (Some(a), Some(b)) if a != b => parts.push(format!("converted {a} → {b}")),
            (Some(a), _) => parts.push(format!("re-encoded as {a}")),
            _ => {}
        }
        if let Some(((w0, h0), (w1, h1))) = self.resized {
            parts.push(format!("resized {w0}×{h0} → {w1}×{h1}"));
        }
        if self.watermarked {
            parts.push("watermarked".to_string());
        }
        let fit = self
            .fitted
            .map(|l| format!(" to fit the host's {}", human_size(l)))
            .unwrap_or_default();
        format!(
            "{}{fit}: {} → {}",
            parts.join(", "),
            human_size(self.size_before),
            human_size(self.size_after)
        )
    }
}

/// One host an upload goes to: a config and the host it builds.
struct Target {
    name: String,
    /// The config and its host, or why the config cannot be used (a mirror that was removed
    /// or broken by hand fails on its own; the chosen config's failure fails the batch).
    ready: Result<(HostConfig, Box<dyn Host>)>,
}

/// What every upload of one batch shares: the config as it was when the batch started, the
/// hosts it uploads to (the chosen config first, then its mirrors), the HTTP client, and the
/// locks that make identical bytes in the batch wait for each other.
struct Batch {
    config: Config,
    targets: Vec<Target>,
    http: Http,
    locks: HashLocks,
    /// What the prepare stage does to each file.
    options: process::Options,
}

impl Batch {
    fn new(engine: &Engine, opts: &UploadOptions) -> Result<Batch> {
        let config = engine.config.load()?;
        let main = config.pick_host(opts.host.as_deref())?.clone();
        // Hosts named for this upload must exist (a typo sends nothing); a config's own mirror
        // that is gone fails on its own below.
        for n in &opts.also {
            config.pick_host(Some(n))?;
        }
        let mut names = vec![main.name.clone()];
        for n in main.mirrors().into_iter().chain(opts.also.iter().cloned()) {
            if !names.contains(&n) {
                names.push(n);
            }
        }
        let targets: Vec<Target> = names
            .into_iter()
            .map(|name| {
                let ready = config.pick_host(Some(&name)).cloned().and_then(|cfg| {
                    let host = hosts::build(&cfg)?;
                    Ok((cfg, host))
                });
                Target { name, ready }
            })
            .collect();
        if let Err(e) = &targets[0].ready {
            return Err(e.clone());
        }
        let http = Engine::http(&config.settings)?;
        let options = if opts.as_is {
            process::Options::as_is()
        } else {
            Batch::process_options(&config, &targets[0])?
        };
        Ok(Batch {
            config,
            targets,
            http,
            locks: HashLocks::default(),
            options,
        })
    }

    /// What the prepare stage does to files: the settings, with the chosen config's own image
    /// settings in their place (one choice for all the hosts of an upload, which share its
    /// bytes), and the chosen host's size limit to fit when `fit_host_limit` is on.
    fn process_options(config: &Config, main: &Target) -> Result<process::Options> {
        let main = main.ready.as_ref().ok();
        let s = match main {
            Some((cfg, _)) => config.settings.for_config(cfg)?,
            None => config.settings.clone(),
        };
        Ok(s.process_options(main.and_then(|(_, host)| host.max_size())))
    }

    /// The largest file read: the largest any host takes, or, when files over a host's limit
    /// are made to fit it, a generous cap (each host's limit is checked after the prepare
    /// stage).
    fn read_limit(&self) -> Option<ReadCap> {
        match self.max_size() {
            Some(l) if self.options.fit_limit.is_some() && l < FIT_READ_LIMIT => {
                Some(ReadCap::Pixdrop(FIT_READ_LIMIT))
            }
            l => l.map(ReadCap::Host),
        }
    }

    /// The largest file any of the hosts takes (`None`: one sets no limit).
    fn max_size(&self) -> Option<u64> {
        self.targets
            .iter()
            .filter_map(|t| t.ready.as_ref().ok())
            .map(|(_, host)| host.max_size())
            .try_fold(0, |most, limit| limit.map(|l| l.max(most)))
    }
}

impl Engine {
    /// Open the config and album under `paths`, creating folders as needed. With a system
    /// keyring running, secrets still in `config.json` move there (a failure to move is logged
    /// and leaves them in the file).
    pub fn open(paths: Paths) -> Result<Self> {
        paths.ensure()?;
        let album = Album::open(&paths.album_file())?;
        let config = ConfigStore::open(paths.config_file());
        match config.move_secrets_to_keyring() {
            Ok(0) => {}
            Ok(n) => crate::log::append(
                &paths,
                &format!("moved {n} secret(s) from config.json to the system keyring"),
            ),
            Err(e) => {
                crate::log::append(&paths, &format!("secrets stay in config.json for now: {e}"))
            }
        }
        Ok(Engine {
            config,
            album,
            thumbs: Arc::new(Thumbs::new(paths.thumbs_dir())),
            originals: Arc::new(Originals::new(paths.originals_dir())),
            locks: UploadLocks::new(paths.locks_dir()),
            paths,
            options: EngineOptions::default(),
        })
    }

    pub fn with_options(mut self, options: EngineOptions) -> Self {
        self.options = options;
        self
    }

    pub fn paths(&self) -> &Paths {
        &self.paths
    }
    pub fn config(&self) -> &ConfigStore {
        &self.config
    }
    pub fn album(&self) -> &Album {
        &self.album
    }
    pub fn thumbs(&self) -> &Arc<Thumbs> {
        &self.thumbs
    }
    /// The local copies of what uploads sent (setting `keep_originals`).
    pub fn originals(&self) -> &Arc<Originals> {
        &self.originals
    }

    /// The current settings; the defaults when the config cannot be read (for the desktop's
    /// side effects — tray labels, notifications — which must not fail on a broken file).
    pub fn settings(&self) -> Settings {
        self.config.load().map(|c| c.settings).unwrap_or_default()
    }

    pub(crate) fn http(settings: &Settings) -> Result<Http> {
        Http::new(
            Duration::from_secs(settings.timeout_secs),
            Some(settings.usable_proxy()?),
        )
    }

    /// The link for a record in `format`, using the custom template from the settings.
    pub fn link(&self, record: &Record, format: LinkFormat, settings: &Settings) -> String {
        template::render(
            format,
            &record.url,
            &record.file_name,
            &settings.custom_link,
        )
    }

    /// The links of album records `ids`, in that order, in `format` (default: the `link_format`
    /// setting). An id without a record is an error naming it; the others are still given.
    pub fn album_links(
        &self,
        ids: &[i64],
        format: Option<LinkFormat>,
    ) -> Result<Vec<(i64, Result<String>)>> {
        let settings = self.config.load()?.settings;
        let format = format.unwrap_or(settings.link_format);
        ids.iter()
            .map(|&id| {
                let link = self
                    .album
                    .get(id)?
                    .map(|r| self.link(&r, format, &settings));
                Ok((
                    id,
                    link.ok_or_else(|| {
                        Error::NotFound(msg!("no album record with id {id} (deleted elsewhere?)"))
                    }),
                ))
            })
            .collect()
    }

    /// Upload many inputs; results arrive in input order as they finish (bounded concurrency,
    /// one failure never stops the others). Each success is in the album before it is yielded.
    ///
    /// Two stages: files are read, checked and hashed ahead of the uploads (up to `concurrency`
    /// more files than are uploading, each in its own task), so hashing overlaps with the
    /// network instead of delaying each upload.
    pub fn upload_stream<'a>(
        &'a self,
        inputs: Vec<Input>,
        opts: UploadOptions,
    ) -> impl Stream<Item = Outcome> + 'a {
        let setup = Arc::new(Batch::new(self, &opts));
        let concurrency = setup
            .as_ref()
            .as_ref()
            .map(|b| b.config.settings.concurrency as usize)
            .unwrap_or(1)
            .max(1);

        let stage_setup = setup.clone();
        let prepared = stream::iter(inputs.into_iter().enumerate())
            .map(move |(index, input)| {
                let label = input.label();
                // Spawned now, so it runs even while every upload slot is busy.
                let task = match stage_setup.as_ref() {
                    Ok(b) => Ok(tokio::spawn(prepare(
                        input,
                        b.read_limit(),
                        b.http.clone(),
                        b.options.clone(),
                    ))),
                    Err(e) => Err(e.clone()),
                };
                async move {
                    let prepared = match task {
                        Ok(t) => t.await.unwrap_or_else(|e| {
                            Err(Error::Storage(msg!("reading the input failed: {e}")))
                        }),
                        Err(e) => Err(e),
                    };
                    (index, label, prepared)
                }
            })
            .buffered(concurrency * 2);

        prepared
            .map(move |(index, label, prepared)| {
                let setup = setup.clone();
                let opts = opts.clone();
                async move {
                    let result = match (prepared, setup.as_ref()) {
                        (Err(e), _) => Err(e),
                        (Ok(_), Err(e)) => Err(e.clone()),
                        (Ok(p), Ok(batch)) => self.upload_one(index, p, &opts, batch).await,
                    };
                    Outcome {
                        index,
                        input: label,
                        result,
                    }
                }
            })
            .buffered(concurrency)
    }

    /// [`Engine::upload_stream`], collected.
    pub async fn upload_all(&self, inputs: Vec<Input>, opts: UploadOptions) -> Vec<Outcome> {
        self.upload_stream(inputs, opts).collect().await
    }

    async fn upload_one(
        &self,
        index: usize,
        prepared: Prepared,
        opts: &UploadOptions,
        batch: &Batch,
    ) -> Result<Done> {
        let settings = &batch.config.settings;
        let format = opts.format.unwrap_or(settings.link_format);

        // Identical bytes in one batch wait for each other, so the second finds the first's record.
        let lock = {
            let mut map = batch.locks.lock().unwrap_or_else(|p| p.into_inner());
            map.entry(prepared.sha256.clone()).or_default().clone()
        };
        let _guard = lock.lock().await;
        // …and across processes (the app, other commands, the server share the album), held
        // from the duplicate check to the record's commit.
        let _across = self.locks.lock(&prepared.sha256).await?;

        // What is sent is cleaned of control characters and separators; the album keeps the
        // real name. Every host gets the same name.
        let upload_name = rename::safe_upload_name(&rename::apply(
            settings.rename,
            &settings.rename_pattern,
            &prepared.original_name,
            &prepared.bytes,
            chrono::Local::now(),
        )?);
        let payload = Payload {
            name: upload_name,
            bytes: prepared.bytes.clone(),
            mime: prepared.kind.mime(),
        };
        // All hosts at once; the first (the chosen config) reports progress and retries.
        let results = futures::future::join_all(batch.targets.iter().enumerate().map(|(i, t)| {
            let report = (i == 0).then_some(index);
            self.upload_to(t, report, &prepared, &payload, opts, batch)
        }))
        .await;

        let ids: Vec<i64> = results
            .iter()
            .filter_map(|r| r.as_ref().ok().map(|(rec, _)| rec.id))
            .collect();
        let mut results = results;
        if batch.targets.len() > 1 && ids.len() > 1 {
            let group = self.album.link_mirrors(&ids)?;
            for (rec, _) in results.iter_mut().flatten() {
                rec.mirror_group = Some(group.clone());
            }
        }
        let outcomes: Vec<MirrorResult> = batch
            .targets
            .iter()
            .zip(&results)
            .map(|(t, r)| MirrorResult::of(&t.name, r))
            .collect();
        // The user's link: the chosen config's, else the first mirror that has the image.
        let Some(chosen) = results.iter().position(Result::is_ok) else {
            let names = batch.targets.iter().map(|t| t.name.clone());
            return Err(Error::all_hosts_failed(
                names.zip(results.into_iter().filter_map(Result::err)),
            ));
        };
        let (record, duplicate) = results.swap_remove(chosen).expect("chosen is a success");
        // The album's thumbnail, made after the link is out (nothing stands between the host's
        // answer and the link but the album commit).
        self.thumbs.make_later(
            prepared.sha256.clone(),
            prepared.bytes.clone(),
            prepared.before.clone(),
            settings.thumbnail_cap(),
        );
        if settings.keep_originals {
            self.originals.keep_later(
                prepared.sent_sha256.clone(),
                prepared.bytes.clone(),
                settings.originals_cap(),
            );
        }
        // The link names the file as it was given this time (`$fileName`), while a duplicate's
        // record stays the first upload's.
        let named = Record {
            file_name: prepared.original_name.clone(),
            ..record.clone()
        };
        let link = self.link(&named, format, settings);
        let mut outcomes: Vec<Option<MirrorResult>> = outcomes.into_iter().map(Some).collect();
        let fallback = if chosen > 0 { outcomes[0].take() } else { None };
        // The others: every host but the config's own and the one whose link this is.
        let mirrors = outcomes
            .into_iter()
            .enumerate()
            .filter(|(i, _)| *i != 0 && *i != chosen)
            .filter_map(|(_, m)| m)
            .collect();
        Ok(Done {
            record,
            link,
            duplicate,
            mirrors,
            fallback,
            processed: prepared.processed.clone(),
        })
    }

    /// Send one upload to one of its hosts, unless that host has these bytes already; the
    /// record, and whether it was there already. Progress and retries are reported as input
    /// `report`'s (the chosen config's upload; a mirror's are not shown).
    async fn upload_to(
        &self,
        target: &Target,
        report: Option<usize>,
        prepared: &Prepared,
        payload: &Payload,
        opts: &UploadOptions,
        batch: &Batch,
    ) -> Result<(Record, bool)> {
        let (cfg, host) = target.ready.as_ref().map_err(Error::clone)?;
        if !opts.force {
            if let Some(record) = self.album.find_duplicate(&cfg.name, &prepared.sha256)? {
                return Ok((record, true));
            }
        }
        // The batch read files up to the largest limit of its hosts: this one may take less.
        check_size(
            &prepared.original_name,
            prepared.bytes.len() as u64,
            host.max_size().map(ReadCap::Host),
        )?;
        let progress: Option<Progress> = opts
            .progress
            .clone()
            .zip(report)
            .map(|(p, index)| Arc::new(move |sent, total| p(index, sent, total)) as Progress);
        let uploaded = self
            .with_retry(
                batch.config.settings.retries,
                |r| {
                    if let (Some(index), Some(f)) = (report, &opts.retrying) {
                        f(index, r)
                    }
                },
                || host.upload(&batch.http, payload, progress.clone()),
            )
            .await?;

        // The link as the rules make it; the host's own kept beside it when they changed it.
        let rewritten =
            crate::url_rules::rewrite(&batch.config.settings.url_rewrite, &uploaded.url);
        if let Some(note) = &rewritten.note {
            crate::log::append(self.paths(), &note.to_string());
        }
        let dims = image::dimensions(&prepared.bytes);
        let record = NewRecord {
            host_kind: cfg.kind.clone(),
            config_name: cfg.name.clone(),
            file_name: prepared.original_name.clone(),
            stored_name: uploaded
                .stored_name
                .clone()
                .unwrap_or_else(|| payload.name.clone()),
            url: rewritten.url,
            origin_url: rewritten.origin,
            delete_handle: uploaded.delete_handle.clone(),
            size: prepared.bytes.len() as u64,
            width: uploaded.width.or(dims.map(|d| d.0)),
            height: uploaded.height.or(dims.map(|d| d.1)),
            sha256: Some(prepared.sha256.clone()),
            created_at: now_ms(),
            sent_sha256: Some(prepared.sent_sha256.clone()),
        };
        let id = self.album.insert(&record)?;
        let record = self
            .album
            .get(id)?
            .ok_or_else(|| Error::Storage(msg!("the new record vanished")))?;
        Ok((record, false))
    }

    async fn with_retry<T, F, Fut>(
        &self,
        attempts: u32,
        on_retry: impl Fn(Retrying),
        mut f: F,
    ) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let mut attempt = 1;
        loop {
            match f().await {
                Ok(v) => return Ok(v),
                Err(e) if attempt < attempts.max(1) && e.is_retryable() => {
                    let wait = match &e {
                        Error::RateLimited {
                            retry_after: Some(d),
                            ..
                        } if *d > self.options.max_retry_after => {
                            return Err(e);
                        }
                        Error::RateLimited {
                            retry_after: Some(d),
                            ..
                        } => *d,
                        _ => (self.options.backoff * 2u32.pow(attempt - 1))
                            .min(Duration::from_secs(8)),
                    };
                    attempt += 1;
                    on_retry(Retrying {
                        attempt,
                        of: attempts.max(1),
                        wait_ms: wait.as_millis() as u64,
                        why: e.msg(),
                    });
                    tokio::time::sleep(wait).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Check a config's credentials with its host.
    /// What the check learned (an SFTP server's host key, trusted on the first test) is kept
    /// in the config, unless the config was changed meanwhile.
    pub async fn test_host(&self, name: &str) -> Result<Msg> {
        let config = self.config.load()?;
        let tested = config.pick_host(Some(name))?.clone();
        let host = hosts::build(&tested)?;
        let said = host.check(&Self::http(&config.settings)?).await?;
        let learned = host.learned();
        if !learned.is_empty() {
            self.config.update(|config: &mut crate::config::Config| {
                if let Some(h) = config.hosts.iter_mut().find(|h| **h == tested) {
                    for (key, value) in &learned {
                        h.settings
                            .insert(key.to_string(), serde_json::Value::String(value.clone()));
                    }
                }
                Ok(())
            })?;
        }
        Ok(said)
    }

    /// `ids` and the records of the same uploads on their other hosts (mirrors), each once, in
    /// order.
    pub fn with_mirrors(&self, ids: &[i64]) -> Result<Vec<i64>> {
        let mut all: Vec<i64> = Vec::new();
        for &id in ids {
            for i in std::iter::once(id).chain(self.album.mirrors_of(id)?.into_iter().map(|r| r.id))
            {
                if !all.contains(&i) {
                    all.push(i);
                }
            }
        }
        Ok(all)
    }

    /// One image read from `reader` (standard input: `pixdrop upload -`), with the checks a
    /// file gets: no more than the upload's read limit is read (at most one byte past it, so
    /// memory stays bounded), and the bytes must be an image, named `stdin.<its type>`.
    pub fn read_input(&self, reader: impl std::io::Read, opts: &UploadOptions) -> Result<Input> {
        const LABEL: &str = "standard input";
        let cap = Batch::new(self, opts)?
            .read_limit()
            .unwrap_or(ReadCap::Pixdrop(FIT_READ_LIMIT));
        let (ReadCap::Host(max) | ReadCap::Pixdrop(max)) = cap;
        let mut bytes = Vec::new();
        reader
            .take(max.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(msg!("reading {LABEL}"), e))?;
        if bytes.len() as u64 > max {
            return Err(Error::TooLarge(match cap {
                ReadCap::Host(_) => msg!(
                    "{LABEL}: the image is larger than the host's limit of {}",
                    human_size(max)
                ),
                ReadCap::Pixdrop(_) => msg!(
                    "{LABEL}: the image is larger than {}, the most Pixdrop reads of one image",
                    human_size(max)
                ),
            }));
        }
        if bytes.is_empty() {
            return Err(Error::Input(msg!(
                "{LABEL}: nothing was read (pipe an image into `pixdrop upload -`)"
            )));
        }
        let kind = image::sniff(&bytes[..bytes.len().min(image::SNIFF_LEN)])
            .ok_or_else(|| not_an_image(LABEL))?;
        Ok(Input::Bytes {
            name: format!("stdin.{}", kind.extension()),
            bytes: bytes.into(),
        })
    }

    /// Delete records from the album; with `remote`, first on the host, and a record whose host
    /// deletion fails is kept. Results are per id, in order.
    pub async fn delete(&self, ids: &[i64], remote: bool) -> Vec<(i64, Result<()>)> {
        let mut out = Vec::with_capacity(ids.len());
        let config = self.config.load();
        for &id in ids {
            let r = async {
                let record = self
                    .album
                    .get(id)?
                    .ok_or_else(|| Error::NotFound(msg!("no album record with id {id}")))?;
                // A moved record whose old copy was deleted on its host already: the album only.
                if remote && !self.album.deleted_on_host(id)? {
                    let config = config.as_ref().map_err(Error::clone)?;
                    self.delete_on_host(config, &record).await?;
                }
                self.album.delete(id)?;
                Ok(())
            }
            .await;
            out.push((id, r));
        }
        out
    }

    /// Delete a record's image on its host (retried as uploads are); the album is not touched.
    pub(crate) async fn delete_on_host(&self, config: &Config, record: &Record) -> Result<()> {
        let id = record.id;
        let handle = record.delete_handle.as_deref().filter(|h| !h.is_empty()).ok_or_else(|| {
            Error::Unsupported(msg!(
                "record {id} has no delete handle (the host gave none), so it can only be removed from the album"
            ))
        })?;
        let host_cfg = config.host(&record.config_name).ok_or_else(|| {
            Error::NotFound(msg!(
                "record {id} was uploaded with config {:?}, which no longer exists",
                record.config_name
            ))
        })?;
        let host = hosts::build(host_cfg)?;
        let http = Self::http(&config.settings)?;
        self.with_retry(
            config.settings.retries,
            |_| {},
            || host.delete(&http, handle, &record.url),
        )
        .await
    }

    /// Import a config's upload history from its host into the album, skipping URLs the album
    /// has already — under any config: two configs of one account list the same uploads.
    pub async fn sync(&self, name: &str) -> Result<SyncReport> {
        let config = self.config.load()?;
        let host_cfg = config.pick_host(Some(name))?;
        let host = hosts::build(host_cfg)?;
        let http = Self::http(&config.settings)?;
        let mut report = SyncReport::default();
        let mut page = 1u32;
        loop {
            let got = self
                .with_retry(
                    config.settings.retries,
                    |_| {},
                    || host.history(&http, page),
                )
                .await?;
            report.pages = page;
            if got.items.is_empty() {
                break;
            }
            // The host lists newest first; insert oldest first so ids follow time.
            let mut fresh = Vec::new();
            for item in got.items.into_iter().rev() {
                if self.album.has_url_anywhere(&item.url)? {
                    report.already_there += 1;
                    continue;
                }
                fresh.push(NewRecord {
                    host_kind: host_cfg.kind.clone(),
                    config_name: host_cfg.name.clone(),
                    file_name: item.file_name,
                    stored_name: item.stored_name,
                    url: item.url,
                    delete_handle: item.delete_handle,
                    size: item.size,
                    width: item.width,
                    height: item.height,
                    sha256: None,
                    created_at: item.created_at.unwrap_or_else(now_ms),
                    sent_sha256: None,
                    origin_url: None,
                });
            }
            report.imported += self.album.insert_many(&fresh)?;
            if got.total_pages.is_some_and(|t| page >= t) || page >= 10_000 {
                break;
            }
            page += 1;
        }
        Ok(report)
    }
}

/// A sample image after the image settings (the Settings page's before/after preview):
/// what would be sent, its type, and what was done (`None`: it would go as it is).
pub fn preview(
    sample: &[u8],
    settings: &Settings,
) -> Result<(Vec<u8>, ImageKind, Option<Processed>)> {
    let kind = image::sniff(sample).ok_or_else(|| not_an_image("the sample"))?;
    Ok(
        match process::run(kind, sample, &settings.process_options(None))? {
            Some(d) => {
                let p = Processed::new(&d, sample.len() as u64);
                (d.bytes, d.kind, Some(p))
            }
            None => (sample.to_vec(), kind, None),
        },
    )
}

/// The largest file read when files over a host's limit are made to fit it.
const FIT_READ_LIMIT: u64 = 256 * 1024 * 1024;

/// Read and check an input, hash it, and do the image work (see [`process`]). Nothing is sent to
/// the image host before this passes. (The album's thumbnail is made after the link is out.)
async fn prepare(
    input: Input,
    limit: Option<ReadCap>,
    http: Http,
    options: process::Options,
) -> Result<Prepared> {
    let label = input.label();
    let (original_name, bytes) = match input {
        Input::Path(p) => (file_name_of(&p), read_checked(&p, limit).await?),
        Input::Url(u) => {
            download(
                &http,
                &u,
                limit.unwrap_or(ReadCap::Pixdrop(URL_DOWNLOAD_LIMIT)),
            )
            .await?
        }
        Input::Bytes { name, bytes } => {
            if bytes.is_empty() {
                return Err(Error::Input(msg!("{name}: the image is empty")));
            }
            check_size(&name, bytes.len() as u64, limit)?;
            (name, bytes)
        }
    };
    // The header is read and the file's structure checked before anything is decoded: a file
    // cut short or damaged is refused here, and nothing is sent.
    let kind = image::sniff(&bytes[..bytes.len().min(image::SNIFF_LEN)])
        .ok_or_else(|| not_an_image(&label))?;
    image::header(&bytes).map_err(|e| Error::Input(labelled(&label, &e)))?;
    let original_name = with_extension(original_name, kind);
    let source = bytes.clone();
    // Hashing and image work are the pipeline's heaviest CPU work; a blocking thread keeps
    // them off the runtime. The dedupe key is the original's SHA-256, and, when the stage
    // changed the bytes, what it was asked to do (a settings change sends the file anew).
    let original = bytes.clone();
    let (bytes, kind, sha256, sent_sha256, processed) = tokio::task::spawn_blocking(move || {
        let mut hash = Sha256::new();
        hash.update(&original);
        let done = process::run(kind, &original, &options)?;
        Ok::<_, Error>(match done {
            Some(d) => {
                hash.update(format!("\npixdrop:{options:?}").as_bytes());
                let processed = Processed::new(&d, original.len() as u64);
                let sent = hex::encode(Sha256::digest(&d.bytes));
                (
                    Bytes::from(d.bytes),
                    d.kind,
                    hex::encode(hash.finalize()),
                    sent,
                    Some(processed),
                )
            }
            None => {
                let sha = hex::encode(hash.finalize());
                (original, kind, sha.clone(), sha, None)
            }
        })
    })
    .await
    .map_err(|e| Error::Storage(msg!("preparing the file failed: {e}")))??;
    // The name follows a conversion: shot.png sent as JPEG is shot.jpg.
    let original_name = match &processed {
        Some(p) if p.converted_to.is_some() && p.converted_from != p.converted_to => {
            renamed_for(&original_name, kind)
        }
        _ => original_name,
    };
    Ok(Prepared {
        original_name,
        before: processed.is_some().then_some(source),
        bytes,
        kind,
        sha256,
        sent_sha256,
        processed,
    })
}

/// An error as one line that names its input ("a.png: not an image"), the input said once even
/// when the message already starts with it.
pub fn labelled(input: &str, e: &Error) -> Msg {
    let said = e.msg();
    if said.starts_with(input) {
        said
    } else {
        msg!("{input}: {said}")
    }
}

fn file_name_of(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "image".into())
}

/// Give a name without an extension the one its bytes call for.
/// `name` with the extension of `kind` in place of its own.
fn renamed_for(name: &str, kind: ImageKind) -> String {
    let stem = match name.rfind('.') {
        Some(i) if i > 0 => &name[..i],
        _ => name,
    };
    format!("{stem}.{}", kind.extension())
}

fn with_extension(name: String, kind: ImageKind) -> String {
    let has_ext = name.rfind('.').is_some_and(|i| i > 0 && i + 1 < name.len());
    if has_ext {
        name
    } else {
        format!("{name}.{}", kind.extension())
    }
}

fn not_an_image(label: &str) -> Error {
    Error::Input(msg!(
        "{label}: not an image (its content is not PNG, JPEG, GIF, WebP, BMP, TIFF, ICO, AVIF or HEIC)"
    ))
}

pub(crate) fn human_size(n: u64) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
    } else if n >= 1024 {
        format!("{:.1} KB", n as f64 / 1024.0)
    } else {
        format!("{n} bytes")
    }
}

fn check_size(label: &str, size: u64, limit: Option<ReadCap>) -> Result<()> {
    let max = match limit {
        Some(ReadCap::Host(max) | ReadCap::Pixdrop(max)) if size > max => max,
        _ => return Ok(()),
    };
    // Rounded alike, a file just over the limit would read "5.0 MB is larger than 5.0 MB":
    // then both are given in bytes.
    let (size_text, max_text) = if human_size(size) == human_size(max) {
        (format!("{size} bytes"), format!("{max} bytes"))
    } else {
        (human_size(size), human_size(max))
    };
    Err(Error::TooLarge(match limit {
        Some(ReadCap::Host(_)) => {
            msg!("{label}: {size_text} is larger than the host's limit of {max_text}")
        }
        _ => msg!(
            "{label}: {size_text} is larger than {max_text}, the most Pixdrop reads or downloads of one image"
        ),
    }))
}

/// A download stopped because it passed `limit`: said as such (the size so far is not the
/// file's size).
fn download_cut_off(url: &str, limit: ReadCap) -> Error {
    Error::TooLarge(match limit {
        ReadCap::Host(max) => msg!("{url}: {why}", why = msg!("the download passed the host's limit of {} and was stopped there",
            human_size(max))),
        ReadCap::Pixdrop(max) => msg!("{url}: {why}", why = msg!("the download passed {}, the most Pixdrop downloads of one image, and was stopped there",
            human_size(max))),
    })
}

async fn read_checked(p: &Path, limit: Option<ReadCap>) -> Result<Bytes> {
    let label = p.display().to_string();
    let meta = match tokio::fs::metadata(p).await {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::file(p, msg!("no such file")))
        }
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            return Err(Error::file(p, msg!("permission denied")))
        }
        Err(e) => return Err(Error::file(p, Msg::plain(e.to_string()))),
    };
    if meta.is_dir() {
        return Err(Error::file(p, msg!("is a folder, not a file")));
    }
    if !meta.is_file() {
        return Err(Error::file(
            p,
            msg!("is not a regular file (a pipe, a device or a socket); save the image to a file first"),
        ));
    }
    if meta.len() == 0 {
        return Err(Error::file(p, msg!("the file is empty")));
    }
    check_size(&label, meta.len(), limit)?;
    let bytes = tokio::fs::read(p).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::PermissionDenied => Error::file(p, msg!("permission denied")),
        _ => Error::file(p, msg!("cannot read: {e}")),
    })?;
    if bytes.is_empty() {
        return Err(Error::file(p, msg!("the file is empty")));
    }
    Ok(bytes.into())
}

/// Fetch an image from a URL to upload it again.
pub(crate) async fn download(http: &Http, url: &str, limit: ReadCap) -> Result<(String, Bytes)> {
    let parsed = url::Url::parse(url)
        .map_err(|e| Error::Input(msg!("{url}: {why}", why = msg!("not a valid URL: {e}"))))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::Input(msg!("{url}: {why}", why = msg!("only http:// and https:// links are downloaded (and file: URLs of this computer's own files)"))));
    }
    let mut resp = http.client.get(parsed.clone()).send().await.map_err(|e| {
        Error::Input(msg!(
            "{url}: {why}",
            why = msg!("cannot download: {}", source_text(&e))
        ))
    })?;
    if !resp.status().is_success() {
        return Err(Error::Input(msg!(
            "{url}: {why}",
            why = msg!("downloading it answered HTTP {}", resp.status().as_u16())
        )));
    }
    if let Some(len) = resp.content_length() {
        check_size(url, len, Some(limit))?;
    }
    let (ReadCap::Host(max) | ReadCap::Pixdrop(max)) = limit;
    let mut buf = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| {
        Error::Input(msg!(
            "{url}: {why}",
            why = msg!("download broke off: {}", source_text(&e))
        ))
    })? {
        if buf.len() as u64 + chunk.len() as u64 > max {
            return Err(download_cut_off(url, limit));
        }
        buf.extend_from_slice(&chunk);
    }
    if buf.is_empty() {
        return Err(Error::Input(msg!(
            "{url}: {why}",
            why = msg!("the download is empty")
        )));
    }
    let name = parsed
        .path_segments()
        .and_then(|mut s| s.next_back().map(str::to_string))
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode(&s))
        .unwrap_or_else(|| "image".into());
    Ok((name, buf.into()))
}

fn source_text(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "timed out".into();
    }
    crate::error::root_cause(e)
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Log one upload's outcome: "{from}uploaded INPUT -> URL" or "{from}failed INPUT: why", where
/// `from` says who asked ("server: " for the local server, "" for the CLI, "app: " for the window).
pub fn log_outcome(paths: &Paths, from: &str, input: &str, result: &Result<Done>) {
    match result {
        Ok(d) => {
            crate::log::append(
                paths,
                &format!("{from}uploaded {input} -> {}", d.record.url),
            );
            if let Some(p) = &d.processed {
                crate::log::append(paths, &format!("{from}{input}: {}", p.describe()));
            }
            for note in d.notes() {
                crate::log::append(paths, &format!("{from}{input}: {note}"));
            }
        }
        Err(e) => crate::log::append(paths, &format!("{from}failed {}", labelled(input, e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_just_over_a_limit_can_be_told_apart() {
        let limit = 5 * 1024 * 1024;
        let host = Some(ReadCap::Host(limit));
        let e = check_size("big.png", limit + 10, host).unwrap_err();
        assert_eq!(
            e.to_string(),
            "big.png: 5242890 bytes is larger than the host's limit of 5242880 bytes"
        );
        let e = check_size("huge.png", 7 * 1024 * 1024, host).unwrap_err();
        assert_eq!(
            e.to_string(),
            "huge.png: 7.0 MB is larger than the host's limit of 5.0 MB"
        );
        assert!(check_size("ok.png", limit, host).is_ok());
        let e = check_size(
            "huge.png",
            300 * 1024 * 1024,
            Some(ReadCap::Pixdrop(FIT_READ_LIMIT)),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "huge.png: 300.0 MB is larger than 256.0 MB, the most Pixdrop reads or downloads of one image"
        );
        let e = download_cut_off("https://x/y.png", ReadCap::Pixdrop(FIT_READ_LIMIT));
        assert!(!e.to_string().contains("host"), "{e}");
    }

    #[test]
    fn inputs_are_urls_or_paths() {
        assert!(matches!(Input::parse("https://x/y.png"), Input::Url(_)));
        assert!(matches!(Input::parse("HTTP://x/y.png"), Input::Url(_)));
        assert!(matches!(Input::parse("./http.png"), Input::Path(_)));
        // A file: URL of this computer is its path, percent-decoded (spaces, CJK).
        match Input::parse("file:///tmp/a%20b/%E5%9B%BE.png") {
            Input::Path(p) => assert_eq!(p, PathBuf::from("/tmp/a b/图.png")),
            other => panic!("{other:?}"),
        }
        // Another computer's is not a path here: it is refused when downloaded.
        assert!(matches!(
            Input::parse("file://server/share/a.png"),
            Input::Url(_)
        ));
    }

    #[test]
    fn names_get_the_extension_their_bytes_call_for() {
        assert_eq!(with_extension("shot".into(), ImageKind::Png), "shot.png");
        assert_eq!(with_extension("a.jpg".into(), ImageKind::Png), "a.jpg");
        assert_eq!(
            with_extension(".hidden".into(), ImageKind::Gif),
            ".hidden.gif"
        );
        assert_eq!(percent_decode("a%20b%2"), "a b%2");
        assert_eq!(percent_decode("shot%20one.png%20"), "shot one.png ");
    }

    #[test]
    fn clipboard_bytes_keep_their_format_and_non_images_are_refused() {
        let jpeg = b"\xFF\xD8\xFF\xE0 not really a whole jpeg".to_vec();
        match Input::clipboard(jpeg.clone()).unwrap() {
            Input::Bytes { name, bytes } => {
                assert!(
                    name.starts_with("clipboard-") && name.ends_with(".jpg"),
                    "{name}"
                );
                assert_eq!(&bytes[..], &jpeg[..]);
            }
            other => panic!("{other:?}"),
        }
        let err = Input::clipboard(b"<html>".to_vec()).unwrap_err();
        assert!(err.to_string().contains("format"), "{err}");
    }
}
