//! A WebDAV folder (kind `webdav`): Nextcloud, ownCloud, Alist, nginx or Apache with DAV,
//! Synology and the like.
//!
//! `PUT` into `url`; missing folders are made with `MKCOL`, outermost first, when the server
//! says a parent is missing (409). An existing file is never replaced: a taken name (seen with
//! `HEAD`, and refused by `If-None-Match: *` where the server honours it) gets `-2`, `-3` …
//! before its extension. The delete handle is the key (the path below `url`).

use crate::{msg, Msg};
use async_trait::async_trait;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};
use reqwest::Method;
use serde::Deserialize;

use super::http::{Http, HttpAnswer};
use super::storage::{self, Storage, DEFAULT_UPLOAD_PATH};
use super::{Deletes, FieldKind, FieldSpec, Host, Kind, Payload, Progress, Uploaded};
use crate::error::{Error, Result};
use crate::host_config::HostConfig;

pub const KIND: Kind = Kind {
    kind: "webdav",
    label: "WebDAV",
    fields: &[
        FieldSpec::new("url", "Folder URL", FieldKind::Url, "The WebDAV folder files go to, e.g. https://cloud.example.com/remote.php/dav/files/me/img.").required("https://dav.example.com/img"),
        FieldSpec::new("username", "Username", FieldKind::Text, "The WebDAV login (empty: no login).").example("me"),
        FieldSpec::new("password", "Password", FieldKind::Secret, "The password or app password of the login."),
        FieldSpec::new("upload_path", "Upload path", FieldKind::Text, "Where in the folder, with placeholders: {Y} {m} {d} {h} {i} {s} {ms} {timestamp} {md5} {sha256} {uuid} {filename} {ext}.").default(DEFAULT_UPLOAD_PATH),
        FieldSpec::new("url_prefix", "URL prefix", FieldKind::Url, "The public address that serves the folder, e.g. https://img.example.com. Empty: the folder URL.").example("https://img.example.com"),
    ],
    build: |cfg| Ok(Box::new(WebDav::from_config(cfg)?)),
};

#[derive(Debug, Deserialize)]
struct Settings {
    url: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    upload_path: String,
    #[serde(default)]
    url_prefix: String,
}

#[derive(Debug)]
pub struct WebDav {
    /// The folder URL, ending in `/`.
    base: String,
    username: String,
    password: String,
    upload_path: String,
    url_prefix: String,
}

fn method(name: &'static str) -> Method {
    Method::from_bytes(name.as_bytes()).expect("a valid method name")
}

impl WebDav {
    pub fn from_config(cfg: &HostConfig) -> Result<Self> {
        let s: Settings = super::settings_of(cfg)?;
        crate::rename::check_path_template(&s.upload_path)?;
        let base = format!("{}/", s.url.trim_end_matches('/'));
        let url_prefix = if s.url_prefix.is_empty() {
            base.clone()
        } else {
            s.url_prefix
        };
        Ok(WebDav {
            base,
            username: s.username,
            password: s.password,
            upload_path: s.upload_path,
            url_prefix,
        })
    }

    fn url(&self, key: &str) -> String {
        format!("{}{}", self.base, storage::encode_key(key))
    }

    fn request(&self, http: &Http, method: Method, url: &str) -> reqwest::RequestBuilder {
        let req = http.client.request(method, url);
        if self.username.is_empty() {
            req
        } else {
            req.basic_auth(&self.username, Some(&self.password))
        }
    }

    fn failure(&self, answer: &HttpAnswer, what: &Msg) -> Error {
        let host = url::Url::parse(&self.base)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        match answer.status {
            401 => Error::Auth(if self.username.is_empty() {
                msg!("{host} asks for a login: set username and password")
            } else {
                msg!("{host} refused the username or password (HTTP 401)")
            }),
            403 => Error::Refused(msg!(
                "{host} does not allow {what} (HTTP 403): the login may not write there"
            )),
            404 | 409 => Error::Config(msg!(
                "{host} has no folder {} (HTTP {})",
                self.base,
                answer.status
            )),
            405 => Error::Config(msg!(
                "{host} does not take WebDAV requests at {} (HTTP 405): is url the WebDAV folder?",
                self.base
            )),
            413 => Error::TooLarge(msg!("{host} refused the file as too large (HTTP 413)")),
            507 => Error::Refused(msg!(
                "{host} is out of space (HTTP 507 Insufficient Storage)"
            )),
            _ => answer.failure(what),
        }
    }

