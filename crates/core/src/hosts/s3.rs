//! Any S3-compatible storage (kind `s3`): AWS S3, Cloudflare R2, Backblaze B2, MinIO, SeaweedFS,
//! Aliyun OSS, Tencent COS, Qiniu Kodo.
//!
//! Requests are signed with AWS Signature V4 by `rusty-s3`: a small, sans-I/O crate (it builds
//! presigned URLs; reqwest, which the other hosts use, sends them), so no second HTTP stack or
//! SDK runtime comes with it. `PUT` carries the sniffed `Content-Type` and a known
//! `Content-Length`, and `If-None-Match: *`, so an existing object is never replaced: a taken
//! key gets `-2`, `-3` … before its extension. The delete handle is the object key.

use crate::{msg, Msg};
use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};
use rusty_s3::actions::{DeleteObject, GetObject, ListObjectsV2, PutObject};
use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};
use serde::Deserialize;

use super::http::{Http, HttpAnswer};
use super::storage::{self, PlaceFile, Storage, SyncPlace, DEFAULT_UPLOAD_PATH};
use super::{body_excerpt, Deletes, FieldKind, FieldSpec, Host, Kind, Payload, Progress, Uploaded};
use crate::error::{Error, Result};
use crate::host_config::HostConfig;

pub const KIND: Kind = Kind {
    kind: "s3",
    label: "S3-compatible storage",
    fields: &[
        FieldSpec::new("access_key_id", "Access key ID", FieldKind::Text, "The key ID of the credentials (AWS: an IAM user's access key; R2: an API token's access key ID).").required("AKIAEXAMPLE"),
        FieldSpec::new("secret_access_key", "Secret access key", FieldKind::Secret, "The secret that goes with the access key ID.").required("secret-example"),
        FieldSpec::new("bucket", "Bucket", FieldKind::Text, "The bucket's name.").required("my-images"),
        FieldSpec::new("region", "Region", FieldKind::Text, "The bucket's region, e.g. us-east-1 or eu-central-1; auto for Cloudflare R2.").default("us-east-1"),
        FieldSpec::new("endpoint", "Endpoint", FieldKind::Text, "The S3 API address of a service other than AWS, e.g. https://<account>.r2.cloudflarestorage.com or http://127.0.0.1:9000. Empty: AWS.").example("https://s3.example.com"),
        FieldSpec::new("path_style", "Path-style URLs", FieldKind::Bool, "On: https://endpoint/bucket/key (MinIO, SeaweedFS, most self-hosted servers). Off: https://bucket.endpoint/key.").default("false"),
        FieldSpec::new("upload_path", "Upload path", FieldKind::Text, "The object key, with placeholders: {Y} {m} {d} {h} {i} {s} {ms} {timestamp} {md5} {sha256} {uuid} {filename} {ext}.").default(DEFAULT_UPLOAD_PATH),
        FieldSpec::new("url_prefix", "URL prefix", FieldKind::Url, "Your custom domain or CDN in front of the bucket, e.g. https://img.example.com. Empty: the object's URL on the endpoint.").example("https://img.example.com"),
        FieldSpec::new("acl", "Access (ACL)", FieldKind::Choice, "none: the bucket's own policy decides (R2 and B2 refuse ACLs); public-read: anyone with the link; private.").default("none").options(&["none", "public-read", "private"]),
    ],
    build: |cfg| Ok(Box::new(S3::from_config(cfg)?)),
};

#[derive(Debug, Deserialize)]
struct Settings {
    access_key_id: String,
    secret_access_key: String,
    bucket: String,
    region: String,
    #[serde(default)]
    endpoint: String,
    path_style: bool,
    upload_path: String,
    #[serde(default)]
    url_prefix: String,
    acl: String,
}

/// How long a signed request stays valid: long enough for a slow upload to start.
const SIGNED_FOR: Duration = Duration::from_secs(15 * 60);
/// The most pages a sync folder's listing reads.
const MAX_LIST_PAGES: usize = 1_000;

