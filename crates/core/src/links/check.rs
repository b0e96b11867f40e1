//! `links check`: ask every matching record's link whether it still serves the uploaded image.

use crate::{msg, Msg};
use std::collections::HashMap;
use std::sync::Arc;

use futures::StreamExt;
use reqwest::header::{CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, RANGE};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use super::store::LinkCheck;
use crate::album::{now_ms, Album, ListQuery, Record};
use crate::error::{Error, Result};
use crate::hosts::Http;
use crate::pipeline::Engine;

/// What a link's check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkStatus {
    /// It serves an image of the uploaded size (or of a size it does not say).
    Ok,
    /// HTTP 404 or 410.
    Gone,
    /// It answers, but not with the uploaded image: another size, not an image (a parked
    /// domain's page), or a refusal (401, 403 …).
    Changed,
    /// No answer: DNS, TLS, a refused connection, a timeout, or the server failing (5xx, 429).
    Unreachable,
}

impl LinkStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkStatus::Ok => "ok",
            LinkStatus::Gone => "gone",
            LinkStatus::Changed => "changed",
            LinkStatus::Unreachable => "unreachable",
        }
    }
}

impl std::str::FromStr for LinkStatus {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        [
            LinkStatus::Ok,
            LinkStatus::Gone,
            LinkStatus::Changed,
            LinkStatus::Unreachable,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or_else(|| Error::Storage(msg!("unknown link status {s:?} in the album")))
    }
}

impl std::fmt::Display for LinkStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How politely to ask.
#[derive(Debug, Clone, Copy)]
pub struct CheckOptions {
    /// Links asked at once, overall.
    pub concurrency: usize,
    /// Links asked at once of one host (scheme, name and port).
    pub per_host: usize,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            concurrency: 4,
            per_host: 2,
        }
    }
}

/// One record's check.
#[derive(Debug, Clone, Serialize)]
pub struct LinkResult {
    pub id: i64,
    pub config_name: String,
    pub file_name: String,
    pub url: String,
    #[serde(flatten)]
    pub check: LinkCheck,
}

/// Every checked record, in the order asked for.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub results: Vec<LinkResult>,
    /// Stopped before every link was asked: `results` holds those that were.
    pub cancelled: bool,
}

/// Watching a check as it goes: each result as it is kept (with how many are kept of how many),
/// and a token that stops it at once: links being asked then are dropped unasked.
pub struct CheckProgress<'a> {
    pub on_result: &'a mut (dyn FnMut(&LinkResult, usize, usize) + Send),
    pub cancel: CancellationToken,
}

impl CheckReport {
    pub fn count(&self, status: LinkStatus) -> usize {
        self.results
            .iter()
            .filter(|r| r.check.status == status)
            .count()
    }

    pub fn all_ok(&self) -> bool {
        self.count(LinkStatus::Ok) == self.results.len()
    }

    /// The ones that are not ok.
    pub fn broken(&self) -> impl Iterator<Item = &LinkResult> {
        self.results
            .iter()
            .filter(|r| r.check.status != LinkStatus::Ok)
    }
}

/// Check the links of every record `query` matches (its limit and offset are ignored: all of
/// them), through the configured proxy and timeout, and keep each result in the album.
pub async fn check(engine: &Engine, query: &ListQuery, opts: CheckOptions) -> Result<CheckReport> {
    let progress = CheckProgress {
        on_result: &mut |_, _, _| {},
        cancel: CancellationToken::new(),
    };
    check_with(engine, query, opts, progress).await
}

/// [`check`], watched: the app's "Check links" with its progress and Cancel.
pub async fn check_with(
    engine: &Engine,
    query: &ListQuery,
    opts: CheckOptions,
    progress: CheckProgress<'_>,
) -> Result<CheckReport> {
    let settings = engine.config().load()?.settings;
    let http = Engine::http(&settings)?;
    let records = engine.album().list(&ListQuery {
        limit: 0,
        offset: 0,
        ..query.clone()
    })?;
    check_records(engine.album(), &http, records, opts, progress).await
}

/// Check these records' links and keep each result in `album` as it comes.
pub async fn check_records(
    album: &Album,
    http: &Http,
    records: Vec<Record>,
    opts: CheckOptions,
    progress: CheckProgress<'_>,
) -> Result<CheckReport> {
    let total = records.len();
    let overall = Arc::new(Semaphore::new(opts.concurrency.max(1)));
    let mut hosts: HashMap<String, Arc<Semaphore>> = HashMap::new();
    let jobs: Vec<_> = records
        .into_iter()
        .map(|r| {
            let key = url::Url::parse(&r.url)
                .map(|u| u.origin().ascii_serialization())
                .unwrap_or_default();
            let host = hosts
                .entry(key)
                .or_insert_with(|| Arc::new(Semaphore::new(opts.per_host.max(1))))
                .clone();
            (r, host)
        })
        .collect();
    let mut answers = futures::stream::iter(jobs)
        .map(|(r, host)| {
            let overall = overall.clone();
            async move {
                // The host's turn first, so a link waiting for a busy host holds no overall slot.
                let _host = host.acquire_owned().await;
                let _slot = overall.acquire_owned().await;
                let (status, detail) = probe(http, &r).await;
                LinkResult {
                    id: r.id,
                    config_name: r.config_name,
                    file_name: r.file_name,
                    url: r.url,
                    check: LinkCheck {
                        status,
                        detail,
                        checked_at: now_ms(),
                    },
                }
            }
        })
        .buffered(64);
    let mut results = Vec::with_capacity(total);
    loop {
        let r = tokio::select! {
            biased;
            _ = progress.cancel.cancelled() => break,
            r = answers.next() => match r {
                Some(r) => r,
                None => break,
            },
        };
        album.set_link_check(r.id, &r.check)?;
        results.push(r);
        (progress.on_result)(results.last().expect("just pushed"), results.len(), total);
    }
    let cancelled = results.len() < total;
    Ok(CheckReport { results, cancelled })
}

