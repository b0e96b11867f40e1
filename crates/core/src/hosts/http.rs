//! What every host does with HTTP: send with a timeout, read the answer, and turn the ways
//! hosts fail (HTML error pages, 429, broken JSON) into plain-word errors.

use crate::{msg, Msg};
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use serde_json::Value;

use crate::error::{root_cause, Error, Result};
use crate::host_config::mask_password;

/// The HTTP client hosts use, with the timeout it was built with (for messages).
#[derive(Debug, Clone)]
pub struct Http {
    pub client: reqwest::Client,
    pub timeout: Duration,
    /// The proxy requests go through, to name it when it is what failed.
    pub proxy: Option<String>,
}

pub const USER_AGENT: &str = concat!("Pixdrop/", env!("CARGO_PKG_VERSION"));

impl Http {
    /// `proxy`: an http(s):// or socks5:// URL, or `None` for the system's settings.
    pub fn new(timeout: Duration, proxy: Option<&str>) -> Result<Self> {
        let mut b = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(15)))
            .pool_idle_timeout(Duration::from_secs(30));
        if let Some(p) = proxy.filter(|p| !p.is_empty()) {
            b = b.proxy(reqwest::Proxy::all(p).map_err(|e| {
                Error::Input(msg!("proxy {:?} is not usable: {e}", mask_password(p)))
            })?);
        }
        let client = b
            .build()
            .map_err(|e| Error::Network(msg!("cannot set up HTTP: {e}")))?;
        Ok(Http {
            client,
            timeout,
            proxy: proxy.filter(|p| !p.is_empty()).map(str::to_string),
        })
    }

    /// Send and read the whole answer.
    pub async fn send(&self, req: reqwest::RequestBuilder) -> Result<HttpAnswer> {
        let (mut answer, resp) = self.head(req).await?;
        answer.body = resp.text().await.map_err(|e| self.map_err(e))?;
        Ok(answer)
    }

    /// Send and read at most `max` bytes of the answer: a success's body comes back as bytes,
    /// any other's as the answer's text (for its error). A longer body is refused as soon as it
    /// says so or passes `max`, before more is read.
    pub async fn send_bytes(
        &self,
        req: reqwest::RequestBuilder,
        max: u64,
    ) -> Result<(HttpAnswer, Vec<u8>)> {
        let (mut answer, mut resp) = self.head(req).await?;
        let too_large = |origin: &str| {
            Error::TooLarge(msg!(
                "the answer from {origin} is larger than {max} bytes, more than it can be"
            ))
        };
        let origin = resp.url().origin().ascii_serialization();
        if resp.content_length().is_some_and(|n| n > max) {
            return Err(too_large(&origin));
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.map_err(e))? {
            if (body.len() + chunk.len()) as u64 > max {
                return Err(too_large(&origin));
            }
            body.extend_from_slice(&chunk);
        }
        if !answer.ok() {
            answer.body = String::from_utf8_lossy(&body).into_owned();
            body.clear();
        }
        Ok((answer, body))
    }

    /// Send and read the answer's status and headers; the body is left to read.
    async fn head(&self, req: reqwest::RequestBuilder) -> Result<(HttpAnswer, reqwest::Response)> {
        let resp = req.send().await.map_err(|e| self.map_err(e))?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let content_type = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let date = resp
            .headers()
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| chrono::DateTime::parse_from_rfc2822(v.trim()).ok())
            .map(|d| d.with_timezone(&chrono::Utc));
        let headers = resp.headers().clone();
        let answer = HttpAnswer {
            headers,
            status,
            retry_after,
            content_type,
            body: String::new(),
            date,
        };
        Ok((answer, resp))
    }

    pub(crate) fn map_err(&self, e: reqwest::Error) -> Error {
        if e.is_timeout() {
            return Error::Timeout(self.timeout);
        }
        // reqwest's own text is generic; the cause chain says what happened (refused, reset, DNS).
        let msg = root_cause(&e);
        // Through a proxy, a failed connection is a failed connection to the proxy (a proxy
        // that cannot reach the host says so in its answer to CONNECT: a "tunnel" error).
        if let Some(proxy) = self.proxy.as_deref() {
            if e.is_connect() && !msg.to_ascii_lowercase().contains("tunnel") {
                return Error::Network(msg!(
                    "could not reach the proxy {}: {msg}",
                    mask_password(proxy)
                ));
            }
        }
        match e.url() {
            // The origin keeps a port that is not the scheme's own: 127.0.0.1:8080, not 127.0.0.1.
            Some(u) => Error::Network(msg!(
                "could not reach {}: {msg}",
                u.origin().ascii_serialization()
            )),
            None => Error::Network(msg!("could not reach the host: {msg}")),
        }
    }
}

