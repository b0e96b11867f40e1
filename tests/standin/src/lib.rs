//! A stand-in SM.MS / S.EE host for tests and benchmarks.
//!
//! It is a real HTTP server on 127.0.0.1 that answers like the real APIs: SM.MS v2
//! (`/api/v2/...`, `code:"success"`) and S.EE (`/api/v1/file/...`, `code:200`), including their
//! failures: `image_repeated` for bytes it already holds, `unauthorized` for a wrong token, and
//! scripted ones ([`Behavior`]) such as "Flood detected", Cloudflare HTML pages, 5xx, 429 and
//! slow answers. Uploaded images are kept in memory and served back under `/i/...`.

#![allow(clippy::result_large_err)] // handlers answer early with whole responses

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub mod bombs;
mod chevereto;
mod custom;
mod github;
mod imgur;
mod links;
mod lsky;
mod upyun;
pub use custom::CustomRequest;

/// SM.MS's limit.
pub const MAX_SIZE: usize = 5 * 1024 * 1024;

/// How the next upload request is answered (scripted failures are used once each, in order).
#[derive(Debug, Clone, PartialEq)]
pub enum Behavior {
    /// The real behaviour: store the image, or answer `image_repeated` if it is already stored.
    Normal,
    /// `{"success":false,"code":"flood","message":"Flood detected, ..."}` with HTTP 200.
    Flood,
    /// A Cloudflare "Attention Required" page with HTTP 403.
    Html403,
    /// A Cloudflare 503 page.
    Html503,
    /// HTTP 500 with a JSON error.
    Status500,
    /// HTTP 429 with `Retry-After`.
    TooMany { retry_after_secs: u64 },
    /// Wait this long, then answer normally.
    Slow(Duration),
    /// HTTP 200 with a plain-text body.
    PlainText(String),
    /// This exact answer: a service's own documented failure (a rate limit with its headers).
    Answer {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
}

/// One image the host holds.
#[derive(Debug, Clone)]
pub struct Stored {
    pub file_name: String,
    pub store_name: String,
    pub hash: String,
    pub url: String,
    pub sha256: String,
    pub size: usize,
    pub bytes: Bytes,
    /// The type the upload's file part declared (empty for preloaded images).
    pub content_type: String,
    pub created_secs: u64,
    pub deleted: bool,
}

#[derive(Default)]
pub(crate) struct Inner {
    script: VecDeque<Behavior>,
    pub(crate) stored: Vec<Stored>,
    upload_requests: usize,
    /// Extra files served under `/files/NAME` (for URL-upload tests).
    files: HashMap<String, (String, Bytes)>,
    /// Authorization headers seen, in order.
    auth_seen: Vec<String>,
    /// Requests to the custom web-API endpoints, in order.
    pub(crate) custom_requests: Vec<custom::CustomRequest>,
    /// Requests to the hosted services' endpoints (GitHub, Imgur, Lsky Pro, Chevereto, Upyun),
    /// in order; `shape` names the service.
    pub(crate) hosted_requests: Vec<custom::CustomRequest>,
    /// Files the hosted services hold, by service and key, served under `/o/{service}/{key}`.
    pub(crate) objects: std::collections::BTreeMap<String, Object>,
    /// How many more uploads Imgur's post limit allows (None: no limit).
    pub(crate) imgur_posts_left: Option<u32>,
    /// Requests being answered on `/slow/…` now, and the most there were at once.
    pub(crate) slow_in_flight: (usize, usize),
}

/// A file a hosted service holds.
#[derive(Debug, Clone)]
pub struct Object {
    pub bytes: Bytes,
    pub content_type: String,
    /// The service's handle for it (a GitHub blob SHA, an Imgur delete hash, a Lsky key).
    pub handle: String,
}

pub(crate) struct Shared {
    pub(crate) token: String,
    pub(crate) base: Mutex<String>,
    inner: Mutex<Inner>,
}

impl Shared {
    /// Mark the live image with this delete hash deleted; false when there is none.
    pub(crate) fn delete(&self, hash: &str) -> bool {
        let mut inner = self.lock();
        match inner
            .stored
            .iter_mut()
            .find(|s| s.hash == hash && !s.deleted)
        {
            Some(s) => {
                s.deleted = true;
                true
            }
            None => false,
        }
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running stand-in host. Stops when dropped.
pub struct StandIn {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl StandIn {
    /// Start on a free port of 127.0.0.1, accepting `token`.
    pub fn start(token: &str) -> StandIn {
        Self::start_on(token, 0).expect("start the stand-in host")
    }

    /// Start on `port` (0 for any free one).
    pub fn start_on(token: &str, port: u16) -> std::io::Result<StandIn> {
        let shared = Arc::new(Shared {
            token: token.to_string(),
            base: Mutex::new(String::new()),
            inner: Mutex::default(),
        });
        let listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        *shared.base.lock().unwrap() = format!("http://{addr}");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = router(shared.clone());
        let thread = std::thread::Builder::new()
            .name("standin".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                    axum::serve(listener, app)
                        .with_graceful_shutdown(async {
                            let _ = stopped.await;
                        })
                        .await
                        .unwrap();
                });
            })?;
        Ok(StandIn {
            addr,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answer the next upload requests with these behaviours, in order.
    pub fn script(&self, behaviors: impl IntoIterator<Item = Behavior>) {
        self.shared.lock().script.extend(behaviors);
    }

    /// How many upload requests arrived (answered or not).
    pub fn upload_requests(&self) -> usize {
        self.shared.lock().upload_requests
    }

    /// The images the host holds (deleted ones included, marked).
    pub fn stored(&self) -> Vec<Stored> {
        self.shared.lock().stored.clone()
    }

    /// The URL of the image stored under `file_name` (uploads in a batch finish in any order).
    pub fn url_of(&self, file_name: &str) -> String {
        let stored = self.stored();
        let found = stored.iter().find(|s| s.file_name == file_name);
        found
            .unwrap_or_else(|| panic!("the host holds no {file_name}"))
            .url
            .clone()
    }

    /// The requests that reached the custom web-API endpoints (`/custom/...`), in order.
    pub fn custom_requests(&self) -> Vec<CustomRequest> {
        self.shared.lock().custom_requests.clone()
    }

    /// The requests that reached the hosted services' endpoints, in order.
    pub fn hosted_requests(&self) -> Vec<CustomRequest> {
        self.shared.lock().hosted_requests.clone()
    }

    /// The files the hosted services hold, keyed `{service}/{key}`.
    pub fn objects(&self) -> std::collections::BTreeMap<String, Object> {
        self.shared.lock().objects.clone()
    }

    /// Let Imgur take `n` more uploads; after them it answers 429 as its post limit does.
    pub fn imgur_post_limit(&self, n: u32) {
        self.shared.lock().imgur_posts_left = Some(n);
    }

    /// The `Authorization` headers that reached the host.
    pub fn auth_seen(&self) -> Vec<String> {
        self.shared.lock().auth_seen.clone()
    }

    /// Serve `bytes` at `/files/NAME` with `content_type`; returns the URL.
    pub fn serve_file(&self, name: &str, content_type: &str, bytes: Vec<u8>) -> String {
        self.shared.lock().files.insert(
            name.to_string(),
            (content_type.to_string(), Bytes::from(bytes)),
        );
        format!(
            "{}/files/{}",
            self.base_url(),
            name.replace('%', "%25").replace(' ', "%20")
        )
    }

    /// Put an image in the host's history as if uploaded earlier from elsewhere.
    pub fn preload(&self, file_name: &str, bytes: &[u8], created_secs: u64) -> Stored {
        let base = self.shared.base.lock().unwrap().clone();
        let mut inner = self.shared.lock();
        let s = new_stored(
            &base,
            file_name,
            Bytes::copy_from_slice(bytes),
            inner.stored.len(),
            created_secs,
        );
        inner.stored.push(s.clone());
        s
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Dialect {
    V2,
    See,
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/api/v2/upload",
            post(|s, h, m| upload(s, h, m, Dialect::V2)),
        )
        .route(
            "/api/v1/file/upload",
            post(|s, h, m| upload(s, h, m, Dialect::See)),
        )
        .route(
            "/api/v2/delete/{hash}",
            get(|s, h, p| delete(s, h, p, Dialect::V2)),
        )
        .route(
            "/api/v1/file/delete/{hash}",
            get(|s, h, p| delete(s, h, p, Dialect::See)),
        )
        .route(
            "/api/v2/upload_history",
            get(|s, h, q| history(s, h, q, Dialect::V2)),
        )
        .route(
            "/api/v1/files",
            get(|s, h, q| history(s, h, q, Dialect::See)),
        )
        .route("/api/v2/profile", post(profile))
        .route("/i/{*path}", get(image))
        .route("/files/{name}", get(file))
        .route("/o/{*key}", get(object))
        .merge(custom::routes())
        .merge(links::routes())
        .nest("/github", github::routes())
        .nest("/imgur", imgur::routes())
        .nest("/lsky", lsky::routes())
        .nest("/chevereto", chevereto::routes())
        .nest("/upyun", upyun::routes())
        .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
        .with_state(shared)
}

fn success(dialect: Dialect, message: &str, data: Value) -> Value {
    let code = match dialect {
        Dialect::V2 => json!("success"),
        Dialect::See => json!(200),
    };
    json!({"success": true, "code": code, "message": message, "data": data, "RequestId": "7E0A4A3B-STANDIN"})
}

fn failure(dialect: Dialect, code: &str, message: &str) -> Value {
    let code = match (dialect, code) {
        (Dialect::See, "unauthorized") => json!(401),
        (Dialect::See, "not_found") => json!(404),
        _ => json!(code),
    };
    json!({"success": false, "code": code, "message": message, "RequestId": "7E0A4A3B-STANDIN"})
}

fn authorized(shared: &Shared, headers: &HeaderMap) -> bool {
    let got = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let ok = got == shared.token;
    shared.lock().auth_seen.push(got);
    ok
}

fn unauthorized(dialect: Dialect) -> Response {
    let status = if dialect == Dialect::See {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    (
        status,
        Json(failure(dialect, "unauthorized", "Unauthorized.")),
    )
        .into_response()
}

const CLOUDFLARE_403: &str = "<!DOCTYPE html>\n<html lang=\"en-US\"><head><title>Attention Required! | Cloudflare</title></head><body><h1>Sorry, you have been blocked</h1></body></html>";
const CLOUDFLARE_503: &str = "<!DOCTYPE html>\n<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center><hr><center>cloudflare</center></body></html>";

pub(crate) fn html(status: StatusCode, body: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=UTF-8")],
        body,
    )
        .into_response()
}

async fn upload(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    mut form: Multipart,
    dialect: Dialect,
) -> Response {
    if let Some(answer) = scripted(&shared, dialect).await {
        return answer;
    }
    if !authorized(&shared, &headers) {
        return unauthorized(dialect);
    }
    let mut file: Option<(String, String, Bytes)> = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                let file_name = field.file_name().unwrap_or("image").to_string();
                let content_type = field.content_type().unwrap_or_default().to_string();
                let is_file = name == "smfile" || (dialect == Dialect::See && name == "file");
                match field.bytes().await {
                    Ok(b) if is_file => file = Some((file_name, content_type, b)),
                    Ok(_) => {}
                    Err(e) => {
                        return (
                            StatusCode::BAD_REQUEST,
                            Json(failure(dialect, "exception", &e.to_string())),
                        )
                            .into_response()
                    }
                }
            }
            Ok(None) => break,
            Err(e) => {
                return (
                    StatusCode::BAD_REQUEST,
                    Json(failure(dialect, "exception", &e.to_string())),
                )
                    .into_response()
            }
        }
    }
    let Some((file_name, content_type, bytes)) = file else {
        return Json(failure(dialect, "exception", "No files were uploaded.")).into_response();
    };
    if bytes.len() > MAX_SIZE {
        return Json(failure(dialect, "exception", "File is too large.")).into_response();
    }
    let sha = hex::encode(Sha256::digest(&bytes));
    let base = shared.base.lock().unwrap().clone();
    let mut inner = shared.lock();
    if let Some(s) = inner.stored.iter().find(|s| s.sha256 == sha && !s.deleted) {
        let url = s.url.clone();
        return Json(json!({
            "success": false,
            "code": "image_repeated",
            "message": format!("Image upload repeated limit, this image exists at: {url}"),
            "images": url,
            "RequestId": "7E0A4A3B-STANDIN"
        }))
        .into_response();
    }
    let mut s = new_stored(&base, &file_name, bytes, inner.stored.len(), unix_now());
    s.content_type = content_type;
    inner.stored.push(s.clone());
    Json(success(
        dialect,
        "Upload success.",
        item_json(&s, dialect, &base),
    ))
    .into_response()
}

/// Count an upload request and answer it as scripted, unless the script says `Normal`.
pub(crate) async fn scripted(shared: &Shared, dialect: Dialect) -> Option<Response> {
    let behavior = {
        let mut inner = shared.lock();
        inner.upload_requests += 1;
        inner.script.pop_front().unwrap_or(Behavior::Normal)
    };
    let answer = match behavior {
        Behavior::Normal => return None,
        Behavior::Slow(d) => {
            tokio::time::sleep(d).await;
            return None;
        }
        Behavior::Flood => Json(failure(
            dialect,
            "flood",
            "Flood detected, IP 127.0.0.1 has been blocked for 1 hour(s).",
        ))
        .into_response(),
        Behavior::Html403 => html(StatusCode::FORBIDDEN, CLOUDFLARE_403),
        Behavior::Html503 => html(StatusCode::SERVICE_UNAVAILABLE, CLOUDFLARE_503),
        Behavior::Status500 => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(failure(dialect, "exception", "Internal Server Error")),
        )
            .into_response(),
        Behavior::TooMany { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, retry_after_secs.to_string())],
            Json(failure(dialect, "too_many_requests", "Too Many Requests")),
        )
            .into_response(),
        Behavior::PlainText(t) => {
            (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], t).into_response()
        }
        Behavior::Answer {
            status,
            headers,
            body,
        } => {
            let mut r = Response::builder().status(status);
            for (k, v) in headers {
                r = r.header(k, v);
            }
            r.body(axum::body::Body::from(body))
                .expect("a scripted answer is a valid response")
        }
    };
    Some(answer)
}

