//! GitHub's contents API, under `/github` (the config's `api_url` is `{base}/github`), as
//! GitHub documents it: one repository, `pix/images`, with one branch, `main`.
//!
//! - `GET /repos/{owner}/{repo}`: the repository with `permissions.push`; 404 for any other.
//! - `PUT /repos/{owner}/{repo}/contents/{path}`: `{message, content (base64), branch, sha?}`;
//!   201 with `content.sha` (git's blob SHA) and `content.download_url` (served under
//!   `/o/github/…`); 422 `"sha" wasn't supplied` when the file exists and no sha is given.
//! - `GET …/contents/{path}?ref=main`: the file's `sha` and `download_url`, or 404.
//! - `DELETE …/contents/{path}`: `{message, sha, branch}`; 409 when the sha is not the file's.
//!
//! The token must come as `token T` or `Bearer T`, else 401 `Bad credentials`. Answers carry
//! `x-ratelimit-limit/remaining/reset`. Scripted behaviours apply to uploads.

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use serde_json::{json, Value};
use sha1::{Digest, Sha1};

use super::{encode_path, hosted_request, scripted, sniff, Dialect, Object, Shared};

const REPO: &str = "pix/images";
const BRANCH: &str = "main";

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/repos/{owner}/{repo}", get(repository))
        .route(
            "/repos/{owner}/{repo}/contents/{*path}",
            get(contents).put(put).delete(delete),
        )
}

fn blob_sha(bytes: &[u8]) -> String {
    let mut h = Sha1::new();
    h.update(format!("blob {}\0", bytes.len()).as_bytes());
    h.update(bytes);
    hex::encode(h.finalize())
}

fn answer(status: StatusCode, body: Value) -> Response {
    (
        status,
        [
            ("x-ratelimit-limit", "5000"),
            ("x-ratelimit-remaining", "4999"),
            ("x-ratelimit-reset", "1900000000"),
        ],
        Json(body),
    )
        .into_response()
}

fn message(status: StatusCode, text: &str) -> Response {
    answer(
        status,
        json!({"message": text, "documentation_url": "https://docs.github.com/rest", "status": status.as_u16().to_string()}),
    )
}

fn authorized(shared: &Shared, req: &Request) -> bool {
    let got = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    [
        format!("token {}", shared.token),
        format!("Bearer {}", shared.token),
    ]
    .contains(&got.to_string())
}

fn download_url(shared: &Shared, path: &str) -> String {
    format!(
        "{}/o/github/{REPO}/{BRANCH}/{}",
        shared.base.lock().unwrap(),
        encode_path(path)
    )
}

fn object_key(path: &str) -> String {
    format!("github/{REPO}/{BRANCH}/{path}")
}

fn file_json(shared: &Shared, path: &str, sha: &str, size: usize) -> Value {
    json!({
        "type": "file", "name": path.rsplit('/').next().unwrap_or(path), "path": path,
        "sha": sha, "size": size, "download_url": download_url(shared, path),
        "html_url": format!("https://github.com/{REPO}/blob/{BRANCH}/{}", encode_path(path)),
    })
}

async fn repository(
    State(shared): State<Arc<Shared>>,
    Path((owner, repo)): Path<(String, String)>,
    req: Request,
) -> Response {
    if !authorized(&shared, &req) {
        return message(StatusCode::UNAUTHORIZED, "Bad credentials");
    }
    if format!("{owner}/{repo}") != REPO {
        return message(StatusCode::NOT_FOUND, "Not Found");
    }
    answer(
        StatusCode::OK,
        json!({"full_name": REPO, "default_branch": BRANCH, "private": false,
               "permissions": {"admin": false, "push": true, "pull": true}}),
    )
}

/// The repository and path a contents request names, or the answer GitHub gives instead.
fn target(shared: &Shared, req: &Request, owner: &str, repo: &str) -> Result<(), Response> {
    if !authorized(shared, req) {
        return Err(message(StatusCode::UNAUTHORIZED, "Bad credentials"));
    }
    if format!("{owner}/{repo}") != REPO {
        return Err(message(StatusCode::NOT_FOUND, "Not Found"));
    }
    Ok(())
}