#[derive(Debug)]
pub struct S3 {
    bucket: Bucket,
    credentials: Credentials,
    upload_path: String,
    url_prefix: String,
    acl: Option<String>,
    /// The endpoint's host, for messages.
    endpoint_host: String,
}

/// The endpoint as a URL: AWS's for the region when empty, `https://` when no scheme is given.
pub fn endpoint_url(endpoint: &str, region: &str) -> Result<url::Url> {
    let endpoint = endpoint.trim().trim_end_matches('/');
    let text = if endpoint.is_empty() {
        format!("https://s3.{region}.amazonaws.com")
    } else if endpoint.contains("://") {
        endpoint.to_string()
    } else {
        format!("https://{endpoint}")
    };
    let url = url::Url::parse(&text)
        .map_err(|e| Error::Input(msg!("endpoint {endpoint:?} is not an address: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::Input(msg!(
            "endpoint must be an http:// or https:// address, not {endpoint:?}"
        )));
    }
    Ok(url)
}

impl S3 {
    pub fn from_config(cfg: &HostConfig) -> Result<Self> {
        let s: Settings = super::settings_of(cfg)?;
        crate::rename::check_path_template(&s.upload_path)?;
        let region = if s.region.is_empty() {
            "us-east-1".to_string()
        } else {
            s.region
        };
        let endpoint = endpoint_url(&s.endpoint, &region)?;
        let endpoint_host = endpoint.host_str().unwrap_or_default().to_string();
        let style = if s.path_style {
            UrlStyle::Path
        } else {
            UrlStyle::VirtualHost
        };
        let bucket = Bucket::new(endpoint, style, s.bucket.clone(), region).map_err(|e| {
            let why = match e {
                rusty_s3::BucketError::ParseError(_) => {
                    msg!(" (a bucket name with dots or capitals, or an IP address as the endpoint, needs path-style URLs: set path_style=true)")
                }
                _ => Msg::empty(),
            };
            Error::Input(msg!(
                "bucket {:?} on this endpoint cannot be addressed{why}",
                s.bucket
            ))
        })?;
        Ok(S3 {
            bucket,
            credentials: Credentials::new(s.access_key_id, s.secret_access_key),
            upload_path: s.upload_path,
            url_prefix: s.url_prefix,
            acl: (s.acl != "none" && !s.acl.is_empty()).then_some(s.acl),
            endpoint_host,
        })
    }

    /// The public link of `key`.
    pub fn link(&self, key: &str) -> String {
        if self.url_prefix.is_empty() {
            storage::link(self.bucket.base_url().as_str(), key)
        } else {
            storage::link(&self.url_prefix, key)
        }
    }

