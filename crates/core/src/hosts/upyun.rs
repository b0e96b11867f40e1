//! Upyun cloud storage (kind `upyun`), through its REST API.
//!
//! `PUT {api_url}/{bucket}/{key}` signed with Upyun's own scheme (not S3's):
//! `Authorization: UPYUN {operator}:{signature}`, where the signature is
//! `base64(HMAC-SHA1(key = md5hex(password), "METHOD&/{bucket}/{key}&{Date}[&{Content-MD5}]"))`.
//! The REST API replaces a file of the same name, so a taken name (seen with `HEAD`) gets `-2`,
//! `-3` … before its extension, as for the storage kinds. The link is `{url}/{key}{options}`;
//! the key deletes (`DELETE`).

use crate::{msg, Msg};
use async_trait::async_trait;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use serde::Deserialize;
use serde_json::Value;
use sha1::Sha1;

use super::http::{Http, HttpAnswer};
use super::storage::{self, Storage};
use super::{body_excerpt, Deletes, FieldKind, FieldSpec, Host, Kind, Payload, Progress, Uploaded};
use crate::error::{Error, Result};
use crate::host_config::HostConfig;

pub const DEFAULT_API: &str = "https://v0.api.upyun.com";

pub const KIND: Kind = Kind {
    kind: "upyun",
    label: "Upyun",
    fields: &[
        FieldSpec::new("bucket", "Service (bucket)", FieldKind::Text, "The name of the cloud storage service (bucket).").required("my-images"),
        FieldSpec::new("operator", "Operator", FieldKind::Text, "An operator authorised on the service.").required("uploader"),
        FieldSpec::new("password", "Operator password", FieldKind::Secret, "The operator's password.").required("operator-password"),
        FieldSpec::new("url", "Domain", FieldKind::Url, "The domain bound to the service, which serves the images, e.g. https://img.example.com.").required("https://img.example.com"),
        FieldSpec::new("path", "Folder", FieldKind::Text, "The folder on the service, with placeholders such as img/{Y}/{m}. Empty: the top folder.").example("img/{Y}"),
        FieldSpec::new("options", "URL suffix", FieldKind::Text, "Put after each link, e.g. an image-processing rule such as !thumb or _/fw/800.").example("!webp"),
        FieldSpec::new("api_url", "API URL", FieldKind::Url, "The REST API's address: v0.api.upyun.com picks the best route; v1 (telecom), v2 (unicom), v3 (mobile) are the others.").default(DEFAULT_API),
    ],
    build: |cfg| Ok(Box::new(Upyun::from_config(cfg)?)),
};

#[derive(Debug, Deserialize)]
struct Settings {
    bucket: String,
    operator: String,
    password: String,
    url: String,
    #[serde(default)]
    path: String,
    #[serde(default)]
    options: String,
    api_url: String,
}

#[derive(Debug)]
pub struct Upyun {
    bucket: String,
    operator: String,
    /// md5 of the password, in hex: the signing key.
    key: String,
    domain: String,
    template: String,
    options: String,
    api: String,
}

/// md5 of `bytes`, in lowercase hex.
fn md5_hex(bytes: &[u8]) -> String {
    hex::encode(Md5::digest(bytes))
}

