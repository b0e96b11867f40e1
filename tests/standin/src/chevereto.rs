//! Chevereto v4's API 1.1, under `/chevereto` (the config's `url` is `{base}/chevereto`), as its
//! API page documents it: `POST /api/1/upload` with `X-API-Key`, the file in `source`, and
//! `format`, `album_id`, `expiration`. Answers are
//! `{"status_code":200,"success":{…},"image":{…,"url":…,"delete_url":…},"status_txt":"OK"}` or
//! `{"status_code":N,"error":{"message":…,"code":…},"status_txt":…}`: a wrong key is code 100,
//! no file "Empty upload source" (code 130), an unknown album 404. Scripted behaviours apply.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{hosted_request, png_size, scripted, sniff, Dialect, Object, Shared};

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/api/1/upload", post(upload))
}

fn error(status: StatusCode, message: &str, code: u32) -> Response {
    (
        status,
        Json(json!({"status_code": status.as_u16(), "error": {"message": message, "code": code, "context": "Exception"},
                    "status_txt": status.canonical_reason().unwrap_or_default()})),
    )
        .into_response()
}

async fn upload(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let key_ok = req
        .headers()
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|k| k == shared.token);
    let (seen, file) = match hosted_request(&shared, "chevereto", req).await {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e, 0),
    };
    if let Some(answer) = scripted(&shared, Dialect::See).await {
        return answer;
    }
    if !key_ok {
        return error(StatusCode::BAD_REQUEST, "Invalid API v1 key.", 100);
    }
    if seen.fields.get("album_id").is_some_and(|a| a != "X3Bd") {
        return error(StatusCode::NOT_FOUND, "Album not found", 404);
    }
    let Some((name, bytes)) = file.filter(|_| seen.file_field.as_deref() == Some("source")) else {
        return error(StatusCode::BAD_REQUEST, "Empty upload source.", 130);
    };
    let sha = hex::encode(Sha256::digest(&bytes));
    let (stem, ext) = name.rsplit_once('.').unwrap_or((&name, "png"));
    let file_name = format!("{stem}.{}", &sha[..4]);
    let stored = format!("2026/11/29/{file_name}.{ext}");
    let base = shared.base.lock().unwrap().clone();
    let id = &sha[..4];
    let (w, h) = png_size(&bytes).unwrap_or((0, 0));
    let url = format!("{base}/o/chevereto/{}", super::encode_path(&stored));
    let delete_url = format!("{base}/chevereto/image/{id}/delete/{}", &sha[4..20]);
    let size = bytes.len();
    let mime = sniff(&bytes);
    shared.lock().objects.insert(
        format!("chevereto/{stored}"),
        Object {
            content_type: mime.to_string(),
            bytes,
            handle: delete_url.clone(),
        },
    );
    Json(json!({
        "status_code": 200,
        "success": {"message": "image uploaded", "code": 200},
        "image": {"name": stem, "extension": ext, "filename": format!("{file_name}.{ext}"),
                  "size": size, "width": w, "height": h, "mime": mime,
                  "expiration_date_gmt": seen.fields.get("expiration").map(|_| "2026-11-30 00:00:00"),
                  "original_filename": name, "url": url, "url_viewer": format!("{base}/chevereto/image/{id}"),
                  "delete_url": delete_url},
        "status_txt": "OK"
    }))
    .into_response()
}
