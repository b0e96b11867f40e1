//! Lsky Pro (kind `lsky`), the self-hosted image site.
//!
//! - `v2` (Lsky Pro 2.x): `POST {url}/api/v1/upload` with the file in `file` and `strategy_id`,
//!   `album_id`, `permission` (1 public, 0 private); `Authorization: Bearer …` (added when the
//!   user typed only the token) and `Accept: application/json`. The answer is
//!   `{"status":true,"data":{"key":…,"links":{"url":…}}}`; the key deletes
//!   (`DELETE /api/v1/images/{key}`).
//! - `v1` (Lsky Pro 1.x, legacy): `POST {url}/api/upload` with `image` and a `token` header;
//!   `{"code":200,"data":{"url":…}}`. Its API deletes nothing.

use crate::{msg, Msg};
use async_trait::async_trait;
use serde::Deserialize;
use serde_json::Value;

use super::http::{Http, HttpAnswer};
use super::imgur::bearer;
use super::{
    body_excerpt, file_part, Deletes, FieldKind, FieldSpec, Host, Kind, Payload, Progress, Uploaded,
};
use crate::error::{Error, Result};
use crate::host_config::HostConfig;

pub const KIND: Kind = Kind {
    kind: "lsky",
    label: "Lsky Pro",
    fields: &[
        FieldSpec::new("url", "Site", FieldKind::Url, "The address of the Lsky Pro site, e.g. https://img.example.com.").required("https://lsky.example.com"),
        FieldSpec::new("token", "Token", FieldKind::Secret, "The API token from the site's dashboard (v2: the text after Bearer; typing Bearer too is fine).").required("1|example-token"),
        FieldSpec::new("version", "Version", FieldKind::Choice, "v2: Lsky Pro 2.x (/api/v1/upload); v1: the legacy Lsky Pro 1.x API (/api/upload).").default("v2").options(&["v2", "v1"]),
        FieldSpec::new("strategy_id", "Storage strategy ID", FieldKind::Text, "v2: the storage strategy to use (empty: the account's default).").example("1"),
        FieldSpec::new("album_id", "Album ID", FieldKind::Text, "v2: the album to put images in (empty: none).").example("2"),
        FieldSpec::new("permission", "Visibility", FieldKind::Choice, "v2: public (shown in the site's gallery) or private.").default("public").options(&["public", "private"]),
    ],
    build: |cfg| Ok(Box::new(Lsky::from_config(cfg)?)),
};

#[derive(Debug, Deserialize)]
struct Settings {
    url: String,
    token: String,
    version: String,
    #[serde(default)]
    strategy_id: String,
    #[serde(default)]
    album_id: String,
    permission: String,
}

#[derive(Debug)]
pub struct Lsky {
    site: String,
    token: String,
    v2: bool,
    strategy_id: String,
    album_id: String,
    public: bool,
}

