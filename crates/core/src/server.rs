//! A PicGo-compatible local upload server, safe from web pages.
//!
//! Typora, Obsidian's image-auto-upload plugin, editors and scripts upload through PicGo's
//! local HTTP API; Pixdrop serves the same API:
//! - `POST /upload` with JSON `{"list": ["/abs/path.png", …]}` uploads those files; an empty body,
//!   `{}` or `{"list": []}` uploads the clipboard image; multipart uploads the parts that carry a
//!   file name, whatever their field (`files`, `list`, `file`), in order. Answer
//!   `{"success": true, "result": ["url", …], "fullResult": [{id, imgUrl, fileName, type,
//!   config}, …]}` (bare URLs, in order; `id` is the album record's) or `{"success": false,
//!   "message": "…"}`. `?picbed=KIND&configName=NAME` picks a config.
//! - `POST /delete` with PicList's `{"list": [{"id": N, …} | {"imgUrl": "…"}, …]}` removes those
//!   album records, and deletes on the host too when the body says `"deleteRemote": true` or the
//!   `server_delete_remote` setting is on. Answer `{"success", "message": "deleted N, failed M",
//!   "result": [{id, success, message}, …]}`. Guarded like `/upload`.
//! - `/heartbeat` (any method) answers `{"success": true, "result": "alive"}`.
//!
//! Unlike PicGo's server it binds only to loopback, refuses a `Host` that is not
//! `127.0.0.1:PORT`, `localhost:PORT` or `[::1]:PORT` (DNS rebinding), refuses any request with
//! an `Origin` not on the allow-list (so a web page you visit cannot make it upload your files),
//! optionally requires a secret, and only reads listed files that are images by their bytes.
//!
//! The secret and the allowed origins are read from the shared config for every request, so a
//! change made while the server runs (`pixdrop settings set server_secret …`, the app's settings
//! page) applies to the very next request. A config that cannot be read refuses every request:
//! the server never falls back to "no secret". The port is fixed while it runs.

use crate::{msg, Msg};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

pub use pixdrop_picgo_api::{
    check_headers, check_listed_path, parse_delete_body, parse_json_body, parse_multipart,
    DeleteRequest, DeleteTarget, Policy, Rejection, RequestHeaders, UploadRequest, MAX_JSON,
};

use crate::config::Settings;
use crate::error::{Error, Result};
use crate::pipeline::{Done, Engine, Input, UploadOptions};

/// PicGo's port.
pub const DEFAULT_PORT: u16 = 36677;
/// The largest request body: multipart uploads carry whole images.
pub const MAX_BODY: usize = 64 * 1024 * 1024;

/// What the server needs from the shell it runs in (the app or `pixdrop serve`).
pub trait ServerHooks: Send + Sync + 'static {
    /// What the clipboard holds to upload (its image, or copied image files), for `/upload`
    /// with an empty list.
    fn clipboard_inputs(&self) -> Result<Vec<Input>>;
    /// Called after each `/upload` (already logged): copy the links when auto-copy is on, notify.
    fn uploaded(&self, done: &[Done], failures: &[Msg]);
}

/// How to start the server. Everything else it obeys (secret, origins) is read per request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerOptions {
    pub port: u16,
    /// How the user picks another port, for the message when this one is taken.
    pub change_port: Msg,
}

impl ServerOptions {
    pub fn from_settings(s: &Settings) -> Self {
        ServerOptions {
            port: s.server_port,
            change_port: msg!("set server_port to another port"),
        }
    }
}

/// The secret and origins in force now, from the shared config.
fn current_policy(engine: &Engine) -> Result<Policy, Rejection> {
    let settings = engine.config().load().map_err(|e| {
        Rejection::new(
            500,
            format!("the server cannot read its settings, so it refuses requests: {e}"),
        )
    })?;
    Ok(Policy {
        allowed_origins: settings.settings.allowed_origins(),
        secret: settings.settings.server_secret,
    })
}

/// A [`Rejection`] as an HTTP answer.
struct Rejected(Rejection);

impl From<Rejection> for Rejected {
    fn from(r: Rejection) -> Self {
        Rejected(r)
    }
}

