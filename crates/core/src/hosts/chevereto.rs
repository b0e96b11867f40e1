//! Chevereto (kind `chevereto`): self-hosted Chevereto v4 sites and ImgBB-style services with
//! its API 1.1.
//!
//! `POST {url}/api/1/upload` with the file in `source`, `format=json`, and `album_id` and
//! `expiration` when set; the key goes in `X-API-Key`. The answer's `image.url` is the link.
//! Chevereto's API has no delete: the answer's `image.delete_url` (a page that deletes the image
//! when opened in a browser) is kept as the record's delete handle so the user can still find it.

use crate::{msg, Msg};
use async_trait::async_trait;
use serde::Deserialize;
use serde_json::Value;

use super::http::{Http, HttpAnswer};
use super::{
    body_excerpt, file_part, FieldKind, FieldSpec, Host, Kind, Payload, Progress, Uploaded,
};
use crate::error::{Error, Result};
use crate::host_config::HostConfig;

pub const KIND: Kind = Kind {
    kind: "chevereto",
    label: "Chevereto",
    fields: &[
        FieldSpec::new("url", "Site", FieldKind::Url, "The address of the Chevereto site, e.g. https://img.example.com.").required("https://chevereto.example.com"),
        FieldSpec::new("api_key", "API key", FieldKind::Secret, "The API key from the site's dashboard (Settings → API, or your user's API key).").required("chv_example_key"),
        FieldSpec::new("album_id", "Album ID", FieldKind::Text, "The album (its encoded ID, as in the album's address) to put images in (optional).").example("X3Bd"),
        FieldSpec::new("expiration", "Expiration", FieldKind::Text, "Delete images after this long, as an ISO 8601 duration: PT5M (5 minutes), P1D (a day), P3M (3 months). Empty: never.").example("P1D"),
    ],
    build: |cfg| Ok(Box::new(Chevereto::from_config(cfg)?)),
};

#[derive(Debug, Deserialize)]
struct Settings {
    url: String,
    api_key: String,
    #[serde(default)]
    album_id: String,
    #[serde(default)]
    expiration: String,
}

#[derive(Debug)]
pub struct Chevereto {
    site: String,
    api_key: String,
    album_id: String,
    expiration: String,
}

/// Whether `text` is an ISO 8601 duration of the kind Chevereto takes (`PT5M`, `P1D`, `P2W`…).
fn is_duration(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('P') else {
        return false;
    };
    let (date, time) = rest.split_once('T').unwrap_or((rest, ""));
    let units_ok = |part: &str, units: &str| {
        let mut digits = 0;
        for c in part.chars() {
            if c.is_ascii_digit() {
                digits += 1;
            } else if units.contains(c) && digits > 0 {
                digits = 0;
            } else {
                return false;
            }
        }
        digits == 0
    };
    !(date.is_empty() && time.is_empty())
        && units_ok(date, "YMWD")
        && units_ok(time, "HMS")
        // A T comes exactly when a time part follows it.
        && time.is_empty() != rest.contains('T')
}