pub(crate) fn new_stored(
    base: &str,
    file_name: &str,
    bytes: Bytes,
    n: usize,
    created_secs: u64,
) -> Stored {
    let sha = hex::encode(Sha256::digest(&bytes));
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_string())
        .unwrap_or_else(|| "png".into());
    let store_name = format!("{}{n:04}.{ext}", &sha[..11]);
    let hash = format!("{}{n}", &sha[20..40]);
    Stored {
        file_name: file_name.to_string(),
        url: format!("{base}/i/2026/11/23/{store_name}"),
        store_name,
        hash,
        sha256: sha,
        size: bytes.len(),
        bytes,
        content_type: String::new(),
        created_secs,
        deleted: false,
    }
}

fn item_json(s: &Stored, dialect: Dialect, base: &str) -> Value {
    let (w, h) = png_size(&s.bytes).unwrap_or((0, 0));
    let delete = match dialect {
        Dialect::V2 => format!("{base}/delete/{}", s.hash),
        Dialect::See => format!("{base}/api/v1/file/delete/{}", s.hash),
    };
    let created: Value = match dialect {
        Dialect::V2 => json!(format_utc(s.created_secs)),
        Dialect::See => json!(s.created_secs),
    };
    json!({
        "file_id": 0, "width": w, "height": h, "filename": s.file_name, "storename": s.store_name,
        "size": s.size, "path": format!("/2026/11/23/{}", s.store_name), "hash": s.hash, "url": s.url,
        "delete": delete, "page": format!("{base}/image/{}", s.store_name), "created_at": created
    })
}

