//! Upyun's REST API, under `/upyun` (the config's `api_url` is `{base}/upyun`), as Upyun
//! documents it, for the service `pixbucket` and the operator `op` whose password is the
//! stand-in's token.
//!
//! Every request must carry `Date` (within 30 minutes of now) and
//! `Authorization: UPYUN op:{signature}`, which the stand-in recomputes:
//! `base64(HMAC-SHA1(md5hex(password), "METHOD&/pixbucket/{key}&{Date}[&{Content-MD5}]"))`.
//! A `Content-MD5` that does not match the body is refused. `PUT /{bucket}/{key}` stores (and
//! answers `x-upyun-width/height`), `HEAD` tells whether a file is there, `DELETE` removes it,
//! `GET /{bucket}/?usage` says the bytes stored. Errors are `{"msg":…,"code":…,"id":…}`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use serde_json::json;
use sha1::Sha1;

use super::{encode_path, hosted_request, png_size, scripted, sniff, Dialect, Object, Shared};

const BUCKET: &str = "pixbucket";
const OPERATOR: &str = "op";

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/{bucket}/", get(usage)).route(
        "/{bucket}/{*key}",
        get(fetch).head(fetch).put(put).delete(remove),
    )
}

fn error(status: StatusCode, msg: &str, code: u32) -> Response {
    (
        status,
        Json(json!({"msg": msg, "code": code, "id": "5f0c2c8e-standin"})),
    )
        .into_response()
}

fn md5_hex(bytes: &[u8]) -> String {
    hex::encode(Md5::digest(bytes))
}

/// Check the request's signature over `uri`; the answer Upyun gives when it is wrong.
fn check(
    shared: &Shared,
    method: &Method,
    uri: &str,
    headers: &HeaderMap,
    body: Option<&[u8]>,
) -> Result<(), Response> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let date = text("date");
    let Ok(when) = chrono_like_parse(&date) else {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "need date header",
            40100001,
        ));
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    if (now - when).abs() > 30 * 60 {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "date offset error",
            40100004,
        ));
    }
    let content_md5 = text("content-md5");
    if let (false, Some(body)) = (content_md5.is_empty(), body) {
        if md5_hex(body) != content_md5 {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "Content-MD5 not match",
                40000004,
            ));
        }
    }
    let auth = text("authorization");
    let Some((operator, sign)) = auth.strip_prefix("UPYUN ").and_then(|a| a.split_once(':')) else {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "need authorization header",
            40100002,
        ));
    };
    if operator != OPERATOR {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "operator not exists",
            40100003,
        ));
    }
    let mut plain = format!("{method}&{uri}&{date}");
    if !content_md5.is_empty() {
        plain.push('&');
        plain.push_str(&content_md5);
    }
    let mut mac =
        Hmac::<Sha1>::new_from_slice(md5_hex(shared.token.as_bytes()).as_bytes()).unwrap();
    mac.update(plain.as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    if sign != expected {
        return Err(error(StatusCode::UNAUTHORIZED, "sign error", 40100005));
    }
    Ok(())
}

/// Seconds since 1970 of an HTTP date (`Sun, 29 Nov 2026 18:00:00 GMT`).
fn chrono_like_parse(date: &str) -> Result<i64, ()> {
    let parts: Vec<&str> = date.split_whitespace().collect();
    let [_, day, month, year, time, "GMT"] = parts[..] else {
        return Err(());
    };
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let m = months.iter().position(|x| *x == month).ok_or(())? as i64 + 1;
    let (d, y): (i64, i64) = (day.parse().map_err(|_| ())?, year.parse().map_err(|_| ())?);
    let hms: Vec<i64> = time
        .split(':')
        .map(|p| p.parse().map_err(|_| ()))
        .collect::<Result<_, _>>()?;
    let [hh, mm, ss] = hms[..] else {
        return Err(());
    };
    // Days from civil (Howard Hinnant).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Ok(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

fn bucket_ok(bucket: &str) -> Result<(), Response> {
    if bucket == BUCKET {
        Ok(())
    } else {
        Err(error(StatusCode::NOT_FOUND, "bucket not exist", 40400002))
    }
}

fn object_key(key: &str) -> String {
    format!("upyun/{key}")
}

async fn usage(
    State(shared): State<Arc<Shared>>,
    Path(bucket): Path<String>,
    req: Request,
) -> Response {
    let uri = format!("/{bucket}/");
    if let Err(r) =
        bucket_ok(&bucket).and_then(|_| check(&shared, req.method(), &uri, req.headers(), None))
    {
        return r;
    }
    let used: usize = shared
        .lock()
        .objects
        .iter()
        .filter(|(k, _)| k.starts_with("upyun/"))
        .map(|(_, o)| o.bytes.len())
        .sum();
    used.to_string().into_response()
}

async fn fetch(
    State(shared): State<Arc<Shared>>,
    Path((bucket, key)): Path<(String, String)>,
    req: Request,
) -> Response {
    let uri = format!("/{bucket}/{}", encode_path(&key));
    if let Err(r) =
        bucket_ok(&bucket).and_then(|_| check(&shared, req.method(), &uri, req.headers(), None))
    {
        return r;
    }
    match shared.lock().objects.get(&object_key(&key)) {
        Some(o) => (
            [
                ("x-upyun-file-type", "file".to_string()),
                ("x-upyun-file-size", o.bytes.len().to_string()),
                (header::CONTENT_TYPE.as_str(), o.content_type.clone()),
            ],
            o.bytes.clone(),
        )
            .into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "file or directory not found",
            40400001,
        ),
    }
}

async fn put(
    State(shared): State<Arc<Shared>>,
    Path((bucket, key)): Path<(String, String)>,
    req: Request,
) -> Response {
    let uri = format!("/{bucket}/{}", encode_path(&key));
    let method = req.method().clone();
    let headers = req.headers().clone();
    let (_, file) = match hosted_request(&shared, "upyun", req).await {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e, 40000001),
    };
    let bytes: Bytes = file.map(|f| f.1).unwrap_or_default();
    if let Err(r) =
        bucket_ok(&bucket).and_then(|_| check(&shared, &method, &uri, &headers, Some(&bytes)))
    {
        return r;
    }
    if let Some(answer) = scripted(&shared, Dialect::See).await {
        return answer;
    }
    let (w, h) = png_size(&bytes).unwrap_or((0, 0));
    let mime = sniff(&bytes);
    shared.lock().objects.insert(
        object_key(&key),
        Object {
            content_type: mime.to_string(),
            bytes,
            handle: key.clone(),
        },
    );
    (
        StatusCode::OK,
        [
            ("x-upyun-width", w.to_string()),
            ("x-upyun-height", h.to_string()),
            ("x-upyun-frames", "1".to_string()),
            (
                "x-upyun-file-type",
                mime.trim_start_matches("image/").to_uppercase(),
            ),
        ],
    )
        .into_response()
}

async fn remove(
    State(shared): State<Arc<Shared>>,
    Path((bucket, key)): Path<(String, String)>,
    req: Request,
) -> Response {
    let uri = format!("/{bucket}/{}", encode_path(&key));
    if let Err(r) =
        bucket_ok(&bucket).and_then(|_| check(&shared, req.method(), &uri, req.headers(), None))
    {
        return r;
    }
    let _ = hosted_request(&shared, "upyun", req).await;
    match shared.lock().objects.remove(&object_key(&key)) {
        Some(_) => StatusCode::OK.into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "file or directory not found",
            40400001,
        ),
    }
}