/// A host's whole answer.
#[derive(Debug, Clone)]
pub struct HttpAnswer {
    pub status: u16,
    pub retry_after: Option<Duration>,
    pub content_type: String,
    pub body: String,
    /// The server's clock, from its `Date` header.
    pub date: Option<chrono::DateTime<chrono::Utc>>,
    /// Every header, for hosts that say more in them (rate limits, image sizes).
    pub headers: reqwest::header::HeaderMap,
}

impl HttpAnswer {
    /// How far the server's clock is from ours, when it said what time it is.
    pub fn clock_skew(&self) -> Option<Duration> {
        let server = self.date?;
        (chrono::Utc::now() - server).abs().to_std().ok()
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    }

    /// A header's value as a number.
    pub fn header_num(&self, name: &str) -> Option<i64> {
        self.header(name)?.parse().ok()
    }

    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn is_html(&self) -> bool {
        let head = self
            .body
            .trim_start()
            .get(..64)
            .unwrap_or(self.body.trim_start())
            .to_ascii_lowercase();
        self.content_type.contains("text/html")
            || head.starts_with("<!doctype html")
            || head.starts_with("<html")
    }

    fn title(&self) -> Option<String> {
        let lower = self.body.to_ascii_lowercase();
        let start = lower.find("<title")?;
        let open_end = start + lower[start..].find('>')? + 1;
        let end = open_end + lower[open_end..].find("</title")?;
        let t = body_excerpt(&self.body[open_end..end], 80);
        (!t.is_empty()).then_some(t)
    }

    /// The error this answer means when it is not what we wanted, for any status.
    pub fn failure(&self, what: &Msg) -> Error {
        if self.status == 429 {
            return Error::RateLimited {
                message: match self.retry_after {
                    Some(d) => msg!("HTTP 429 Too Many Requests; retry after {} s", d.as_secs()),
                    None => msg!("HTTP 429 Too Many Requests"),
                },
                retry_after: self.retry_after,
                retry: true,
            };
        }
        let status = self.status;
        let message = if self.is_html() {
            match self.title() {
                Some(title) => {
                    msg!("the host answered HTTP {status} with a web page, not JSON (“{title}”)")
                }
                None => msg!("the host answered HTTP {status} with a web page, not JSON"),
            }
        } else if self.body.trim().is_empty() {
            msg!("the host answered HTTP {status} with an empty body {what}")
        } else {
            msg!(
                "the host answered HTTP {status} {what}: {body}",
                body = body_excerpt(&self.body, 200)
            )
        };
        if self.ok() {
            Error::BadResponse(message)
        } else {
            Error::Http {
                status: self.status,
                message,
            }
        }
    }

    /// The answer as JSON. Anything else (an HTML page, plain text, a 429) is an error that says
    /// what came back.
    pub fn json(&self) -> Result<Value> {
        if self.status == 429 {
            return Err(self.failure(&Msg::empty()));
        }
        match serde_json::from_str::<Value>(&self.body) {
            Ok(v) if v.is_object() => Ok(v),
            _ => Err(self.failure(&msg!("that is not JSON"))),
        }
    }
}

/// The start of a text, on one line, for error messages.
pub fn body_excerpt(text: &str, max_chars: usize) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max_chars {
        one_line
    } else {
        let mut s: String = one_line.chars().take(max_chars).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, ct: &str, body: &str) -> HttpAnswer {
        HttpAnswer {
            status,
            retry_after: None,
            content_type: ct.into(),
            body: body.into(),
            date: None,
            headers: Default::default(),
        }
    }

    #[test]
    fn cloudflare_page_is_described() {
        let a = answer(403, "text/html; charset=UTF-8", "<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head></html>");
        let e = a.json().unwrap_err();
        assert_eq!(e.to_string(), "the host answered HTTP 403 with a web page, not JSON (“Attention Required! | Cloudflare”)");
        assert!(!e.is_retryable());
        let e = answer(503, "text/html", "<html><body>busy</body></html>")
            .json()
            .unwrap_err();
        assert!(e.is_retryable());
    }

    #[test]
    fn plain_text_and_429() {
        let e = answer(200, "text/plain", "Flood detected")
            .json()
            .unwrap_err();
        assert!(e.to_string().contains("Flood detected"), "{e}");
        assert_eq!(e.kind(), "bad_response");
        let mut a = answer(429, "", "");
        a.retry_after = Some(Duration::from_secs(2));
        let e = a.json().unwrap_err();
        assert!(matches!(
            e,
            Error::RateLimited {
                retry: true,
                retry_after: Some(_),
                ..
            }
        ));
    }

    #[test]
    fn excerpt_is_one_line_and_short() {
        assert_eq!(body_excerpt("a\n  b\tc", 10), "a b c");
        assert_eq!(body_excerpt("abcdef", 3), "abc…");
    }
}