pub(crate) fn png_size(b: &[u8]) -> Option<(u32, u32)> {
    if b.len() >= 24 && &b[..8] == b"\x89PNG\r\n\x1a\n" {
        Some((
            u32::from_be_bytes(b[16..20].try_into().ok()?),
            u32::from_be_bytes(b[20..24].try_into().ok()?),
        ))
    } else {
        None
    }
}

async fn delete(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(hash): Path<String>,
    dialect: Dialect,
) -> Response {
    if !authorized(&shared, &headers) {
        return unauthorized(dialect);
    }
    if shared.delete(&hash) {
        Json(success(dialect, "File delete success.", json!([]))).into_response()
    } else {
        Json(failure(dialect, "not_found", "File already deleted.")).into_response()
    }
}

async fn history(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    dialect: Dialect,
) -> Response {
    if !authorized(&shared, &headers) {
        return unauthorized(dialect);
    }
    let per_page = if dialect == Dialect::See { 30 } else { 100 };
    let page: usize = q
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1);
    let base = shared.base.lock().unwrap().clone();
    let inner = shared.lock();
    let live: Vec<&Stored> = inner.stored.iter().rev().filter(|s| !s.deleted).collect();
    let total_pages = live.len().div_ceil(per_page).max(1);
    let data: Vec<Value> = live
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|s| item_json(s, dialect, &base))
        .collect();
    let mut body = success(dialect, "Get list success.", Value::Array(data));
    body["CurrentPage"] = json!(page);
    body["TotalPages"] = json!(total_pages);
    body["PerPage"] = json!(per_page);
    body["Count"] = json!(live.len());
    Json(body).into_response()
}

