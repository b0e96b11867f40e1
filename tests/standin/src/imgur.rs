//! Imgur's API 3, under `/imgur` (the config's `api_url` is `{base}/imgur`), as Imgur documents
//! it: `POST /3/image` (multipart `image`), `DELETE /3/image/{deletehash}`, `GET /3/credits`.
//!
//! `Authorization` must be `Client-ID T` or `Bearer T` (T the stand-in's token), else 403
//! `Permission Denied`. Answers are `{"data":…,"success":…,"status":…}` and carry the rate-limit
//! headers (`X-RateLimit-*`, `X-Post-Rate-Limit-*`); with a post limit set
//! ([`crate::StandIn::imgur_post_limit`]) the upload after the last allowed one is a 429.
//! Files over 20 MB are refused as Imgur does. Scripted behaviours apply to uploads.

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::Router;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{hosted_request, png_size, scripted, sniff, Dialect, Object, Shared};

const MAX: usize = 20 * 1024 * 1024;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/3/image", post(upload))
        .route("/3/image/{hash}", delete(remove))
        .route("/3/credits", get(credits))
}

fn answer(status: StatusCode, posts_left: Option<u32>, body: Value) -> Response {
    let mut r = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-ratelimit-userlimit", "500")
        .header("x-ratelimit-userremaining", "499")
        .header("x-ratelimit-userreset", "1900000000")
        .header("x-ratelimit-clientlimit", "12500")
        .header("x-ratelimit-clientremaining", "12400");
    if let Some(n) = posts_left {
        r = r
            .header("x-post-rate-limit-limit", "1250")
            .header("x-post-rate-limit-remaining", n.to_string())
            .header("x-post-rate-limit-reset", "3000");
    }
    r.body(axum::body::Body::from(body.to_string())).unwrap()
}

fn error(status: StatusCode, request: &str, method: &str, text: &str) -> Response {
    answer(
        status,
        None,
        json!({"data": {"error": text, "request": request, "method": method}, "success": false, "status": status.as_u16()}),
    )
}

fn authorized(shared: &Shared, req: &Request) -> bool {
    let got = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    got == format!("Client-ID {}", shared.token) || got == format!("Bearer {}", shared.token)
}

async fn upload(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let ok = authorized(&shared, &req);
    let (seen, file) = match hosted_request(&shared, "imgur", req).await {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, "/3/image", "POST", &e),
    };
    if let Some(answer) = scripted(&shared, Dialect::See).await {
        return answer;
    }
    if !ok {
        return error(
            StatusCode::FORBIDDEN,
            "/3/image",
            "POST",
            "Permission Denied",
        );
    }
    let posts_left = {
        let mut inner = shared.lock();
        match inner.imgur_posts_left {
            Some(0) => {
                drop(inner);
                let mut r = error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "/3/image",
                    "POST",
                    "You are uploading too fast. Please wait -0 more minutes.",
                );
                r.headers_mut()
                    .insert("x-post-rate-limit-remaining", "0".parse().unwrap());
                r.headers_mut()
                    .insert("x-post-rate-limit-reset", "3000".parse().unwrap());
                return r;
            }
            Some(n) => {
                inner.imgur_posts_left = Some(n - 1);
                Some(n - 1)
            }
            None => None,
        }
    };
    let Some((name, bytes)) = file.filter(|_| seen.file_field.as_deref() == Some("image")) else {
        return error(
            StatusCode::BAD_REQUEST,
            "/3/image",
            "POST",
            "No image data was sent to the upload api",
        );
    };
    if bytes.len() > MAX {
        return error(
            StatusCode::BAD_REQUEST,
            "/3/image",
            "POST",
            "File is over the size limit",
        );
    }
    let sha = hex::encode(Sha256::digest(&bytes));
    let id = sha[..7].to_string();
    let deletehash = sha[7..22].to_string();
    let mime = sniff(&bytes);
    let ext = match mime {
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        _ => "png",
    };
    let (w, h) = png_size(&bytes).unwrap_or((0, 0));
    let link = format!("{}/o/imgur/{id}.{ext}", shared.base.lock().unwrap());
    let size = bytes.len();
    shared.lock().objects.insert(
        format!("imgur/{id}.{ext}"),
        Object {
            content_type: mime.to_string(),
            bytes,
            handle: deletehash.clone(),
        },
    );
    answer(
        StatusCode::OK,
        posts_left,
        json!({"data": {"id": id, "title": null, "description": null, "type": mime, "name": name,
                        "width": w, "height": h, "size": size, "deletehash": deletehash, "link": link},
               "success": true, "status": 200}),
    )
}

async fn remove(
    State(shared): State<Arc<Shared>>,
    Path(hash): Path<String>,
    req: Request,
) -> Response {
    if !authorized(&shared, &req) {
        return error(
            StatusCode::FORBIDDEN,
            "/3/image",
            "DELETE",
            "Permission Denied",
        );
    }
    let _ = hosted_request(&shared, "imgur", req).await;
    let mut inner = shared.lock();
    let key = inner
        .objects
        .iter()
        .find(|(k, o)| k.starts_with("imgur/") && o.handle == hash)
        .map(|(k, _)| k.clone());
    match key {
        Some(k) => {
            inner.objects.remove(&k);
            drop(inner);
            answer(
                StatusCode::OK,
                None,
                json!({"data": true, "success": true, "status": 200}),
            )
        }
        None => {
            drop(inner);
            error(
                StatusCode::NOT_FOUND,
                &format!("/3/image/{hash}"),
                "DELETE",
                "Unable to find an image with the id",
            )
        }
    }
}

async fn credits(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    if !authorized(&shared, &req) {
        return error(
            StatusCode::FORBIDDEN,
            "/3/credits",
            "GET",
            "Permission Denied",
        );
    }
    answer(
        StatusCode::OK,
        None,
        json!({"data": {"UserLimit": 500, "UserRemaining": 499, "UserReset": 1900000000,
                        "ClientLimit": 12500, "ClientRemaining": 12400}, "success": true, "status": 200}),
    )
}
