//! Uploads started in the app — dropped files, the file dialog, the clipboard, a URL, the global
//! shortcut — all go through pixdrop-core's pipeline from here.
//!
//! Rust holds each row's state; every change is sent to the UI as an `upload` event carrying
//! the whole row (with a sequence number, so a late event never overwrites a newer one), and
//! `uploads_list` gives the UI the rows when it (re)starts. The UI refers to a row by its id,
//! never by a path. Failed rows keep their input so Retry can send it again.

use pixdrop_core::msg;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use pixdrop_core::pipeline::{labelled, BatchProgress, BatchRetry};
use pixdrop_core::{image, Done, Error, Input, Msg, UploadOptions};
use tauri::{AppHandle, DragDropEvent, Manager, Runtime, Window};

use crate::error::AppError;
use crate::events;
use crate::payloads::UiEvent;
pub use crate::payloads::{BatchDone, Row, Source, Status};
use crate::{desktop, tray, AppState};

struct Entry {
    row: Row,
    input: Input,
    /// Last progress percentage sent to the UI (progress events are sent per percent).
    shown_percent: u64,
}

#[derive(Default)]
pub struct Uploads {
    next_id: AtomicU64,
    seq: AtomicU64,
    next_batch: AtomicU64,
    rows: Mutex<HashMap<u64, Entry>>,
}

/// The thumbnail URL of row `id` (see [`crate::images`]).
fn thumb_url(id: u64) -> String {
    format!("{}{id}", crate::images::base())
}

impl Uploads {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Entry>> {
        self.rows.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Change row `id` and return its new state (None if it was dismissed).
    fn update(&self, id: u64, f: impl FnOnce(&mut Entry)) -> Option<Row> {
        let mut rows = self.lock();
        let entry = rows.get_mut(&id)?;
        f(entry);
        entry.row.seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        Some(entry.row.clone())
    }

    /// A number for the next batch: rows of one drop or pick share it.
    fn new_batch(&self) -> u64 {
        self.next_batch.fetch_add(1, Ordering::Relaxed) + 1
    }

    fn add(&self, input: Input, source: Source, batch: u64) -> Row {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let (name, thumb) = match &input {
            Input::Path(p) => (
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| p.display().to_string()),
                Some(thumb_url(id)),
            ),
            Input::Bytes { name, .. } => (name.clone(), Some(thumb_url(id))),
            // No bytes yet: its thumbnail comes from the album once it is uploaded.
            Input::Url(u) => (
                u.rsplit('/')
                    .find(|s| !s.is_empty())
                    .unwrap_or(u)
                    .to_string(),
                None,
            ),
        };
        let row = Row {
            batch,
            id,
            seq: self.seq.fetch_add(1, Ordering::Relaxed) + 1,
            name,
            source,
            status: Status::Waiting,
            sent: 0,
            total: 0,
            thumb,
            link: None,
            url: None,
            record_id: None,
            duplicate: false,
            notes: Vec::new(),
            also_on: Vec::new(),
            processed: None,
            error: None,
            retry: None,
        };
        self.lock().insert(
            id,
            Entry {
                row: row.clone(),
                input,
                shown_percent: 0,
            },
        );
        row
    }

    pub fn list(&self) -> Vec<Row> {
        let mut rows: Vec<Row> = self.lock().values().map(|e| e.row.clone()).collect();
        rows.sort_by_key(|r| r.id);
        rows
    }

    /// Forget finished rows (uploading ones stay).
    pub fn dismiss(&self, ids: &[u64]) {
        let mut rows = self.lock();
        for id in ids {
            if rows
                .get(id)
                .is_some_and(|e| matches!(e.row.status, Status::Done | Status::Failed))
            {
                rows.remove(id);
            }
        }
    }

    /// The image bytes behind row `id`'s thumbnail: its in-memory bytes, or its file if the
    /// file's first bytes say it is an image. Nothing else is ever served.
    pub fn thumbnail(&self, id: u64) -> Option<(Vec<u8>, &'static str)> {
        let source = match &self.lock().get(&id)?.input {
            Input::Bytes { bytes, .. } => Ok(bytes.to_vec()),
            Input::Path(p) => Err(p.clone()),
            Input::Url(_) => return None,
        };
        let bytes = match source {
            Ok(b) => b,
            Err(path) => read_image_file(&path)?,
        };
        let kind = image::sniff(&bytes)?;
        Some((bytes, kind.mime()))
    }
}

