//! Lsky Pro, under `/lsky` (the config's `url` is `{base}/lsky`), as its API pages document it.
//!
//! - 2.x: `POST /api/v1/upload` (multipart `file`, `strategy_id`, `album_id`, `permission`),
//!   `DELETE /api/v1/images/{key}`, `GET /api/v1/profile`. `Authorization: Bearer T` and
//!   `Accept: application/json` are needed: without the Accept header Laravel answers a guest
//!   with a redirect to its login page, as the real site does; a wrong token is 401
//!   `{"message":"Unauthenticated."}`. Failures of the request itself are
//!   `{"status":false,"message":…}` with HTTP 200. Strategy 1 is the only one.
//! - 1.x (legacy): `POST /api/upload` (multipart `image`, header `token: T`), answering
//!   `{"code":200,"data":{"url":…}}` or `{"code":500,"msg":…}`.

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{hosted_request, scripted, sniff, Dialect, Object, Shared};

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v1/upload", post(upload_v2))
        .route("/api/v1/images/{key}", delete(remove))
        .route("/api/v1/profile", get(profile))
        .route("/api/upload", post(upload_v1))
}

/// Laravel's answer to a guest: JSON 401 when JSON is accepted, else a redirect to the login.
fn guest(req: &Request, shared: &Shared) -> Option<Response> {
    let h = req.headers();
    let auth = h
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if auth == format!("Bearer {}", shared.token) {
        return None;
    }
    let wants_json = h
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"));
    Some(if wants_json {
        (
            StatusCode::UNAUTHORIZED,
            Json(json!({"message": "Unauthenticated."})),
        )
            .into_response()
    } else {
        (
            StatusCode::FOUND,
            [(header::LOCATION, "/login"), (header::CONTENT_TYPE, "text/html; charset=UTF-8")],
            "<!DOCTYPE html><html><head><title>Redirecting to /login</title></head><body>Redirecting to <a href=\"/login\">/login</a>.</body></html>",
        )
            .into_response()
    })
}

fn fail(message: &str) -> Response {
    Json(json!({"status": false, "message": message, "data": {}})).into_response()
}

/// Store an upload; returns its key, stored name and link.
fn store(shared: &Shared, name: &str, bytes: axum::body::Bytes) -> (String, String, String) {
    let sha = hex::encode(Sha256::digest(&bytes));
    let key = sha[..6].to_string();
    let ext = name
        .rsplit_once('.')
        .map_or("png", |(_, e)| e)
        .to_ascii_lowercase();
    let pathname = format!("2026/11/29/{}.{ext}", &sha[6..19]);
    let url = format!("{}/o/lsky/{pathname}", shared.base.lock().unwrap());
    shared.lock().objects.insert(
        format!("lsky/{pathname}"),
        Object {
            content_type: sniff(&bytes).to_string(),
            bytes,
            handle: key.clone(),
        },
    );
    (key, pathname, url)
}

async fn upload_v2(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    if let Some(r) = guest(&req, &shared) {
        let _ = hosted_request(&shared, "lsky", req).await;
        return r;
    }
    let (seen, file) = match hosted_request(&shared, "lsky", req).await {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    if let Some(answer) = scripted(&shared, Dialect::See).await {
        return answer;
    }
    if seen.fields.get("strategy_id").is_some_and(|s| s != "1") {
        return fail("储存策略不存在");
    }
    if seen
        .fields
        .get("permission")
        .is_some_and(|p| p != "0" && p != "1")
    {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"status": false, "message": "The given data was invalid.", "errors": {"permission": ["The selected permission is invalid."]}})),
        )
            .into_response();
    }
    let Some((name, bytes)) = file.filter(|_| seen.file_field.as_deref() == Some("file")) else {
        return fail("file 不能为空");
    };
    let size = bytes.len();
    let mime = sniff(&bytes);
    let (key, pathname, url) = store(&shared, &name, bytes);
    Json(json!({"status": true, "message": "上传成功", "data": {
        "key": key, "name": pathname.rsplit('/').next(), "pathname": pathname, "origin_name": name,
        "size": size as f64 / 1024.0, "mimetype": mime, "extension": name.rsplit('.').next(),
        "links": {"url": url, "html": format!("<img src=\"{url}\" alt=\"{name}\" title=\"{name}\" />"),
                  "markdown": format!("![{name}]({url})"), "thumbnail_url": url,
                  "delete_url": format!("{}/lsky/image/delete/{key}", shared.base.lock().unwrap())}
    }}))
    .into_response()
}

async fn remove(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
    req: Request,
) -> Response {
    if let Some(r) = guest(&req, &shared) {
        return r;
    }
    let _ = hosted_request(&shared, "lsky", req).await;
    let mut inner = shared.lock();
    inner
        .objects
        .retain(|k, o| !(k.starts_with("lsky/") && o.handle == key));
    drop(inner);
    // Lsky Pro answers a success whether or not the key named an image of the user.
    Json(json!({"status": true, "message": "删除成功", "data": {}})).into_response()
}

async fn profile(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    if let Some(r) = guest(&req, &shared) {
        return r;
    }
    let n = shared
        .lock()
        .objects
        .keys()
        .filter(|k| k.starts_with("lsky/"))
        .count();
    Json(json!({"status": true, "message": "success", "data": {
        "name": "standin", "email": "standin@example.invalid", "capacity": 1048576.0,
        "used_capacity": 12.5, "image_num": n, "album_num": 1}}))
    .into_response()
}

async fn upload_v1(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let token_ok = req
        .headers()
        .get("token")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t == shared.token);
    let (seen, file) = match hosted_request(&shared, "lsky", req).await {
        Ok(r) => r,
        Err(e) => return Json(json!({"code": 500, "msg": e, "time": 0})).into_response(),
    };
    if !token_ok {
        return Json(json!({"code": 500, "msg": "Token does not exist", "time": 1795000000}))
            .into_response();
    }
    let Some((name, bytes)) = file.filter(|_| seen.file_field.as_deref() == Some("image")) else {
        return Json(json!({"code": 500, "msg": "Image cannot be empty", "time": 1795000000}))
            .into_response();
    };
    let size = bytes.len();
    let (_, pathname, url) = store(&shared, &name, bytes);
    Json(
        json!({"code": 200, "msg": "上传成功!", "time": 1795000000, "data": {
        "name": pathname, "size": size, "url": url}}),
    )
    .into_response()
}