    /// Make the folders of `key` below the base, outermost first.
    async fn make_folders(&self, http: &Http, key: &str) -> Result<()> {
        for folder in storage::parents(key) {
            let url = format!("{}/", self.url(folder));
            let answer = http.send(self.request(http, method("MKCOL"), &url)).await?;
            // 201: made; 405: it already exists (some servers say 301 or 200).
            if !(answer.ok() || matches!(answer.status, 301 | 405)) {
                return Err(self.failure(&answer, &msg!("making the folder {folder}")));
            }
        }
        Ok(())
    }

    async fn exists(&self, http: &Http, key: &str) -> Result<bool> {
        let answer = http
            .send(self.request(http, Method::HEAD, &self.url(key)))
            .await?;
        match answer.status {
            404 | 409 => Ok(false),
            s if (200..300).contains(&s) => Ok(true),
            _ => Err(self.failure(&answer, &msg!("looking up the file"))),
        }
    }

    async fn put(
        &self,
        http: &Http,
        key: &str,
        file: &Payload,
        progress: Option<Progress>,
    ) -> Result<HttpAnswer> {
        http.send(
            self.request(http, Method::PUT, &self.url(key))
                .header(CONTENT_TYPE, file.mime)
                .header(CONTENT_LENGTH, file.bytes.len())
                .header("if-none-match", "*")
                .body(super::file_body(file, progress)),
        )
        .await
    }
}

#[async_trait]
impl Host for WebDav {
    fn kind(&self) -> &'static str {
        "webdav"
    }

    fn max_size(&self) -> Option<u64> {
        None
    }

    async fn upload(
        &self,
        http: &Http,
        file: &Payload,
        progress: Option<Progress>,
    ) -> Result<Uploaded> {
        let base = storage::key_for(&self.upload_path, file)?;
        for n in 1..=storage::MAX_TRIES {
            let key = storage::numbered(&base, n);
            if self.exists(http, &key).await? {
                continue;
            }
            let mut answer = self.put(http, &key, file, progress.clone()).await?;
            // 409 Conflict: a parent folder is missing (404 on some servers).
            if matches!(answer.status, 404 | 409) && key.contains('/') {
                self.make_folders(http, &key).await?;
                answer = self.put(http, &key, file, progress.clone()).await?;
            }
            if answer.status == 412 {
                continue;
            }
            if !answer.ok() {
                return Err(self.failure(&answer, &msg!("the upload")));
            }
            return Ok(Uploaded {
                url: storage::link(&self.url_prefix, &key),
                delete_handle: Some(self.handle_of(&key)),
                stored_name: Some(key),
                ..Default::default()
            });
        }
        Err(Error::Refused(msg!(
            "{base} and {} more names like it are taken in {}; change upload_path",
            storage::MAX_TRIES - 1,
            self.base
        )))
    }

    async fn check(&self, http: &Http) -> Result<Msg> {
        let answer = http
            .send(
                self.request(http, method("PROPFIND"), &self.base)
                    .header("depth", "0"),
            )
            .await?;
        if answer.status != 207 && !answer.ok() {
            return Err(self.failure(&answer, &msg!("reading the folder")));
        }
        Ok(msg!(
            "the folder {} answers and takes this login",
            self.base
        ))
    }

    fn deleter(&self) -> Option<&dyn Deletes> {
        Some(self)
    }
}

#[async_trait]
impl Storage for WebDav {
    /// Where this config's files are: the WebDAV folder.
    fn location(&self) -> String {
        self.base.clone()
    }

    async fn delete_key(&self, http: &Http, key: &str) -> Result<()> {
        let answer = http
            .send(self.request(http, Method::DELETE, &self.url(key)))
            .await?;
        // 404: already gone (deleted elsewhere): what was asked is done.
        if answer.ok() || answer.status == 404 {
            Ok(())
        } else {
            Err(self.failure(&answer, &msg!("deleting {key}")))
        }
    }
}
