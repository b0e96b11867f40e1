//! Imgur (kind `imgur`), or a service with Imgur's API.
//!
//! `POST {api_url}/3/image` with the file in the multipart field `image` (`type=file`),
//! anonymously with `Authorization: Client-ID …`, or to the account with `Bearer …` when an
//! access token is set. The answer's `data.link` is the link and `data.deletehash` the delete
//! handle (`DELETE /3/image/{deletehash}`). Imgur's rate limits come in headers
//! (`X-RateLimit-UserRemaining`, `X-RateLimit-ClientRemaining`, `X-Post-Rate-Limit-*`) and as
//! 429s; both are read and said in words.

use crate::{msg, Msg};
use async_trait::async_trait;
use serde::Deserialize;
use serde_json::Value;

use super::http::{Http, HttpAnswer};
use super::{
    body_excerpt, file_part, Deletes, FieldKind, FieldSpec, Host, Kind, Payload, Progress, Uploaded,
};
use crate::error::{Error, Result};
use crate::host_config::HostConfig;

pub const DEFAULT_API: &str = "https://api.imgur.com";
/// Imgur takes images up to 20 MB.
pub const MAX_SIZE: u64 = 20 * 1024 * 1024;

pub const KIND: Kind = Kind {
    kind: "imgur",
    label: "Imgur",
    fields: &[
        FieldSpec::new("client_id", "Client ID", FieldKind::Secret, "The Client ID of an application registered at imgur.com/account/settings/apps (anonymous uploads).").required("0123456789abcde"),
        FieldSpec::new("access_token", "Access token", FieldKind::Secret, "An OAuth access token, to upload to your account instead of anonymously (optional)."),
        FieldSpec::new("api_url", "API URL", FieldKind::Url, "The API's address: Imgur's, or a service with the same API.").default(DEFAULT_API),
    ],
    build: |cfg| Ok(Box::new(Imgur::from_config(cfg)?)),
};

#[derive(Debug, Deserialize)]
struct Settings {
    client_id: String,
    #[serde(default)]
    access_token: String,
    api_url: String,
}

#[derive(Debug)]
pub struct Imgur {
    client_id: String,
    access_token: String,
    api: String,
}

/// A token as an `Authorization` value: `Bearer` once, whether or not the user typed it.
pub fn bearer(token: &str) -> String {
    let t = token.trim();
    let bare = match t.get(..7) {
        Some(head) if head.eq_ignore_ascii_case("bearer ") => t[7..].trim(),
        _ => t,
    };
    format!("Bearer {bare}")
}

impl Imgur {
    pub fn from_config(cfg: &HostConfig) -> Result<Self> {
        let s: Settings = super::settings_of(cfg)?;
        Ok(Imgur {
            client_id: s.client_id,
            access_token: s.access_token,
            api: s.api_url.trim_end_matches('/').to_string(),
        })
    }

    fn authorization(&self) -> String {
        if self.access_token.is_empty() {
            format!("Client-ID {}", self.client_id)
        } else {
            bearer(&self.access_token)
        }
    }

    fn request(&self, http: &Http, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        http.client
            .request(method, format!("{}{path}", self.api))
            .header(reqwest::header::AUTHORIZATION, self.authorization())
    }

    fn failure(&self, answer: &HttpAnswer, what: &Msg) -> Error {
        let said = serde_json::from_str::<Value>(&answer.body)
            .ok()
            .and_then(|v| {
                v.pointer("/data/error").map(|e| match e {
                    Value::String(s) => s.clone(),
                    // Some errors nest: {"error": {"message": …}}.
                    other => other
                        .get("message")
                        .and_then(Value::as_str)
                        .map_or_else(|| other.to_string(), str::to_string),
                })
            })
            .unwrap_or_else(|| body_excerpt(&answer.body, 200));
        if let Some(limit) = rate_limit(answer) {
            return limit;
        }
        let who = if self.access_token.is_empty() {
            msg!("the Client ID")
        } else {
            msg!("the access token")
        };
        match answer.status {
            401 | 403 if !answer.is_html() => {
                Error::Auth(msg!("Imgur refused {who}: {said} (HTTP {})", answer.status))
            }
            413 => Error::TooLarge(msg!("Imgur refused the file as too large: {said}")),
            400 if said.to_ascii_lowercase().contains("size limit")
                || said.to_ascii_lowercase().contains("too large") =>
            {
                Error::TooLarge(msg!("Imgur refused the file as too large: {said}"))
            }
            s if answer.is_html() || s >= 500 => answer.failure(what),
            s => Error::Refused(msg!("Imgur refused {what}: {said} (HTTP {s})")),
        }
    }
}

