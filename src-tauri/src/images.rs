//! The `thumb:` protocol: every image the window shows comes through it, from Rust, so the
//! webview loads nothing from the network (the CSP's `img-src` has no `http:`/`https:`).
//!
//! - `/{row}`: an Upload-page row's thumbnail, made from its file or pasted bytes;
//! - `/album/{id}`: an album record's thumbnail, from the cache or its original (downloaded);
//! - `/original/{id}`: a record's image as the host serves it (the Details view);
//! - `/preview/{before|after}`: the Settings page's sample, before and after the image settings.
//!
//! Also the background round that makes the thumbnails imported records lack.

use std::time::Duration;

use pixdrop_core::thumbs::EDGE;
use pixdrop_core::Engine;
use tauri::http::{Request, Response};
use tauri::{AppHandle, Manager, Runtime, UriSchemeContext, UriSchemeResponder};
use tokio::sync::Notify;

use crate::AppState;

/// A background round runs this often (and after an import or a host sync).
const FILL_EVERY: Duration = Duration::from_secs(600);

/// The URL of an album record's thumbnail, for rows whose input had no bytes (a URL).
pub fn album_thumb_url(id: i64) -> String {
    format!("{}album/{id}", base())
}

/// This platform's custom-protocol convention (Tauri's `convertFileSrc`).
pub fn base() -> &'static str {
    if cfg!(windows) {
        "http://thumb.localhost/"
    } else {
        "thumb://localhost/"
    }
}

fn respond(responder: UriSchemeResponder, found: Option<(Vec<u8>, &'static str)>) {
    let response = match found {
        Some((bytes, mime)) => Response::builder()
            .header("Content-Type", mime)
            .header("Cache-Control", "no-store")
            .body(bytes),
        // The window shows a placeholder tile, and asks again when the tile is shown again.
        None => Response::builder().status(404).body(Vec::new()),
    };
    responder.respond(response.unwrap_or_default());
}

pub fn serve<R: Runtime>(
    ctx: UriSchemeContext<'_, R>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let app = ctx.app_handle().clone();
    let path = request.uri().path().trim_start_matches('/').to_string();
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        ["album", id] | ["original", id] => {
            let original = parts[0] == "original";
            let Ok(id) = id.parse::<i64>() else {
                return respond(responder, None);
            };
            tauri::async_runtime::spawn(async move {
                let engine = app.state::<AppState>().engine.clone();
                respond(responder, album_image(&engine, id, original).await);
            });
        }
        ["preview", "before"] => respond(responder, Some((SAMPLE_PHOTO.to_vec(), "image/jpeg"))),
        ["preview", "after"] => {
            let after = app
                .state::<AppState>()
                .preview
                .lock()
                .ok()
                .and_then(|p| p.as_ref().map(|p| p.after.clone()));
            respond(responder, after);
        }
        [row] => {
            let Ok(id) = row.parse::<u64>() else {
                return respond(responder, None);
            };
            std::thread::spawn(move || {
                let found = app
                    .state::<AppState>()
                    .uploads
                    .thumbnail(id)
                    .map(|(bytes, mime)| {
                        // A small WebP, not the photo itself: the page decodes kilobytes, not
                        // megabytes, per row. What cannot be made smaller is shown as it is.
                        match pixdrop_core::process::thumbnail(&bytes, EDGE) {
                            Ok(t) => (t, "image/webp"),
                            Err(_) => (bytes, mime),
                        }
                    });
                respond(responder, found);
            });
        }
        _ => respond(responder, None),
    }
}

async fn album_image(engine: &Engine, id: i64, original: bool) -> Option<(Vec<u8>, &'static str)> {
    let record = engine.album().get(id).ok()??;
    if original {
        let bytes = engine.original(&record).await.ok()?;
        let mime = pixdrop_core::image::sniff(&bytes)?.mime();
        return Some((bytes.to_vec(), mime));
    }
    engine
        .thumbnail(&record)
        .await
        .ok()
        .map(|t| (t, "image/webp"))
}

/// The photo the image settings are previewed on (made for Pixdrop, with a GPS position and a
/// camera in its EXIF): the "before" of the Settings page's preview.
pub const SAMPLE_PHOTO: &[u8] = include_bytes!("../assets/sample.jpg");

/// The Settings page's sample after the image settings.
#[derive(Clone)]
pub struct Preview {
    /// Counts the previews made (each gets new URLs, so the window reloads them).
    pub version: u64,
    pub after: (Vec<u8>, &'static str),
}

/// Wakes the background round early (after an import or a host sync).
#[derive(Default)]
pub struct Filler(Notify);

impl Filler {
    pub fn soon(&self) {
        self.0.notify_one();
    }
}

/// Make the thumbnails the album lacks, a few at a time: at start, every 10 minutes (a host
/// that was unreachable is tried again), and soon after an import or a sync.
pub fn fill_in_background<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        loop {
            let engine = app.state::<AppState>().engine.clone();
            let report = engine.fill_thumbnails().await;
            if report.made + report.failed > 0 {
                pixdrop_core::log::append(
                    engine.paths(),
                    &format!(
                        "app: thumbnails: {} made, {} could not be downloaded{}",
                        report.made,
                        report.failed,
                        if report.cache_full {
                            " (cache full)"
                        } else {
                            ""
                        }
                    ),
                );
            }
            let filler = &app.state::<AppState>().thumbs_filler;
            tokio::select! {
                () = filler.0.notified() => {}
                () = tokio::time::sleep(FILL_EVERY) => {}
            }
        }
    });
}
