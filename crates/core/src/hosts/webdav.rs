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
use super::storage::{self, PlaceFile, Storage, SyncPlace, DEFAULT_UPLOAD_PATH};
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

    fn sync_place(&self) -> Option<&dyn SyncPlace> {
        Some(self)
    }
}

/// The most a folder's listing may take (some 100,000 files' worth).
const MAX_LISTING: u64 = 32 * 1024 * 1024;

/// The files of a `PROPFIND` answer (a `multistatus`): each `response` that is not a
/// collection, as the last part of its `href` (decoded) and its `getcontentlength`. Namespace
/// prefixes differ between servers (`D:`, `d:`, none), so elements are matched by local name.
fn files_in_multistatus(xml: &str) -> std::result::Result<Vec<PlaceFile>, quick_xml::Error> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut href, mut length, mut collection) = (String::new(), String::new(), false);
    let mut field: Option<&'static str> = None;
    let mut files = Vec::new();
    loop {
        match reader.read_event()? {
            Event::Start(e) => match e.local_name().as_ref() {
                "response" => (href, length, collection) = (String::new(), String::new(), false),
                "href" => field = Some("href"),
                "getcontentlength" => field = Some("length"),
                "collection" => collection = true,
                _ => field = None,
            },
            Event::Empty(e) if e.local_name().as_ref() == "collection" => collection = true,
            Event::Text(t) => {
                let text: &str = t.as_ref();
                match field {
                    Some("href") => href.push_str(text),
                    Some("length") => length.push_str(text),
                    _ => {}
                }
            }
            Event::GeneralRef(r) if field == Some("href") && &*r == "amp" => href.push('&'),
            Event::End(e) => {
                field = None;
                if e.local_name().as_ref() == "response" && !collection {
                    let path = href.trim().trim_end_matches('/');
                    let last = path.rsplit('/').next().unwrap_or_default();
                    let name = percent_encoding::percent_decode_str(last).decode_utf8_lossy();
                    if storage::is_listed(&name) {
                        files.push(PlaceFile {
                            name: name.into_owned(),
                            size: length.trim().parse().unwrap_or(0),
                        });
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(files)
}

#[async_trait]
impl SyncPlace for WebDav {
    async fn list(&self, http: &Http, folder: &str) -> Result<Vec<PlaceFile>> {
        let url = format!("{}/", self.url(folder.trim_matches('/')));
        let body = r#"<?xml version="1.0" encoding="utf-8"?><propfind xmlns="DAV:"><prop><resourcetype/><getcontentlength/></prop></propfind>"#;
        let (answer, bytes) = http
            .send_bytes(
                self.request(http, method("PROPFIND"), &url)
                    .header("depth", "1")
                    .header(CONTENT_TYPE, "application/xml")
                    .body(body),
                MAX_LISTING,
            )
            .await?;
        if answer.status == 404 {
            return Ok(Vec::new());
        }
        if answer.status != 207 && !answer.ok() {
            return Err(self.failure(&answer, &msg!("listing {folder}")));
        }
        let mut files = files_in_multistatus(&String::from_utf8_lossy(&bytes)).map_err(|e| {
            Error::BadResponse(msg!(
                "{url} answered the listing with something that is not WebDAV's: {e}"
            ))
        })?;
        files.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(files)
    }

    async fn read(&self, http: &Http, key: &str, max: u64) -> Result<Option<Vec<u8>>> {
        let get = self.request(http, Method::GET, &self.url(key));
        let (answer, body) = storage::read_over_http(http, get, key, max).await?;
        match answer.status {
            404 | 410 => Ok(None),
            _ if answer.ok() => Ok(Some(body)),
            _ => Err(self.failure(&answer, &msg!("reading {key}"))),
        }
    }

    /// Written under a hidden name beside it, then moved to `key` without overwriting: a
    /// reader never sees a part.
    async fn create(&self, http: &Http, key: &str, bytes: bytes::Bytes) -> Result<bool> {
        if self.exists(http, key).await? {
            return Ok(false);
        }
        let (dir, name) = key.rsplit_once('/').map_or(("", key), |(d, n)| (d, n));
        let part = format!(
            "{}.{name}.{}.part",
            if dir.is_empty() {
                String::new()
            } else {
                format!("{dir}/")
            },
            uuid::Uuid::new_v4().simple()
        );
        let file = Payload {
            name: name.to_string(),
            bytes,
            mime: "application/octet-stream",
        };
        let mut answer = self.put(http, &part, &file, None).await?;
        if matches!(answer.status, 404 | 409) && key.contains('/') {
            self.make_folders(http, key).await?;
            answer = self.put(http, &part, &file, None).await?;
        }
        if !answer.ok() {
            return Err(self.failure(&answer, &msg!("writing {key}")));
        }
        let moved = http
            .send(
                self.request(http, method("MOVE"), &self.url(&part))
                    .header("destination", self.url(key))
                    .header("overwrite", "F"),
            )
            .await;
        let answer = match moved {
            Ok(a) => a,
            Err(e) => {
                let _ = self.delete_key(http, &part).await;
                return Err(e);
            }
        };
        if answer.ok() {
            return Ok(true);
        }
        let _ = self.delete_key(http, &part).await;
        // 412: the name is taken, unless the server meant another precondition (a lock).
        if answer.status == 412 && self.exists(http, key).await? {
            Ok(false)
        } else {
            Err(self.failure(&answer, &msg!("moving {part} to {key}")))
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_is_read_whatever_the_prefixes() {
        let xml = r#"<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">
<d:response><d:href>/dav/s/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop></d:propstat></d:response>
<d:response><d:href>/dav/s/m-1%20a&amp;b.pxs</d:href><d:propstat><d:prop><d:resourcetype/><d:getcontentlength>42</d:getcontentlength></d:prop></d:propstat></d:response>
<d:response><d:href>http://h/dav/s/.m.part</d:href><d:propstat><d:prop><d:resourcetype/></d:prop></d:propstat></d:response>
<response xmlns="DAV:"><href>/dav/s/sub/</href><propstat><prop><resourcetype><collection></collection></resourcetype></prop></propstat></response>
<D:response xmlns:D="DAV:"><D:href>/dav/s/%E5%9B%BE</D:href><D:propstat><D:prop><D:getcontentlength>7</D:getcontentlength></D:prop></D:propstat></D:response>
</d:multistatus>"#;
        assert_eq!(
            files_in_multistatus(xml).unwrap(),
            vec![
                PlaceFile {
                    name: "m-1 a&b.pxs".into(),
                    size: 42
                },
                PlaceFile {
                    name: "图".into(),
                    size: 7
                }
            ]
        );
    }
}