/// The first bytes a ranged GET asks for, where HEAD is refused.
const RANGE_BYTES: u64 = 1024;

async fn probe(http: &Http, record: &Record) -> (LinkStatus, Option<Msg>) {
    match url::Url::parse(&record.url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {}
        _ => return (LinkStatus::Unreachable, Some(msg!("not an http(s) link"))),
    }
    let mut resp = match http.client.head(&record.url).send().await {
        Ok(r) => r,
        Err(e) => return (LinkStatus::Unreachable, Some(http.map_err(e).msg())),
    };
    if matches!(resp.status().as_u16(), 405 | 501) {
        resp = match http
            .client
            .get(&record.url)
            .header(RANGE, format!("bytes=0-{}", RANGE_BYTES - 1))
            .send()
            .await
        {
            Ok(r) => r,
            Err(e) => return (LinkStatus::Unreachable, Some(http.map_err(e).msg())),
        };
    }
    // The answer's body is not read: dropping it closes what a ranged GET left unread.
    classify(
        resp.status().as_u16(),
        resp.headers(),
        (record.size > 0).then_some(record.size),
    )
}

fn classify(
    status: u16,
    headers: &reqwest::header::HeaderMap,
    uploaded: Option<u64>,
) -> (LinkStatus, Option<Msg>) {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    match status {
        404 | 410 => (LinkStatus::Gone, Some(msg!("HTTP {status}"))),
        429 | 500..=599 => (LinkStatus::Unreachable, Some(msg!("HTTP {status}"))),
        200..=299 => {
            let content_type = header(CONTENT_TYPE).unwrap_or_default().trim();
            let essence = content_type
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            // No type, or the generic binary one: not a sign of anything.
            if !essence.is_empty()
                && essence != "application/octet-stream"
                && !essence.starts_with("image/")
            {
                return (
                    LinkStatus::Changed,
                    Some(msg!("{content_type}, not an image")),
                );
            }
            // A ranged answer names the whole size after the slash: `bytes 0-1023/52011`.
            let size = if status == 206 {
                header(CONTENT_RANGE)
                    .and_then(|v| v.rsplit_once('/'))
                    .and_then(|(_, total)| total.trim().parse::<u64>().ok())
            } else {
                header(CONTENT_LENGTH).and_then(|v| v.trim().parse::<u64>().ok())
            };
            match (size, uploaded) {
                (Some(now), Some(then)) if now != then => (
                    LinkStatus::Changed,
                    Some(msg!("{now} bytes, {then} were uploaded")),
                ),
                _ => (LinkStatus::Ok, None),
            }
        }
        _ => (LinkStatus::Changed, Some(msg!("HTTP {status}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn headers(pairs: &[(reqwest::header::HeaderName, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (k.clone(), HeaderValue::from_str(v).unwrap()))
            .collect()
    }

    #[test]
    fn answers_are_classified() {
        let png = headers(&[(CONTENT_TYPE, "image/png"), (CONTENT_LENGTH, "10")]);
        assert_eq!(classify(200, &png, Some(10)).0, LinkStatus::Ok);
        assert_eq!(classify(200, &png, None).0, LinkStatus::Ok);
        assert_eq!(classify(200, &png, Some(11)).0, LinkStatus::Changed);
        assert_eq!(classify(404, &png, Some(10)).0, LinkStatus::Gone);
        assert_eq!(classify(410, &HeaderMap::new(), None).0, LinkStatus::Gone);
        assert_eq!(
            classify(503, &HeaderMap::new(), None).0,
            LinkStatus::Unreachable
        );
        assert_eq!(
            classify(403, &HeaderMap::new(), None).0,
            LinkStatus::Changed
        );
        let page = headers(&[(CONTENT_TYPE, "text/html; charset=utf-8")]);
        let (status, detail) = classify(200, &page, Some(10));
        assert_eq!(status, LinkStatus::Changed);
        assert_eq!(detail.unwrap(), "text/html; charset=utf-8, not an image");
        let ranged = headers(&[
            (CONTENT_TYPE, "image/png"),
            (CONTENT_LENGTH, "1024"),
            (CONTENT_RANGE, "bytes 0-1023/5000"),
        ]);
        assert_eq!(classify(206, &ranged, Some(5000)).0, LinkStatus::Ok);
        assert_eq!(classify(206, &ranged, Some(1024)).0, LinkStatus::Changed);
    }
}
