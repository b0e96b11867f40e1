//! Custom web APIs, the kind users point a `custom` host or a ShareX .sxcu at. They live under
//! `/custom/SHAPE` and differ in how they answer, as real ones do:
//!
//! - `nested`: `{"status":"ok","data":{"links":[{"url":…}],"delete_url":…}}`
//! - `relative`: `{"code":0,"path":"/i/…"}` (the link is a path; a prefix makes it a URL)
//! - `text`: the bare URL as `text/plain`
//!
//! Each takes the file as multipart (any field name) or as the raw request body (`?name=` gives
//! its name), with POST, PUT or PATCH. The `X-Api-Key` header must hold the host's token, else
//! HTTP 401 with `{"status":"error","message":"invalid API key"}`. Scripted behaviours apply.
//! `GET` or `DELETE /custom/delete/{hash}` deletes. Every request is recorded for the tests.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use super::{new_stored, scripted, unix_now, Dialect, Shared};

/// What one request to a custom endpoint carried.
#[derive(Debug, Clone, Default)]
pub struct CustomRequest {
    pub method: String,
    pub shape: String,
    /// The request target as sent (path and query, still percent-encoded).
    pub target: String,
    pub query: HashMap<String, String>,
    /// Header names in lower case.
    pub headers: HashMap<String, String>,
    /// Text fields of a multipart body.
    pub fields: HashMap<String, String>,
    /// The multipart field that carried the file, if any.
    pub file_field: Option<String>,
    pub file_name: Option<String>,
    pub content_type: String,
    pub size: usize,
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/custom/{shape}", post(upload).put(upload).patch(upload))
        // The file's name as the last path segment (`…/custom/plain/{filename}`).
        .route(
            "/custom/{shape}/{name}",
            post(upload).put(upload).patch(upload),
        )
        .route("/custom/delete/{hash}", get(delete).delete(delete))
}

/// What a request to a stand-in endpoint carried, recorded before it is answered: its method,
/// target and headers now; its form fields and file from [`read_body`].
pub(crate) fn seen(shape: &str, method: &Method, req: &Request) -> CustomRequest {
    let headers = req.headers();
    CustomRequest {
        method: method.to_string(),
        shape: shape.to_string(),
        target: req.uri().to_string(),
        query: url_query(req.uri().query().unwrap_or_default()),
        headers: headers
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect(),
        content_type: headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string(),
        ..Default::default()
    }
}

fn url_query(q: &str) -> HashMap<String, String> {
    Query::<HashMap<String, String>>::try_from_uri(
        &format!("/?{q}").parse().expect("a query is a URI"),
    )
    .map(|Query(m)| m)
    .unwrap_or_default()
}

/// Read a request's body: a multipart form's text fields into `seen.fields` and its file part
/// (the one with a file name), or a raw body as the file (named `upload.bin`). Returns the file.
pub(crate) async fn read_body(
    req: Request,
    shared: &Arc<Shared>,
    seen: &mut CustomRequest,
) -> Result<Option<(String, Bytes)>, String> {
    let mut file = None;
    if seen.content_type.starts_with("multipart/form-data") {
        let mut form = Multipart::from_request(req, shared)
            .await
            .map_err(|e| e.body_text())?;
        while let Some(field) = form.next_field().await.map_err(|e| e.body_text())? {
            let name = field.name().unwrap_or_default().to_string();
            let file_name = field.file_name().map(str::to_string);
            let bytes = field
                .bytes()
                .await
                .map_err(|_| "broken multipart body".to_string())?;
            match file_name {
                Some(f) => {
                    seen.file_field = Some(name);
                    seen.file_name = Some(f.clone());
                    file = Some((f, bytes));
                }
                None => {
                    seen.fields
                        .insert(name, String::from_utf8_lossy(&bytes).into_owned());
                }
            }
        }
    } else {
        let bytes = Bytes::from_request(req, shared)
            .await
            .map_err(|_| "unreadable body".to_string())?;
        if !bytes.is_empty() {
            seen.file_name = Some("upload.bin".into());
            file = Some(("upload.bin".to_string(), bytes));
        }
    }
    seen.size = file
        .as_ref()
        .map(|f: &(String, Bytes)| f.1.len())
        .unwrap_or(0);
    Ok(file)
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"status": "error", "message": message}))).into_response()
}

async fn upload(
    State(shared): State<Arc<Shared>>,
    method: Method,
    Path(segments): Path<HashMap<String, String>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    req: Request,
) -> Response {
    let shape = segments.get("shape").cloned().unwrap_or_default();
    let mut seen = seen(&shape, &method, &req);
    let mut file = match read_body(req, &shared, &mut seen).await {
        Ok(f) => f,
        Err(why) => return error(StatusCode::BAD_REQUEST, &why),
    };
    // A raw body is named by `?name=` or the last path segment.
    let raw_name = query.get("name").or(segments.get("name"));
    if let (false, Some((name, _)), Some(n)) = (
        seen.content_type.starts_with("multipart/form-data"),
        file.as_mut(),
        raw_name,
    ) {
        *name = n.clone();
        seen.file_name = Some(n.clone());
    }
    shared.lock().custom_requests.push(seen);

    if let Some(answer) = scripted(&shared, Dialect::V2).await {
        return answer;
    }
    let key = headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if key != shared.token {
        return error(StatusCode::UNAUTHORIZED, "invalid API key");
    }
    let Some((file_name, bytes)) = file else {
        return error(StatusCode::BAD_REQUEST, "no file was uploaded");
    };
    let base = shared.base.lock().unwrap().clone();
    let stored = {
        let mut inner = shared.lock();
        let s = new_stored(&base, &file_name, bytes, inner.stored.len(), unix_now());
        inner.stored.push(s.clone());
        s
    };
    let delete_url = format!("{base}/custom/delete/{}", stored.hash);
    match shape.as_str() {
        "nested" => Json(json!({
            "status": "ok",
            "data": {"id": stored.hash, "links": [{"kind": "original", "url": stored.url}], "delete_url": delete_url}
        }))
        .into_response(),
        "relative" => Json(json!({
            "code": 0,
            "path": stored.url.trim_start_matches(&base),
            "delete": delete_url.trim_start_matches(&base)
        }))
        .into_response(),
        "text" => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("{}\n", stored.url),
        )
            .into_response(),
        other => error(StatusCode::NOT_FOUND, &format!("no API shape {other}")),
    }
}

async fn delete(State(shared): State<Arc<Shared>>, Path(hash): Path<String>) -> Response {
    if shared.delete(&hash) {
        Json(json!({"status": "ok", "deleted": true})).into_response()
    } else {
        error(StatusCode::NOT_FOUND, "no such image")
    }
}
