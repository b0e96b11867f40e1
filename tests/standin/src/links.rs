//! What link checks meet: files served where HEAD is refused (405) and a ranged GET answers
//! 206 with the first bytes, as some CDNs and object stores do; files taken away (404).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::{Shared, StandIn};

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/nohead/{name}", get(no_head))
        .route("/slow/{name}", get(slow))
}

/// A file of `/files/NAME`, here without HEAD: 405 to HEAD, 206 to a GET with
/// `Range: bytes=A-B`, the whole file to any other GET.
async fn no_head(
    State(shared): State<Arc<Shared>>,
    method: Method,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Response {
    if method == Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "GET")]).into_response();
    }
    let Some((ct, bytes)) = shared.lock().files.get(&name).cloned() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("bytes="))
        .and_then(|v| v.split_once('-'))
        .and_then(|(a, b)| Some((a.parse::<usize>().ok()?, b.parse::<usize>().ok()?)));
    match range {
        Some((a, b)) if a < bytes.len() && a <= b => {
            let b = b.min(bytes.len() - 1);
            (
                StatusCode::PARTIAL_CONTENT,
                [
                    (header::CONTENT_TYPE, ct),
                    (
                        header::CONTENT_RANGE,
                        format!("bytes {a}-{b}/{}", bytes.len()),
                    ),
                ],
                bytes.slice(a..=b),
            )
                .into_response()
        }
        _ => ([(header::CONTENT_TYPE, ct)], bytes).into_response(),
    }
}

/// A file of `/files/NAME`, answered after 20 ms, counting how many are answered at once.
async fn slow(State(shared): State<Arc<Shared>>, Path(name): Path<String>) -> Response {
    {
        let mut inner = shared.lock();
        let (now, most) = &mut inner.slow_in_flight;
        *now += 1;
        *most = (*most).max(*now);
    }
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let mut inner = shared.lock();
    inner.slow_in_flight.0 -= 1;
    match inner.files.get(&name) {
        Some((ct, bytes)) => ([(header::CONTENT_TYPE, ct.clone())], bytes.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

impl StandIn {
    /// The URL of `/files/NAME` answered slowly, and the most such requests answered at once
    /// so far (see [`StandIn::most_at_once`]).
    pub fn slow_url(&self, name: &str) -> String {
        format!("{}/slow/{}", self.base_url(), name.replace(' ', "%20"))
    }

    /// The most `/slow/…` requests that were being answered at once.
    pub fn most_at_once(&self) -> usize {
        self.shared.lock().slow_in_flight.1
    }

    /// Stop serving `/files/NAME` (it answers 404 from now on). Returns whether it was served.
    pub fn remove_file(&self, name: &str) -> bool {
        self.shared.lock().files.remove(name).is_some()
    }

    /// The URL of `/files/NAME` served without HEAD (see `serve_file` for serving it).
    pub fn no_head_url(&self, name: &str) -> String {
        format!("{}/nohead/{}", self.base_url(), name.replace(' ', "%20"))
    }
}

impl StandIn {
    /// Take the stored image uploaded as `file_name` away, as its host deleting it would (its
    /// `/i/…` link answers 404). Returns whether there was one.
    pub fn delete_stored(&self, file_name: &str) -> bool {
        let mut inner = self.shared.lock();
        let found = inner
            .stored
            .iter_mut()
            .find(|s| s.file_name == file_name && !s.deleted);
        found.map(|s| s.deleted = true).is_some()
    }
}