    /// The error an S3 answer means. `what` names the request ("the upload", "to delete …").
    fn failure(&self, answer: &HttpAnswer, what: &Msg) -> Error {
        let code = xml_text(&answer.body, "Code").unwrap_or_default();
        let message = xml_text(&answer.body, "Message").unwrap_or_default();
        let said = if message.is_empty() {
            code.clone()
        } else {
            format!("{message} ({code})")
        };
        let bucket = self.bucket.name();
        let host = &self.endpoint_host;
        let skew = answer.clock_skew().filter(|s| s.as_secs() > 5 * 60);
        match code.as_str() {
            _ if skew.is_some() && (answer.status == 403 || code == "RequestTimeTooSkewed") => {
                Error::Auth(msg!(
                    "this computer's clock is {} minutes off {host}'s, so it refuses the signature; set the clock right ({said})",
                    skew.unwrap_or_default().as_secs() / 60
                ))
            }
            "RequestTimeTooSkewed" => Error::Auth(msg!(
                "this computer's clock is too far off {host}'s; set the clock right ({said})"
            )),
            "InvalidAccessKeyId" => Error::Auth(msg!(
                "{host} does not know the access key ID (InvalidAccessKeyId)"
            )),
            "SignatureDoesNotMatch" => Error::Auth(msg!(
                "the secret access key is wrong: {host} refused the signature (SignatureDoesNotMatch)"
            )),
            "NoSuchBucket" => Error::Config(msg!(
                "there is no bucket {bucket:?} on {host} (NoSuchBucket)"
            )),
            "AccessDenied" | "AllAccessDisabled" => Error::Auth(msg!(
                "{host} denied {what} in bucket {bucket:?}: {said}"
            )),
            "AuthorizationHeaderMalformed" | "PermanentRedirect" | "IllegalLocationConstraintException" => {
                Error::Config(msg!(
                    "bucket {bucket:?} is in another region or needs another endpoint: {said}"
                ))
            }
            "EntityTooLarge" => Error::TooLarge(msg!("{host} refused the file as too large: {said}")),
            "SlowDown" | "TooManyRequests" => Error::RateLimited {
                message: Msg::plain(said),
                retry_after: answer.retry_after,
                retry: true,
            },
            "AccessControlListNotSupported" | "InvalidArgument" | "NotImplemented"
                if answer.body.to_ascii_lowercase().contains("acl") =>
            {
                Error::Config(msg!(
                    "bucket {bucket:?} takes no ACL: set acl=none ({said})"
                ))
            }
            "" => answer.failure(what),
            _ if answer.status >= 500 => Error::Http {
                status: answer.status,
                message: msg!("{host} answered HTTP {} to {what}: {said}", answer.status),
            },
            _ => Error::Refused(msg!("{host} refused {what}: {said}")),
        }
    }

    async fn send(&self, http: &Http, req: reqwest::RequestBuilder) -> Result<HttpAnswer> {
        http.send(req).await
    }
}

/// The text of the first `<tag>` in an XML answer (S3's errors are `<Error><Code>…</Code>
/// <Message>…</Message></Error>`).
fn xml_text(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = start + xml[start..].find(&format!("</{tag}>"))?;
    let text = xml[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    Some(body_excerpt(&text, 200))
}

#[async_trait]
impl Host for S3 {
    fn kind(&self) -> &'static str {
        "s3"
    }

    fn max_size(&self) -> Option<u64> {
        // A single PUT takes up to 5 GB.
        Some(5 * 1024 * 1024 * 1024)
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
            let mut action = PutObject::new(&self.bucket, Some(&self.credentials), &key);
            action.headers_mut().insert("if-none-match", "*");
            if let Some(acl) = &self.acl {
                action.headers_mut().insert("x-amz-acl", acl.clone());
            }
            let url = action.sign(SIGNED_FOR);
            let mut req = http
                .client
                .put(url)
                .header(CONTENT_TYPE, file.mime)
                .header(CONTENT_LENGTH, file.bytes.len())
                .header("if-none-match", "*");
            if let Some(acl) = &self.acl {
                req = req.header("x-amz-acl", acl);
            }
            let answer = self
                .send(http, req.body(super::file_body(file, progress.clone())))
                .await?;
            if answer.ok() {
                return Ok(Uploaded {
                    url: self.link(&key),
                    delete_handle: Some(self.handle_of(&key)),
                    stored_name: Some(key),
                    ..Default::default()
                });
            }
            // 412: an object has this key; 409 ConditionalRequestConflict (AWS): another
            // upload is writing it right now. Either way, try the next name.
            if answer.status == 412
                || answer.status == 409 && answer.body.contains("ConditionalRequestConflict")
            {
                continue;
            }
            return Err(self.failure(&answer, &msg!("the upload")));
        }
        Err(Error::Refused(msg!(
            "{} and {} more names like it are taken in bucket {:?}; change upload_path",
            base,
            storage::MAX_TRIES - 1,
            self.bucket.name()
        )))
    }

    async fn check(&self, http: &Http) -> Result<Msg> {
        let mut action = ListObjectsV2::new(&self.bucket, Some(&self.credentials));
        action.with_max_keys(1);
        let answer = self
            .send(http, http.client.get(action.sign(SIGNED_FOR)))
            .await?;
        if !answer.ok() {
            return Err(self.failure(&answer, &msg!("listing the bucket")));
        }
        Ok(msg!(
            "bucket {:?} on {} takes these credentials",
            self.bucket.name(),
            self.endpoint_host
        ))
    }

    fn deleter(&self) -> Option<&dyn Deletes> {
        Some(self)
    }

    fn sync_place(&self) -> Option<&dyn SyncPlace> {
        Some(self)
    }
}