/// Lsky's answers say `message` (v2) or `msg` (v1); Laravel's validation adds `errors`.
fn said(v: &Value) -> String {
    let text = v
        .get("message")
        .or_else(|| v.get("msg"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_string();
    let details: Vec<String> = v
        .get("errors")
        .and_then(Value::as_object)
        .map(|m| {
            m.values()
                .flat_map(|e| e.as_array().cloned().unwrap_or_default())
                .filter_map(|e| e.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    match (text.is_empty(), details.is_empty()) {
        (_, false) => format!("{text} {}", details.join(" ")).trim().to_string(),
        (false, true) => text,
        (true, true) => String::new(),
    }
}

impl Lsky {
    pub fn from_config(cfg: &HostConfig) -> Result<Self> {
        let s: Settings = super::settings_of(cfg)?;
        for (key, value) in [("strategy_id", &s.strategy_id), ("album_id", &s.album_id)] {
            if !value.is_empty() && value.parse::<u64>().is_err() {
                return Err(Error::Input(msg!(
                    "{key} must be a number (the ID the site shows), not {value:?}"
                )));
            }
        }
        Ok(Lsky {
            site: s.url.trim_end_matches('/').to_string(),
            token: s.token,
            v2: s.version != "v1",
            strategy_id: s.strategy_id,
            album_id: s.album_id,
            public: s.permission != "private",
        })
    }

    fn request(&self, http: &Http, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let req = http
            .client
            .request(method, format!("{}{path}", self.site))
            .header(reqwest::header::ACCEPT, "application/json");
        if self.v2 {
            req.header(reqwest::header::AUTHORIZATION, bearer(&self.token))
        } else {
            req.header("token", self.token.trim())
        }
    }

    fn failure(&self, answer: &HttpAnswer, what: &Msg) -> Error {
        let json = serde_json::from_str::<Value>(&answer.body).ok();
        let message = json
            .as_ref()
            .map(said)
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| body_excerpt(&answer.body, 200));
        let lower = message.to_ascii_lowercase();
        match answer.status {
            429 => answer.failure(what),
            _ if answer.is_html() => answer.failure(what),
            401 => Error::token(format!("{message} (HTTP 401)")),
            403 => Error::Auth(msg!(
                "the site refused {what} for this token: {message} (HTTP 403)"
            )),
            413 => Error::TooLarge(msg!("the site refused the file as too large: {message}")),
            _ if lower.contains("unauthenticated") || lower.contains("token") => {
                Error::token(message)
            }
            _ if lower.contains("too large")
                || lower.contains("size")
                || message.contains("大小") =>
            {
                Error::TooLarge(msg!("the site refused the file: {message}"))
            }
            s if s >= 500 => answer.failure(what),
            s => Error::Refused(msg!("the site refused {what}: {message} (HTTP {s})")),
        }
    }
}

#[async_trait]
impl Host for Lsky {
    fn kind(&self) -> &'static str {
        "lsky"
    }

    fn max_size(&self) -> Option<u64> {
        // Each site sets its own limit and says so when a file is over it.
        None
    }

    async fn upload(
        &self,
        http: &Http,
        file: &Payload,
        progress: Option<Progress>,
    ) -> Result<Uploaded> {
        let part = file_part(file, progress)?;
        let (path, form) = if self.v2 {
            let mut form = reqwest::multipart::Form::new()
                .part("file", part)
                .text("permission", if self.public { "1" } else { "0" });
            if !self.strategy_id.is_empty() {
                form = form.text("strategy_id", self.strategy_id.clone());
            }
            if !self.album_id.is_empty() {
                form = form.text("album_id", self.album_id.clone());
            }
            ("/api/v1/upload", form)
        } else {
            (
                "/api/upload",
                reqwest::multipart::Form::new().part("image", part),
            )
        };
        let answer = http
            .send(
                self.request(http, reqwest::Method::POST, path)
                    .multipart(form),
            )
            .await?;
        if !answer.ok() {
            return Err(self.failure(&answer, &msg!("the upload")));
        }
        let v = answer.json()?;
        let succeeded = if self.v2 {
            v.get("status").and_then(Value::as_bool) == Some(true)
        } else {
            v.get("code").and_then(Value::as_i64) == Some(200)
        };
        if !succeeded {
            return Err(self.failure(&answer, &msg!("the upload")));
        }
        let data = v.get("data").cloned().unwrap_or(Value::Null);
        let url = if self.v2 {
            data.pointer("/links/url")
        } else {
            data.get("url")
        }
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| answer.failure(&msg!("without a link")))?;
        let key = data.get("key").and_then(Value::as_str).map(str::to_string);
        Ok(Uploaded {
            url: url.to_string(),
            delete_handle: if self.v2 { key.clone() } else { None },
            stored_name: data
                .get("pathname")
                .or_else(|| data.get("name"))
                .and_then(Value::as_str)
                .map(str::to_string),
            ..Default::default()
        })
    }

    async fn check(&self, http: &Http) -> Result<Msg> {
        if !self.v2 {
            return Err(Error::Unsupported(
                msg!("the legacy v1 API has no way to check a token without uploading; upload an image to try it"),
            ));
        }
        let answer = http
            .send(self.request(http, reqwest::Method::GET, "/api/v1/profile"))
            .await?;
        if !answer.ok() {
            return Err(self.failure(&answer, &msg!("reading the profile")));
        }
        let v = answer.json()?;
        if v.get("status").and_then(Value::as_bool) != Some(true) {
            return Err(self.failure(&answer, &msg!("reading the profile")));
        }
        let name = v
            .pointer("/data/name")
            .and_then(Value::as_str)
            .map(Msg::plain)
            .unwrap_or_else(|| msg!("the account"));
        Ok(match v.pointer("/data/image_num").and_then(Value::as_u64) {
            Some(n) => msg!("signed in as {name} ({n} images)"),
            None => msg!("signed in as {name}"),
        })
    }

    fn deleter(&self) -> Option<&dyn Deletes> {
        self.v2.then_some(self as &dyn Deletes)
    }
}

#[async_trait]
impl Deletes for Lsky {
    async fn delete(&self, http: &Http, key: &str) -> Result<()> {
        let key = super::word_handle(key, msg!("a Lsky Pro image key"))?;
        let answer = http
            .send(self.request(
                http,
                reqwest::Method::DELETE,
                &format!("/api/v1/images/{key}"),
            ))
            .await?;
        // 404: gone already (deleted on the site): what was asked is done.
        if answer.status == 404 && !answer.is_html() {
            return Ok(());
        }
        if !answer.ok() {
            return Err(self.failure(&answer, &msg!("deleting the image")));
        }
        let v = answer.json()?;
        if v.get("status").and_then(Value::as_bool) == Some(true) {
            Ok(())
        } else {
            Err(self.failure(&answer, &msg!("deleting the image")))
        }
    }
}