/// Imgur's limits, when an answer says one is used up: the post limit per hour (reset in
/// seconds), the user's (reset at a time) or the application's daily credits.
fn rate_limit(answer: &HttpAnswer) -> Option<Error> {
    let post_left = answer.header_num("x-post-rate-limit-remaining");
    let user_left = answer.header_num("x-ratelimit-userremaining");
    let client_left = answer.header_num("x-ratelimit-clientremaining");
    let minutes = |secs: i64| (secs.max(0) as u64).div_ceil(60).max(1);
    let message = if post_left == Some(0) {
        let reset = answer.header_num("x-post-rate-limit-reset").unwrap_or(3600);
        msg!(
            "Imgur's upload limit for this address is used up; it resets in {} min",
            minutes(reset)
        )
    } else if user_left == Some(0) {
        let reset = answer
            .header_num("x-ratelimit-userreset")
            .map(|t| t - chrono::Utc::now().timestamp())
            .unwrap_or(3600);
        msg!(
            "Imgur's hourly limit for this address is used up; it resets in {} min",
            minutes(reset)
        )
    } else if client_left == Some(0) {
        msg!("the Client ID's daily Imgur credits are used up; they come back tomorrow (or register another application)")
    } else if answer.status == 429 {
        match answer.retry_after {
            Some(d) => msg!("Imgur asks to slow down; try again in {} s", d.as_secs()),
            None => msg!("Imgur asks to slow down (HTTP 429)"),
        }
    } else {
        return None;
    };
    let short = answer.retry_after.filter(|d| d.as_secs() <= 60);
    Some(Error::RateLimited {
        message,
        retry_after: short,
        retry: short.is_some(),
    })
}

#[async_trait]
impl Host for Imgur {
    fn kind(&self) -> &'static str {
        "imgur"
    }

    fn max_size(&self) -> Option<u64> {
        Some(MAX_SIZE)
    }

    async fn upload(
        &self,
        http: &Http,
        file: &Payload,
        progress: Option<Progress>,
    ) -> Result<Uploaded> {
        let form = reqwest::multipart::Form::new()
            .part("image", file_part(file, progress)?)
            .text("type", "file")
            .text("name", file.name.clone());
        let answer = http
            .send(
                self.request(http, reqwest::Method::POST, "/3/image")
                    .multipart(form),
            )
            .await?;
        if !answer.ok() {
            return Err(self.failure(&answer, &msg!("the upload")));
        }
        let v = answer.json()?;
        if v.get("success").and_then(Value::as_bool) == Some(false) {
            return Err(self.failure(&answer, &msg!("the upload")));
        }
        let data = v.get("data").cloned().unwrap_or(Value::Null);
        let link = data
            .get("link")
            .and_then(Value::as_str)
            .filter(|l| !l.is_empty())
            .ok_or_else(|| answer.failure(&msg!("without data.link")))?;
        let dim = |k: &str| data.get(k).and_then(Value::as_u64).map(|n| n as u32);
        Ok(Uploaded {
            // Imgur still answers http:// links for some images; the same file is on https.
            url: link.replacen("http://i.imgur.com/", "https://i.imgur.com/", 1),
            delete_handle: data
                .get("deletehash")
                .and_then(Value::as_str)
                .map(str::to_string),
            stored_name: data.get("id").and_then(Value::as_str).map(str::to_string),
            width: dim("width"),
            height: dim("height"),
            repeated: false,
        })
    }

    async fn check(&self, http: &Http) -> Result<Msg> {
        let answer = http
            .send(self.request(http, reqwest::Method::GET, "/3/credits"))
            .await?;
        if !answer.ok() {
            return Err(self.failure(&answer, &msg!("reading the credits")));
        }
        let v = answer.json()?;
        let n = |k: &str| v.pointer(&format!("/data/{k}")).and_then(Value::as_i64);
        let who = if self.access_token.is_empty() {
            msg!("the Client ID")
        } else {
            msg!("the access token")
        };
        Ok(match (n("ClientRemaining"), n("UserRemaining")) {
            (Some(c), Some(u)) => msg!(
                "Imgur takes {who} ({c} application credits left today, {u} for this address this hour)"
            ),
            _ => msg!("Imgur takes {who}"),
        })
    }

    fn deleter(&self) -> Option<&dyn Deletes> {
        Some(self)
    }
}

#[async_trait]
impl Deletes for Imgur {
    async fn delete(&self, http: &Http, hash: &str) -> Result<()> {
        let hash = super::word_handle(hash, msg!("an Imgur delete hash"))?;
        let answer = http
            .send(self.request(http, reqwest::Method::DELETE, &format!("/3/image/{hash}")))
            .await?;
        // 404: gone already (deleted on Imgur): what was asked is done.
        if answer.ok() || answer.status == 404 {
            Ok(())
        } else {
            Err(self.failure(&answer, &msg!("deleting the image")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_once() {
        assert_eq!(bearer("abc"), "Bearer abc");
        assert_eq!(bearer("Bearer abc"), "Bearer abc");
        assert_eq!(bearer(" bearer  abc "), "Bearer abc");
    }
}