#[async_trait]
impl SyncPlace for S3 {
    async fn list(&self, http: &Http, folder: &str) -> Result<Vec<PlaceFile>> {
        let prefix = format!("{}/", folder.trim_matches('/'));
        let mut files = Vec::new();
        let mut token: Option<String> = None;
        // 1,000 keys a page: far more pages than a sync folder has, and a server that keeps
        // answering with more cannot keep this going for ever.
        for _ in 0..MAX_LIST_PAGES {
            let mut action = ListObjectsV2::new(&self.bucket, Some(&self.credentials));
            action.with_prefix(prefix.as_str());
            action.with_delimiter("/");
            if let Some(t) = &token {
                action.with_continuation_token(t.as_str());
            }
            let answer = self
                .send(http, http.client.get(action.sign(SIGNED_FOR)))
                .await?;
            if !answer.ok() {
                return Err(self.failure(&answer, &msg!("listing {prefix}")));
            }
            let page = ListObjectsV2::parse_response(&answer.body).map_err(|e| {
                Error::BadResponse(msg!(
                    "{} answered the listing of {prefix} with something that is not a listing: {e}",
                    self.endpoint_host
                ))
            })?;
            for item in page.contents {
                let name = item.key.strip_prefix(&prefix).unwrap_or_default();
                if !name.contains('/') && storage::is_listed(name) {
                    files.push(PlaceFile {
                        name: name.to_string(),
                        size: item.size.unwrap_or(0),
                    });
                }
            }
            match page.next_continuation_token {
                // A server that repeats its token would list forever.
                Some(t) if token.as_ref() != Some(&t) => token = Some(t),
                _ => break,
            }
        }
        files.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(files)
    }

    async fn read(&self, http: &Http, key: &str, max: u64) -> Result<Option<Vec<u8>>> {
        let url = GetObject::new(&self.bucket, Some(&self.credentials), key).sign(SIGNED_FOR);
        let (answer, body) = storage::read_over_http(http, http.client.get(url), key, max).await?;
        match answer.status {
            404 if !answer.body.contains("NoSuchBucket") => Ok(None),
            _ if answer.ok() => Ok(Some(body)),
            _ => Err(self.failure(&answer, &msg!("reading {key}"))),
        }
    }

    async fn create(&self, http: &Http, key: &str, bytes: bytes::Bytes) -> Result<bool> {
        let mut action = PutObject::new(&self.bucket, Some(&self.credentials), key);
        action.headers_mut().insert("if-none-match", "*");
        let req = http
            .client
            .put(action.sign(SIGNED_FOR))
            .header(CONTENT_TYPE, "application/octet-stream")
            .header(CONTENT_LENGTH, bytes.len())
            .header("if-none-match", "*")
            .body(bytes);
        let answer = self.send(http, req).await?;
        if answer.ok() {
            Ok(true)
        } else if answer.status == 412 {
            Ok(false)
        } else {
            Err(self.failure(&answer, &msg!("writing {key}")))
        }
    }
}

#[async_trait]
impl Storage for S3 {
    /// Where this config's objects are: the bucket on its endpoint (the start of every delete
    /// handle).
    fn location(&self) -> String {
        format!("{}/", self.bucket.base_url().as_str().trim_end_matches('/'))
    }