/// Upyun's signature of a request: `base64(HMAC-SHA1(key, method&uri&date[&content_md5]))`.
pub fn signature(
    key: &str,
    method: &str,
    uri: &str,
    date: &str,
    content_md5: Option<&str>,
) -> String {
    let mut text = format!("{method}&{uri}&{date}");
    if let Some(m) = content_md5 {
        text.push('&');
        text.push_str(m);
    }
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).expect("HMAC takes any key");
    mac.update(text.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

impl Upyun {
    pub fn from_config(cfg: &HostConfig) -> Result<Self> {
        let s: Settings = super::settings_of(cfg)?;
        let template = storage::folder_template(&s.path);
        crate::rename::check_path_template(&template)?;
        if s.bucket.contains(['/', ' ']) {
            return Err(Error::Input(msg!(
                "Service (bucket) is a name like my-images, not {:?}",
                s.bucket
            )));
        }
        Ok(Upyun {
            bucket: s.bucket,
            operator: s.operator,
            key: md5_hex(s.password.as_bytes()),
            domain: s.url,
            template,
            options: s.options,
            api: s.api_url.trim_end_matches('/').to_string(),
        })
    }

    /// The signed request for `key` (empty: the service itself).
    fn request(
        &self,
        http: &Http,
        method: reqwest::Method,
        key: &str,
        content_md5: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let uri = format!("/{}/{}", self.bucket, storage::encode_key(key));
        let date = chrono::Utc::now()
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        let sign = signature(&self.key, method.as_str(), &uri, &date, content_md5);
        let mut req = http
            .client
            .request(method, format!("{}{uri}", self.api))
            .header(reqwest::header::DATE, date)
            .header(
                reqwest::header::AUTHORIZATION,
                format!("UPYUN {}:{sign}", self.operator),
            );
        if let Some(m) = content_md5 {
            req = req.header("content-md5", m);
        }
        req
    }

    fn link(&self, key: &str) -> String {
        format!("{}{}", storage::link(&self.domain, key), self.options)
    }

    fn failure(&self, answer: &HttpAnswer, what: &Msg) -> Error {
        if answer.is_html() || answer.status == 429 {
            return answer.failure(what);
        }
        let json = serde_json::from_str::<Value>(&answer.body).ok();
        let msg = json
            .as_ref()
            .and_then(|v| v.get("msg").and_then(Value::as_str))
            .map(str::to_string)
            .unwrap_or_else(|| body_excerpt(&answer.body, 200));
        let code = json
            .as_ref()
            .and_then(|v| v.get("code").and_then(Value::as_i64))
            .map(|c| format!(", code {c}"))
            .unwrap_or_default();
        let lower = msg.to_ascii_lowercase();
        match answer.status {
            401 if lower.contains("date") || lower.contains("time") => Error::Auth(msg!(
                "Upyun refused the request's time: set this computer's clock right ({msg}{code})"
            )),
            401 => Error::Auth(msg!(
                "Upyun refused operator {:?} or its password ({msg}{code})",
                self.operator
            )),
            403 => Error::Auth(msg!(
                "operator {:?} may not do {what} on {:?} ({msg}{code})",
                self.operator,
                self.bucket
            )),
            404 if lower.contains("bucket") => Error::Config(msg!(
                "there is no service (bucket) {:?} ({msg}{code})",
                self.bucket
            )),
            413 => Error::TooLarge(msg!("Upyun refused the file as too large ({msg}{code})")),
            s if s >= 500 => answer.failure(what),
            s => Error::Refused(msg!("Upyun refused {what}: {msg} (HTTP {s}{code})")),
        }
    }

    async fn exists(&self, http: &Http, key: &str) -> Result<bool> {
        let answer = http
            .send(self.request(http, reqwest::Method::HEAD, key, None))
            .await?;
        match answer.status {
            404 => Ok(false),
            s if (200..300).contains(&s) => Ok(true),
            _ => Err(self.failure(&answer, &msg!("looking up the file"))),
        }
    }
}

#[async_trait]
impl Host for Upyun {
    fn kind(&self) -> &'static str {
        "upyun"
    }

    fn max_size(&self) -> Option<u64> {
        // One REST PUT takes files up to 1 GB.
        Some(1024 * 1024 * 1024)
    }

    async fn upload(
        &self,
        http: &Http,
        file: &Payload,
        progress: Option<Progress>,
    ) -> Result<Uploaded> {
        let base = storage::key_for(&self.template, file)?;
        let content_md5 = md5_hex(&file.bytes);
        for n in 1..=storage::MAX_TRIES {
            let key = storage::numbered(&base, n);
            if self.exists(http, &key).await? {
                continue;
            }
            let req = self
                .request(http, reqwest::Method::PUT, &key, Some(&content_md5))
                .header(reqwest::header::CONTENT_TYPE, file.mime)
                .header(reqwest::header::CONTENT_LENGTH, file.bytes.len())
                .body(super::file_body(file, progress.clone()));
            let answer = http.send(req).await?;
            if !answer.ok() {
                return Err(self.failure(&answer, &msg!("the upload")));
            }
            let dim = |h: &str| answer.header_num(h).map(|n| n as u32);
            return Ok(Uploaded {
                url: self.link(&key),
                delete_handle: Some(self.handle_of(&key)),
                stored_name: Some(key),
                width: dim("x-upyun-width"),
                height: dim("x-upyun-height"),
                repeated: false,
            });
        }
        Err(Error::Refused(msg!(
            "{base} and {} more names like it are taken on {:?}; change the folder",
            storage::MAX_TRIES - 1,
            self.bucket
        )))
    }

    async fn check(&self, http: &Http) -> Result<Msg> {
        let req = self
            .request(http, reqwest::Method::GET, "", None)
            .query(&[("usage", "")]);
        let answer = http.send(req).await?;
        if !answer.ok() {
            return Err(self.failure(&answer, &msg!("reading the service's usage")));
        }
        Ok(match answer.body.trim().parse::<u64>() {
            Ok(bytes) => msg!(
                "operator {:?} may use {:?} ({:.1} MB stored)",
                self.operator,
                self.bucket,
                bytes as f64 / 1e6
            ),
            Err(_) => msg!("operator {:?} may use {:?}", self.operator, self.bucket),
        })
    }

    fn deleter(&self) -> Option<&dyn Deletes> {
        Some(self)
    }
}

#[async_trait]
impl Storage for Upyun {
    /// Where this config's files are: the service (the start of every delete handle).
    fn location(&self) -> String {
        format!("upyun://{}/", self.bucket)
    }

    async fn delete_key(&self, http: &Http, key: &str) -> Result<()> {
        let answer = http
            .send(self.request(http, reqwest::Method::DELETE, key, None))
            .await?;
        // 404: already gone (deleted elsewhere): what was asked is done.
        if answer.ok() || answer.status == 404 {
            Ok(())
        } else {
            Err(self.failure(&answer, &msg!("deleting {key}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_an_independent_hmac() {
        // Expected values computed with Python's hmac/hashlib/base64 from the same inputs.
        let key = md5_hex(b"password");
        assert_eq!(key, "5f4dcc3b5aa765d61d8327deb882cf99");
        let date = "Wed, 09 Nov 2016 14:26:58 GMT";
        assert_eq!(
            signature(&key, "PUT", "/bucket/path/to/file", date, None),
            "RCiYQ30LZck7ktWoKXYHMVtcm08="
        );
        assert_eq!(
            signature(
                &key,
                "PUT",
                "/bucket/path/to/file",
                date,
                Some("7ac66c0f148de9519b8bd264312c4d64")
            ),
            "GRUYT41L4pV7ovCtVbwX4/+/bsI="
        );
    }
}