/// Largest file served as a thumbnail.
const THUMB_LIMIT: u64 = 64 * 1024 * 1024;

fn read_image_file(path: &Path) -> Option<Vec<u8>> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > THUMB_LIMIT || !image::is_image_file(path) {
        return None;
    }
    std::fs::read(path).ok()
}

fn emit_row<R: Runtime>(app: &AppHandle<R>, row: Option<Row>) {
    if let Some(row) = row {
        events::send(app, UiEvent::Upload { row: Box::new(row) });
    }
}

/// Queue `inputs` as new rows and upload them with the default config. Returns the row ids.
pub fn start<R: Runtime>(app: &AppHandle<R>, inputs: Vec<Input>, source: Source) -> Vec<u64> {
    let uploads = &app.state::<AppState>().uploads;
    let batch = uploads.new_batch();
    let ids: Vec<u64> = inputs
        .into_iter()
        .map(|input| {
            let row = uploads.add(input, source, batch);
            let id = row.id;
            emit_row(app, Some(row));
            id
        })
        .collect();
    run(app.clone(), ids.clone(), source);
    ids
}

/// Send a failed row again.
pub fn retry<R: Runtime>(app: &AppHandle<R>, id: u64) -> Result<(), AppError> {
    let uploads = &app.state::<AppState>().uploads;
    let mut source = Source::Dialog;
    let row = uploads.update(id, |e| {
        if e.row.status == Status::Failed {
            e.row.status = Status::Waiting;
            e.row.error = None;
            e.row.sent = 0;
            e.shown_percent = 0;
        }
        source = e.row.source;
    });
    match row {
        Some(r) if r.status == Status::Waiting => {
            emit_row(app, Some(r));
            run(app.clone(), vec![id], source);
            Ok(())
        }
        Some(_) => Err(AppError::input(msg!(
            "upload {id} has not failed; only failed uploads can be retried"
        ))),
        None => Err(AppError::not_found(msg!(
            "there is no upload {id} (it was dismissed)"
        ))),
    }
}

fn run<R: Runtime>(app: AppHandle<R>, ids: Vec<u64>, source: Source) {
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let engine = state.engine.clone();
        let inputs: Vec<Input> = {
            let rows = state.uploads.lock();
            ids.iter()
                .map(|id| {
                    rows.get(id)
                        .map(|e| e.input.clone())
                        .unwrap_or_else(|| Input::Path(PathBuf::new()))
                })
                .collect()
        };
        let icon = match inputs.as_slice() {
            [Input::Path(p)] => Some(p.clone()),
            _ => None,
        };
        let progress: BatchProgress = {
            let app = app.clone();
            let ids = ids.clone();
            Arc::new(move |index, sent, total| {
                let Some(&id) = ids.get(index) else { return };
                let percent = (sent * 100).checked_div(total).unwrap_or(100);
                let uploads = &app.state::<AppState>().uploads;
                let mut changed = false;
                let row = uploads.update(id, |e| {
                    e.row.status = Status::Uploading;
                    e.row.sent = sent;
                    e.row.total = total;
                    if percent != e.shown_percent || sent == 0 {
                        e.shown_percent = percent;
                        changed = true;
                    }
                });
                if changed {
                    emit_row(&app, row);
                }
            })
        };
        // A retry coming: the row says "retry 2 of 3 in 4 s" and its bar starts over.
        let retrying: BatchRetry = {
            let app = app.clone();
            let ids = ids.clone();
            Arc::new(move |index, retry| {
                let Some(&id) = ids.get(index) else { return };
                let row = app.state::<AppState>().uploads.update(id, |e| {
                    e.row.sent = 0;
                    e.shown_percent = 0;
                    e.row.retry = Some(retry);
                });
                emit_row(&app, row);
            })
        };
        let opts = UploadOptions {
            progress: Some(progress),
            retrying: Some(retrying),
            ..Default::default()
        };
        let mut done: Vec<(usize, Done)> = Vec::new();
        let mut failures = Vec::new();
        let mut stream = std::pin::pin!(engine.upload_stream(inputs, opts));
        while let Some(outcome) = stream.next().await {
            let id = ids[outcome.index];
            pixdrop_core::pipeline::log_outcome(
                engine.paths(),
                "app: ",
                &outcome.input,
                &outcome.result,
            );
            let row = match outcome.result {
                Ok(d) => {
                    let row = state.uploads.update(id, |e| {
                        e.row.retry = None;
                        e.row.status = Status::Done;
                        e.row.sent = e.row.total.max(d.record.size);
                        e.row.total = e.row.sent;
                        e.row.link = Some(d.link.clone());
                        e.row.url = Some(d.record.url.clone());
                        e.row.record_id = Some(d.record.id);
                        if e.row.thumb.is_none() {
                            e.row.thumb = Some(crate::images::album_thumb_url(d.record.id));
                        }
                        e.row.duplicate = d.duplicate;
                        e.row.notes = crate::payloads::RowNote::of(&d);
                        e.row.processed = d.processed.clone();
                        e.row.also_on = d
                            .mirrors
                            .iter()
                            .filter(|m| m.record.is_some())
                            .map(|m| m.config.clone())
                            .collect();
                    });
                    done.push((outcome.index, d));
                    row
                }
                Err(err) => {
                    failures.push(labelled(&file_label(&outcome.input), &err));
                    state.uploads.update(id, |e| {
                        e.row.retry = None;
                        e.row.status = Status::Failed;
                        e.row.error = Some(AppError::from(err));
                    })
                }
            };
            emit_row(&app, row);
        }
        done.sort_by_key(|(i, _)| *i);
        let done: Vec<Done> = done.into_iter().map(|(_, d)| d).collect();
        finished(&app, source, &done, &failures, icon);
    });
}