    async fn delete_key(&self, http: &Http, key: &str) -> Result<()> {
        let url = DeleteObject::new(&self.bucket, Some(&self.credentials), key).sign(SIGNED_FOR);
        let answer = self.send(http, http.client.delete(url)).await?;
        // S3 answers 204 whether or not the object was there: either way it is gone.
        if answer.ok() || answer.status == 404 && !answer.body.contains("NoSuchBucket") {
            Ok(())
        } else {
            Err(self.failure(&answer, &msg!("to delete {key}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s3(settings: &[(&str, serde_json::Value)]) -> Result<S3> {
        S3::from_config(&HostConfig {
            name: "t".into(),
            kind: "s3".into(),
            settings: settings
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .chain([
                    ("access_key_id".to_string(), "AK".into()),
                    ("secret_access_key".to_string(), "SK".into()),
                    ("bucket".to_string(), "pics".into()),
                ])
                .collect(),
        })
    }

    #[test]
    fn urls_path_style_and_virtual_host() {
        let aws = s3(&[("region", "eu-central-1".into())]).unwrap();
        assert_eq!(
            aws.link("2026/11/a b+c.png"),
            "https://pics.s3.eu-central-1.amazonaws.com/2026/11/a%20b%2Bc.png"
        );
        let minio = s3(&[
            ("endpoint", "http://127.0.0.1:9000".into()),
            ("path_style", true.into()),
        ])
        .unwrap();
        assert_eq!(
            minio.link("x/图.png"),
            "http://127.0.0.1:9000/pics/x/%E5%9B%BE.png"
        );
        let r2 = s3(&[
            ("endpoint", "acc.r2.cloudflarestorage.com".into()),
            ("region", "auto".into()),
            ("url_prefix", "https://img.example.com/".into()),
        ])
        .unwrap();
        assert_eq!(r2.link("a#1.png"), "https://img.example.com/a%231.png");
        // Path-style is what an IP endpoint needs; virtual-host is refused with the reason.
        let e = s3(&[("endpoint", "http://127.0.0.1:9000".into())]).unwrap_err();
        assert!(e.to_string().contains("path_style=true"), "{e}");
        // Switches typed as text (imports) are read as switches.
        s3(&[
            ("endpoint", "http://127.0.0.1:9000".into()),
            ("path_style", "true".into()),
        ])
        .unwrap();
    }

    #[test]
    fn errors_are_named() {
        let h = s3(&[]).unwrap();
        let answer = |status: u16, code: &str| {
            HttpAnswer {
            status,
            retry_after: None,
            content_type: "application/xml".into(),
            body: format!("<?xml version=\"1.0\"?><Error><Code>{code}</Code><Message>m &amp; n</Message></Error>"),
            date: None,
            headers: Default::default(),
        }
        };
        let e = h.failure(&answer(403, "SignatureDoesNotMatch"), &msg!("the upload"));
        assert_eq!(e.kind(), crate::error::ErrorKind::Auth);
        assert!(e.to_string().contains("secret access key is wrong"), "{e}");
        let e = h.failure(&answer(403, "InvalidAccessKeyId"), &msg!("the upload"));
        assert!(e.to_string().contains("access key ID"), "{e}");
        let e = h.failure(&answer(404, "NoSuchBucket"), &msg!("the upload"));
        assert!(e.to_string().contains("no bucket \"pics\""), "{e}");
        let e = h.failure(&answer(403, "RequestTimeTooSkewed"), &msg!("the upload"));
        assert!(e.to_string().contains("clock"), "{e}");
        let e = h.failure(&answer(503, "SlowDown"), &msg!("the upload"));
        assert!(e.is_retryable());
        // A server whose clock is far from ours: the refusal is put down to the clock.
        let mut a = answer(403, "AccessDenied");
        a.date = Some(chrono::Utc::now() - chrono::Duration::hours(2));
        let e = h.failure(&a, &msg!("the upload"));
        assert!(e.to_string().contains("120 minutes off"), "{e}");
    }
}