async fn contents(
    State(shared): State<Arc<Shared>>,
    Path((owner, repo, path)): Path<(String, String, String)>,
    req: Request,
) -> Response {
    if let Err(r) = target(&shared, &req, &owner, &repo) {
        return r;
    }
    let found = shared.lock().objects.get(&object_key(&path)).cloned();
    match found {
        Some(o) => answer(
            StatusCode::OK,
            file_json(&shared, &path, &o.handle, o.bytes.len()),
        ),
        None => message(StatusCode::NOT_FOUND, "Not Found"),
    }
}

/// A write's JSON body, once the token and the repository are checked (recorded as a request).
async fn body_json(
    shared: &Arc<Shared>,
    req: Request,
    owner: &str,
    repo: &str,
) -> Result<Value, Response> {
    target(shared, &req, owner, repo)?;
    let (_, file) = hosted_request(shared, "github", req)
        .await
        .map_err(|e| message(StatusCode::BAD_REQUEST, &e))?;
    let bytes = file.map(|f| f.1).unwrap_or_default();
    serde_json::from_slice(&bytes)
        .map_err(|_| message(StatusCode::BAD_REQUEST, "Problems parsing JSON"))
}

async fn put(
    State(shared): State<Arc<Shared>>,
    Path((owner, repo, path)): Path<(String, String, String)>,
    req: Request,
) -> Response {
    let body = match body_json(&shared, req, &owner, &repo).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    if let Some(answer) = scripted(&shared, Dialect::See).await {
        return answer;
    }
    let branch = body.get("branch").and_then(Value::as_str).unwrap_or(BRANCH);
    if branch != BRANCH {
        return message(StatusCode::NOT_FOUND, &format!("Branch {branch} not found"));
    }
    if body
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .is_empty()
    {
        return message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid request.\n\n\"message\" wasn't supplied.",
        );
    }
    let Some(bytes) = body
        .get("content")
        .and_then(Value::as_str)
        .and_then(|c| base64::engine::general_purpose::STANDARD.decode(c).ok())
    else {
        return message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "content is not valid Base64",
        );
    };
    let key = object_key(&path);
    let mut inner = shared.lock();
    let given = body.get("sha").and_then(Value::as_str);
    match (inner.objects.get(&key), given) {
        (Some(_), None) => {
            drop(inner);
            return message(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Invalid request.\n\n\"sha\" wasn't supplied.",
            );
        }
        (Some(o), Some(sha)) if o.handle != sha => {
            let msg = format!("{path} does not match {sha}");
            drop(inner);
            return message(StatusCode::CONFLICT, &msg);
        }
        _ => {}
    }
    let sha = blob_sha(&bytes);
    let size = bytes.len();
    inner.objects.insert(
        key,
        Object {
            content_type: sniff(&bytes).to_string(),
            bytes: bytes.into(),
            handle: sha.clone(),
        },
    );
    drop(inner);
    answer(
        StatusCode::CREATED,
        json!({"content": file_json(&shared, &path, &sha, size),
               "commit": {"sha": blob_sha(sha.as_bytes()), "message": body["message"]}}),
    )
}

async fn delete(
    State(shared): State<Arc<Shared>>,
    Path((owner, repo, path)): Path<(String, String, String)>,
    req: Request,
) -> Response {
    let body = match body_json(&shared, req, &owner, &repo).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let key = object_key(&path);
    let mut inner = shared.lock();
    let Some(o) = inner.objects.get(&key) else {
        drop(inner);
        return message(StatusCode::NOT_FOUND, "Not Found");
    };
    let sha = body.get("sha").and_then(Value::as_str).unwrap_or_default();
    if o.handle != sha {
        drop(inner);
        return message(
            StatusCode::CONFLICT,
            &format!("{path} does not match {sha}"),
        );
    }
    inner.objects.remove(&key);
    drop(inner);
    answer(
        StatusCode::OK,
        json!({"content": null, "commit": {"message": body["message"]}}),
    )
}