fn file_label(input: &str) -> String {
    Path::new(input)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|_| !input.starts_with("http"))
        .unwrap_or_else(|| input.to_string())
}

/// After any batch (the window's, the shortcut's, the tray's or the local server's): copy the
/// links when auto-copy is on, notify, refresh the tray's recent list, tell the UI.
pub fn finished<R: Runtime>(
    app: &AppHandle<R>,
    source: Source,
    done: &[Done],
    failures: &[Msg],
    icon: Option<PathBuf>,
) -> BatchDone {
    let engine = app.state::<AppState>().engine.clone();
    let settings = engine.settings();
    let mut report = BatchDone {
        source,
        uploaded: done.len(),
        duplicates: done.iter().filter(|d| d.duplicate).count(),
        failed: failures.len(),
        copied: None,
        copy_error: None,
    };
    if settings.auto_copy && !done.is_empty() {
        let text = done
            .iter()
            .map(|d| d.link.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        match desktop::copy(app, &text) {
            Ok(()) => report.copied = Some(text),
            Err(e) => {
                pixdrop_core::log::append(engine.paths(), &e);
                report.copy_error = Some(e);
            }
        }
    }
    desktop::notify(&settings, done, failures, report.copied.is_some(), icon);
    if !done.is_empty() {
        tray::refresh(app);
        events::send(app, UiEvent::AlbumChanged);
        crate::sync_auto::changed(app);
    }
    events::send(
        app,
        UiEvent::UploadsFinished {
            batch: report.clone(),
        },
    );
    report
}

/// Upload what the clipboard holds; an empty clipboard is an error and nothing is queued.
pub fn start_clipboard<R: Runtime>(app: &AppHandle<R>, source: Source) -> Result<Vec<u64>, Error> {
    let inputs = pixdrop_clipboard::inputs()?;
    Ok(start(app, inputs, source))
}

/// The shortcut's and the tray's upload: what goes wrong is said in a notification (the window
/// may be hidden) and in the window.
pub fn clipboard_or_notify<R: Runtime>(app: &AppHandle<R>, source: Source) {
    // Reading a screenshot from its owner takes a while: never on the event loop's thread.
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || clipboard_or_notify_now(&app, source));
}

fn clipboard_or_notify_now<R: Runtime>(app: &AppHandle<R>, source: Source) {
    if let Err(e) = start_clipboard(app, source) {
        let engine = app.state::<AppState>().engine.clone();
        let settings = engine.settings();
        let lang = desktop::language(&settings);
        pixdrop_core::log::append(engine.paths(), &format!("clipboard upload: {e}"));
        desktop::show(desktop::text(lang, "failed").into(), e.to_string(), None);
        events::send(
            app,
            UiEvent::Notice {
                error: AppError::from(e),
            },
        );
    }
}