async fn profile(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if !authorized(&shared, &headers) {
        return unauthorized(Dialect::V2);
    }
    Json(success(
        Dialect::V2,
        "Get user profile success.",
        json!({"username": "standin", "email": "standin@example.invalid", "role": "user", "disk_usage": "1.2 MB", "disk_limit": "5.00 GB"}),
    ))
    .into_response()
}

async fn image(State(shared): State<Arc<Shared>>, Path(path): Path<String>) -> Response {
    let inner = shared.lock();
    match inner
        .stored
        .iter()
        .find(|s| path.ends_with(&s.store_name) && !s.deleted)
    {
        Some(s) => ([(header::CONTENT_TYPE, "image/png")], s.bytes.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn object(State(shared): State<Arc<Shared>>, Path(key): Path<String>) -> Response {
    match shared.lock().objects.get(&key) {
        Some(o) => (
            [(header::CONTENT_TYPE, o.content_type.clone())],
            o.bytes.clone(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A hosted service's request: recorded, with its body read (see [`custom::read_body`]).
pub(crate) async fn hosted_request(
    shared: &Arc<Shared>,
    service: &str,
    req: axum::extract::Request,
) -> Result<(CustomRequest, Option<(String, Bytes)>), String> {
    let method = req.method().clone();
    let mut seen = custom::seen(service, &method, &req);
    let file = custom::read_body(req, shared, &mut seen).await;
    shared.lock().hosted_requests.push(seen.clone());
    Ok((seen, file?))
}

/// A key as the path of a URL: each byte but RFC 3986's unreserved characters and `/` escaped.
pub(crate) fn encode_path(key: &str) -> String {
    let mut out = String::new();
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The MIME type of image bytes, by their signature.
pub(crate) fn sniff(bytes: &[u8]) -> &'static str {
    match bytes {
        [0x89, b'P', b'N', b'G', ..] => "image/png",
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [b'G', b'I', b'F', b'8', ..] => "image/gif",
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => "image/webp",
        _ => "application/octet-stream",
    }
}

async fn file(State(shared): State<Arc<Shared>>, Path(name): Path<String>) -> Response {
    match shared.lock().files.get(&name) {
        Some((ct, b)) => ([(header::CONTENT_TYPE, ct.clone())], b.clone()).into_response(),
        None => html(
            StatusCode::NOT_FOUND,
            "<html><head><title>404 Not Found</title></head></html>",
        ),
    }
}

pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// "YYYY-MM-DD HH:MM:SS" in UTC, as SM.MS writes dates.
fn format_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A valid PNG of about `approx_bytes` bytes whose content depends on `seed` (noise compresses
/// badly, so the size is close to what is asked).
pub fn noise_png(seed: u64, approx_bytes: usize) -> Vec<u8> {
    let side = ((approx_bytes / 3) as f64).sqrt().ceil().max(1.0) as u32;
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407)
        | 1;
    let mut raw = Vec::with_capacity((side * (side * 3 + 1)) as usize);
    for _ in 0..side {
        raw.extend_from_slice(&[0u8]); // filter: none
        for _ in 0..side * 3 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            raw.push((state >> 24) as u8);
        }
    }
    png_from_raw(side, side, 2, &raw)
}

/// A tiny solid PNG (`seed` picks the colour), for tests that need many distinct small images.
pub fn tiny_png(seed: u64) -> Vec<u8> {
    let [r, g, b, ..] = seed.to_le_bytes();
    let (w, h) = (4u32, 3u32);
    let mut raw = Vec::new();
    for _ in 0..h {
        raw.extend_from_slice(&[0u8]); // filter: none
        for _ in 0..w {
            raw.extend_from_slice(&[r, g, b ^ (seed >> 24) as u8]);
        }
    }
    png_from_raw(w, h, 2, &raw)
}

/// Assemble a PNG with stored (uncompressed) zlib blocks: no compression library needed.
fn png_from_raw(w: u32, h: u32, color_type: u8, raw: &[u8]) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, color_type, 0, 0, 0]);
    let mut z = vec![0x78, 0x01];
    for (i, block) in raw.chunks(65_535).enumerate() {
        let last = (i + 1) * 65_535 >= raw.len();
        z.push(u8::from(last));
        z.extend_from_slice(&(block.len() as u16).to_le_bytes());
        z.extend_from_slice(&(!(block.len() as u16)).to_le_bytes());
        z.extend_from_slice(block);
    }
    if raw.is_empty() {
        z.extend_from_slice(&[1, 0, 0, 0xFF, 0xFF]);
    }
    z.extend_from_slice(&adler32(raw).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_like_smms() {
        assert_eq!(format_utc(0), "1970-01-01 00:00:00");
        assert_eq!(format_utc(1_795_000_000), "2026-11-18 11:06:40");
    }

    #[test]
    fn pngs_are_sized_and_distinct() {
        let a = noise_png(1, 100_000);
        assert!(a.len() > 90_000 && a.len() < 120_000, "{}", a.len());
        assert_ne!(tiny_png(1), tiny_png(2));
        assert_eq!(png_size(&tiny_png(7)), Some((4, 3)));
    }
}