impl IntoResponse for Rejected {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::BAD_REQUEST);
        (
            status,
            Json(json!({"success": false, "message": self.0.message})),
        )
            .into_response()
    }
}

/// Resolve PicList's `?picbed=KIND&configName=NAME` to a config name.
fn pick_config(engine: &Engine, query: Option<&str>) -> Result<Option<String>, Rejection> {
    let mut picbed = None;
    let mut name = None;
    for kv in query.unwrap_or_default().split('&') {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        let v = url::form_urlencoded::parse(format!("v={v}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned());
        match k {
            "picbed" => picbed = v.filter(|v| !v.is_empty()),
            "configName" => name = v.filter(|v| !v.is_empty()),
            _ => {}
        }
    }
    if picbed.is_none() && name.is_none() {
        return Ok(None);
    }
    let config = engine
        .config()
        .load()
        .map_err(|e| Rejection::new(500, e.to_string()))?;
    let found = match (&name, &picbed) {
        (Some(n), _) => config.host(n),
        (None, Some(kind)) => config
            .default_host
            .as_deref()
            .and_then(|d| config.host(d))
            .filter(|h| &h.kind == kind)
            .or_else(|| config.hosts.iter().find(|h| &h.kind == kind)),
        (None, None) => None,
    };
    match found {
        Some(h) if picbed.as_ref().is_none_or(|k| k == &h.kind) => Ok(Some(h.name.clone())),
        Some(h) => Err(Rejection::new(
            400,
            format!(
                "config {:?} is a {} config, not {}",
                h.name,
                h.kind,
                picbed.unwrap_or_default()
            ),
        )),
        None => Err(Rejection::new(
            400,
            format!(
                "no config matches picbed={} configName={}",
                picbed.unwrap_or_default(),
                name.unwrap_or_default()
            ),
        )),
    }
}

struct Ctx {
    engine: Arc<Engine>,
    hooks: Arc<dyn ServerHooks>,
    port: u16,
}

async fn handle(State(ctx): State<Arc<Ctx>>, req: Request) -> Response {
    let origin = header_str(req.headers(), "origin")
        .map(str::trim)
        .map(str::to_string);
    let policy = match current_policy(&ctx.engine) {
        Ok(p) => p,
        Err(rej) => return Rejected(rej).into_response(),
    };
    let mut response = match serve_one(&ctx, policy.clone(), req).await {
        Ok(r) => r,
        Err(rej) => Rejected(rej).into_response(),
    };
    // An allow-listed web origin (and only that one, never `*`) may read the answer.
    if let Some(origin) = origin.filter(|o| policy.allowed_origins.contains(o)) {
        if let Ok(v) = axum::http::HeaderValue::from_str(&origin) {
            let h = response.headers_mut();
            h.insert(axum::http::header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
            h.insert(
                axum::http::header::VARY,
                axum::http::HeaderValue::from_static("Origin"),
            );
        }
    }
    response
}

fn header_str<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

async fn serve_one(ctx: &Ctx, mut policy: Policy, req: Request) -> Result<Response, Rejection> {
    let (parts, body) = req.into_parts();
    let query = parts.uri.query().map(str::to_string);
    let h = &parts.headers;
    let rh = RequestHeaders {
        host: header_str(h, "host"),
        origin: header_str(h, "origin"),
        authorization: header_str(h, "authorization"),
        picgo_secret: header_str(h, "x-picgo-secret"),
    };
    if parts.method == Method::OPTIONS {
        // Browsers send CORS preflights without credentials; a preflight does nothing, so it
        // needs the right Host and Origin but not the secret.
        policy.secret.clear();
    }
    check_headers(&policy, ctx.port, &rh, query.as_deref())?;
    match (parts.method.clone(), parts.uri.path()) {
        // CORS preflight from an allow-listed origin (others were refused above).
        (Method::OPTIONS, "/upload" | "/delete" | "/heartbeat") if rh.origin.is_some() => Ok((
            StatusCode::NO_CONTENT,
            [
                ("access-control-allow-methods", "POST, OPTIONS"),
                (
                    "access-control-allow-headers",
                    "content-type, authorization, x-picgo-secret",
                ),
                ("access-control-max-age", "600"),
            ],
        )
            .into_response()),
        (_, "/heartbeat") => Ok(Json(json!({"success": true, "result": "alive"})).into_response()),
        (Method::POST, "/upload") => {
            let config = pick_config(&ctx.engine, query.as_deref())?;
            let content_type = header_str(h, "content-type")
                .unwrap_or_default()
                .to_string();
            let body = read_body(body, MAX_BODY).await?;
            let request = if content_type
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
            {
                parse_multipart(&content_type, body).await?
            } else {
                parse_json_body(&body)?
            };
            Ok(upload(ctx, request, config).await)
        }
        (Method::POST, "/delete") => {
            let body = read_body(body, MAX_JSON).await?;
            let request = parse_delete_body(&body)?;
            Ok(delete(ctx, request).await)
        }
        (_, "/upload" | "/delete") => Err(Rejection::new(405, "use POST")),
        _ => Err(Rejection::new(
            404,
            "not found: this server answers POST /upload, POST /delete and /heartbeat",
        )),
    }
}

/// The whole body, at most `limit` bytes.
async fn read_body(body: axum::body::Body, limit: usize) -> Result<bytes::Bytes, Rejection> {
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| Rejection::new(413, format!("the body is larger than {} KB", limit / 1024)))
}

/// `/delete`: each item's album record is removed (and on the host when asked); an item that
/// fails does not stop the others.
async fn delete(ctx: &Ctx, request: DeleteRequest) -> Response {
    let remote = request.delete_remote || ctx.engine.settings().server_delete_remote;
    let mut result = Vec::new();
    let mut deleted = 0;
    for target in request.targets {
        let found = target
            .map_err(|m| Error::Input(Msg::plain(m)))
            .and_then(|t| match t {
                DeleteTarget::Id(id) => Ok(id),
                DeleteTarget::Url(url) => ctx
                    .engine
                    .album()
                    .find_by_url(&url)?
                    .ok_or_else(|| Error::NotFound(msg!("no album record has the link {url}"))),
            });
        let outcome = match found {
            Ok(id) => {
                let r = ctx.engine.delete(&[id], remote).await.pop().map(|(_, r)| r);
                (Some(id), r.unwrap_or(Ok(())))
            }
            Err(e) => (None, Err(e)),
        };
        let (id, r) = outcome;
        let message = match &r {
            Ok(()) if remote => "deleted from the album and the host".to_string(),
            Ok(()) => "deleted from the album".to_string(),
            Err(e) => e.to_string(),
        };
        crate::log::append(
            ctx.engine.paths(),
            &format!(
                "server: delete {}: {message}",
                id.map_or("?".into(), |i| i.to_string())
            ),
        );
        deleted += usize::from(r.is_ok());
        result.push(json!({"id": id, "success": r.is_ok(), "message": message}));
    }
    let failed = result.len() - deleted;
    Json(json!({
        "success": failed == 0,
        "message": format!("deleted {deleted}, failed {failed}"),
        "result": result,
    }))
    .into_response()
}

async fn upload(ctx: &Ctx, request: UploadRequest, host: Option<String>) -> Response {
    let mut failures = Vec::new();
    let inputs: Vec<Input> = match request {
        UploadRequest::Clipboard => match ctx.hooks.clipboard_inputs() {
            Ok(found) => found,
            Err(e) => return Rejected(Rejection::new(400, e.to_string())).into_response(),
        },
        UploadRequest::Files(files) => files
            .into_iter()
            .map(|(name, bytes)| Input::Bytes {
                name,
                bytes: bytes.into(),
            })
            .collect(),
        UploadRequest::Paths(paths) => {
            let mut ok = Vec::new();
            for p in paths {
                match check_listed_path(&p, |head| crate::image::sniff(head).is_some()) {
                    Ok(path) => ok.push(Input::Path(path)),
                    Err(why) => failures.push(msg!("{p}: {why}")),
                }
            }
            ok
        }
    };
    let opts = UploadOptions {
        host,
        ..Default::default()
    };
    for f in &failures {
        crate::log::append(ctx.engine.paths(), &format!("server: failed {f}"));
    }
    let outcomes = ctx.engine.upload_all(inputs, opts).await;
    let mut done = Vec::new();
    for o in outcomes {
        crate::pipeline::log_outcome(ctx.engine.paths(), "server: ", &o.input, &o.result);
        match o.result {
            Ok(d) => done.push(d),
            Err(e) => failures.push(crate::pipeline::labelled(&o.input, &e)),
        }
    }
    ctx.hooks.uploaded(&done, &failures);
    let urls: Vec<&str> = done.iter().map(|d| d.record.url.as_str()).collect();
    // PicList's `fullResult`, which its clients keep to delete with later: nothing secret (no
    // delete handle), the album id to name the record by.
    let full: Vec<Value> = done
        .iter()
        .map(|d| {
            json!({
                "id": d.record.id,
                "imgUrl": d.record.url,
                "fileName": d.record.file_name,
                "type": d.record.host_kind,
                "config": d.record.config_name,
            })
        })
        .collect();
    if failures.is_empty() {
        Json(json!({"success": true, "result": urls, "fullResult": full})).into_response()
    } else {
        Json(json!({"success": false, "message": failures.iter().map(|m| m.as_str()).collect::<Vec<_>>().join("; "), "result": urls, "fullResult": full}))
            .into_response()
    }
}

/// A running server; stops when [`RunningServer::stop`] is called or it is dropped.
pub struct RunningServer {
    pub port: u16,
    pub addresses: Vec<SocketAddr>,
    stop: Option<tokio::sync::watch::Sender<bool>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl RunningServer {
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(true);
        }
        for t in std::mem::take(&mut self.tasks) {
            let _ = t.await;
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(true);
        }
    }
}

/// Describe who holds a port we could not take: PicGo-compatible servers answer the heartbeat.
async fn who_holds(port: u16, change: &Msg) -> Msg {
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(2))
        .build();
    let answered = match http {
        Ok(c) => c
            .post(format!("http://127.0.0.1:{port}/heartbeat"))
            .send()
            .await
            .ok()
            .filter(|r| r.status().is_success()),
        Err(_) => None,
    };
    match answered {
        Some(r) => match r.json::<Value>().await {
            Ok(v) if v.get("result").and_then(Value::as_str) == Some("alive") => msg!(
                "port {port} is already used by a PicGo-compatible server (it answered the heartbeat: PicGo, PicList or another Pixdrop?); quit it or {change}"
            ),
            _ => msg!("port {port} is already used by another web server; {change}"),
        },
        None => msg!("port {port} is already used by another program; {change}"),
    }
}