/// Check a typed or pasted URL: http(s) only, so the webview can never name a local file.
pub fn url_input(text: &str) -> Result<Input, Error> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::Input(msg!("type or paste an image URL first")));
    }
    match url::Url::parse(text) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
            Ok(Input::Url(u.to_string()))
        }
        Ok(u) => Err(Error::Input(msg!(
            "{text:?} is a {}: URL; only http:// and https:// image URLs can be uploaded",
            u.scheme()
        ))),
        Err(e) => Err(Error::Input(msg!(
            "{text:?} is not a URL ({e}); paste a link like https://example.com/cat.png"
        ))),
    }
}

/// The window's native drag-and-drop: a hover state for the UI, and dropped files uploaded.
pub fn on_drag_drop(window: &Window, event: &DragDropEvent) {
    let app = window.app_handle();
    match event {
        DragDropEvent::Enter { .. } => {
            events::send(app, UiEvent::DropHover { on: true });
        }
        DragDropEvent::Leave => {
            events::send(app, UiEvent::DropHover { on: false });
        }
        DragDropEvent::Drop { paths, .. } => {
            events::send(app, UiEvent::DropHover { on: false });
            // A Markdown note is not uploaded: its local images are offered instead.
            let (notes, files): (Vec<_>, Vec<_>) = paths
                .iter()
                .cloned()
                .partition(|p| pixdrop_core::links::is_note(p) && p.is_file());
            if !notes.is_empty() {
                crate::note_offers::offer(app, notes);
            }
            if !files.is_empty() {
                start(
                    app,
                    files.into_iter().map(Input::Path).collect(),
                    Source::Drop,
                );
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_urls_are_accepted() {
        assert!(
            matches!(url_input(" https://e.com/a.png "), Ok(Input::Url(u)) if u == "https://e.com/a.png")
        );
        for bad in [
            "",
            "   ",
            "/etc/passwd",
            "file:///etc/passwd",
            "ftp://e.com/a.png",
            "cat.png",
        ] {
            let e = url_input(bad).unwrap_err().to_string();
            assert!(!e.is_empty(), "{bad}");
        }
        assert!(url_input("file:///etc/passwd")
            .unwrap_err()
            .to_string()
            .contains("file:"));
    }

    #[test]
    fn rows_keep_their_input_and_newer_state() {
        let u = Uploads::default();
        let a = u.add(Input::Url("https://e.com/x/cat.png".into()), Source::Url, 1);
        assert_eq!(a.name, "cat.png");
        assert_eq!(a.thumb, None, "the window loads nothing from the network");
        let b = u.add(
            Input::Bytes {
                name: "clip.png".into(),
                bytes: pixdrop_core::image::encode_png(1, 1, &[0, 0, 0, 255])
                    .unwrap()
                    .into(),
            },
            Source::Clipboard,
            2,
        );
        let later = u.update(b.id, |e| e.row.status = Status::Failed).unwrap();
        assert!(later.seq > b.seq);
        let (bytes, mime) = u.thumbnail(b.id).unwrap();
        assert_eq!(mime, "image/png");
        assert!(!bytes.is_empty());
        assert!(
            u.thumbnail(a.id).is_none(),
            "URL rows are shown from the URL"
        );
        u.dismiss(&[a.id, b.id]);
        assert_eq!(u.list().len(), 1, "a waiting row is not dismissed");
        assert_eq!(u.list()[0].id, a.id);
    }

    #[test]
    fn thumbnails_are_only_images() {
        let dir = tempfile_dir();
        let txt = dir.join("notes.png");
        std::fs::write(&txt, b"not an image").unwrap();
        let u = Uploads::default();
        let r = u.add(Input::Path(txt), Source::Drop, 1);
        assert!(u.thumbnail(r.id).is_none());
        let _ = std::fs::remove_dir_all(dir);
    }

    fn tempfile_dir() -> PathBuf {
        let d = std::env::temp_dir().join(format!("pixdrop-app-test-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