/// Chevereto's error: `{"status_code":400,"error":{"message":…,"code":…}}`.
fn error_of(v: &Value) -> (String, Option<i64>) {
    let e = v.get("error");
    let message = e
        .and_then(|e| e.get("message"))
        .or_else(|| v.get("status_txt"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    (
        message,
        e.and_then(|e| e.get("code")).and_then(Value::as_i64),
    )
}

impl Chevereto {
    pub fn from_config(cfg: &HostConfig) -> Result<Self> {
        let s: Settings = super::settings_of(cfg)?;
        if !s.expiration.is_empty() && !is_duration(&s.expiration) {
            return Err(Error::Input(msg!(
                "Expiration (expiration) must be an ISO 8601 duration such as PT5M, P1D or P3M, not {:?}",
                s.expiration
            )));
        }
        Ok(Chevereto {
            site: s.url.trim_end_matches('/').to_string(),
            api_key: s.api_key,
            album_id: s.album_id,
            expiration: s.expiration,
        })
    }

    fn failure(&self, answer: &HttpAnswer, what: &Msg) -> Error {
        if answer.status == 429 || answer.is_html() {
            return answer.failure(what);
        }
        let (message, code) = serde_json::from_str::<Value>(&answer.body)
            .map(|v| error_of(&v))
            .unwrap_or_else(|_| (body_excerpt(&answer.body, 200), None));
        let lower = message.to_ascii_lowercase();
        match answer.status {
            _ if code == Some(100) || lower.contains("api key") || lower.contains("api v1 key") => {
                Error::Auth(msg!(
                    "the site refused the API key: {message} (HTTP {})",
                    answer.status
                ))
            }
            401 | 403 => Error::Auth(msg!("the site refused {what}: {message}")),
            413 => Error::TooLarge(msg!("the site refused the file as too large: {message}")),
            _ if lower.contains("too big") || lower.contains("too large") => {
                Error::TooLarge(msg!("the site refused the file: {message}"))
            }
            _ if lower.contains("flood") => Error::RateLimited {
                message: msg!("the site blocked uploads for now: {message}"),
                retry_after: None,
                retry: false,
            },
            s if s >= 500 => answer.failure(what),
            s => Error::Refused(msg!("the site refused {what}: {message} (HTTP {s})")),
        }
    }

    fn form(&self) -> reqwest::multipart::Form {
        let mut form = reqwest::multipart::Form::new().text("format", "json");
        if !self.album_id.is_empty() {
            form = form.text("album_id", self.album_id.clone());
        }
        if !self.expiration.is_empty() {
            form = form.text("expiration", self.expiration.clone());
        }
        form
    }

    async fn send(&self, http: &Http, form: reqwest::multipart::Form) -> Result<HttpAnswer> {
        http.send(
            http.client
                .post(format!("{}/api/1/upload", self.site))
                .header("x-api-key", self.api_key.trim())
                .multipart(form),
        )
        .await
    }
}

#[async_trait]
impl Host for Chevereto {
    fn kind(&self) -> &'static str {
        "chevereto"
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
        let form = self.form().part("source", file_part(file, progress)?);
        let answer = self.send(http, form).await?;
        if !answer.ok() {
            return Err(self.failure(&answer, &msg!("the upload")));
        }
        let v = answer.json()?;
        let image = v.get("image").cloned().unwrap_or(Value::Null);
        let url = image
            .get("url")
            .and_then(Value::as_str)
            .filter(|u| !u.is_empty())
            .ok_or_else(|| self.failure(&answer, &msg!("the upload")))?;
        let dim = |k: &str| {
            image.get(k).and_then(|v| match v {
                Value::Number(n) => n.as_u64(),
                Value::String(s) => s.parse().ok(),
                _ => None,
            })
        };
        Ok(Uploaded {
            url: url.to_string(),
            delete_handle: image
                .get("delete_url")
                .and_then(Value::as_str)
                .map(str::to_string),
            stored_name: image
                .get("filename")
                .or_else(|| image.get("name"))
                .and_then(Value::as_str)
                .map(str::to_string),
            width: dim("width").map(|n| n as u32),
            height: dim("height").map(|n| n as u32),
            repeated: false,
        })
    }

    /// Chevereto has no endpoint that only checks a key: an upload with no file is sent, which
    /// a site answers "empty upload source" (the key was taken) or "invalid API key".
    async fn check(&self, http: &Http) -> Result<Msg> {
        let answer = self.send(http, self.form()).await?;
        let (message, code) = serde_json::from_str::<Value>(&answer.body)
            .map(|v| error_of(&v))
            .unwrap_or_default();
        let empty_source = message.to_ascii_lowercase().contains("empty upload source")
            || matches!(code, Some(130 | 310));
        if answer.ok() || (answer.status == 400 && empty_source) {
            Ok(msg!("{} takes the API key", self.site))
        } else {
            Err(self.failure(&answer, &msg!("the key check")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for ok in ["PT5M", "P1D", "P3M", "P1Y", "PT1H30M", "P2W"] {
            assert!(is_duration(ok), "{ok}");
        }
        for bad in ["", "P", "1D", "PT", "P1X", "PD", "P1DT", "tomorrow"] {
            assert!(!is_duration(bad), "{bad}");
        }
    }
}