/// Bind 127.0.0.1 and ::1 on `opts.port` (0: any free port, the same for both) and serve.
/// A taken port is an error that says who holds it; the server never moves silently.
pub async fn start(
    engine: Arc<Engine>,
    opts: ServerOptions,
    hooks: Arc<dyn ServerHooks>,
) -> Result<RunningServer> {
    let v4 = match tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, opts.port)).await {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            return Err(Error::Config(who_holds(opts.port, &opts.change_port).await))
        }
        Err(e) => return Err(Error::io(msg!("listening on 127.0.0.1:{}", opts.port), e)),
    };
    let port = v4
        .local_addr()
        .map_err(|e| Error::io(msg!("reading the server address"), e))?
        .port();
    let mut listeners = vec![v4];
    // ::1 too where the machine has IPv6 loopback; its absence is not an error.
    if let Ok(v6) = tokio::net::TcpListener::bind((Ipv6Addr::LOCALHOST, port)).await {
        listeners.push(v6);
    }
    let ctx = Arc::new(Ctx {
        engine,
        hooks,
        port,
    });
    let app = axum::Router::new().fallback(handle).with_state(ctx);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut addresses = Vec::new();
    let mut tasks = Vec::new();
    for l in listeners {
        addresses.push(
            l.local_addr()
                .map_err(|e| Error::io(msg!("reading the server address"), e))?,
        );
        let app = app.clone();
        let mut stopped = stopped.clone();
        tasks.push(tokio::spawn(async move {
            let _ = axum::serve(l, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.wait_for(|s| *s).await;
                })
                .await;
        }));
    }
    Ok(RunningServer {
        port,
        addresses,
        stop: Some(stop),
        tasks,
    })
}
