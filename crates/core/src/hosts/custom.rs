//! Any web API that takes a file and answers with its link (kind `custom`): PicGo's
//! "web-uploader", Qexo's "remote API" host (seed 000) and ShareX's custom uploaders.
//!
//! The file goes out as a multipart field (`field`, default `file`) next to the extra form fields
//! of `body`, or as the raw request body (`body_type` = `binary`), with the `headers` given.
//! The link comes from the answer through `json_path` (empty: the whole body is the link) with
//! `prefix` put in front, or through a ShareX-style `link_template`. `delete_json_path` or
//! `delete_template` find a delete URL, which makes deleting on the host possible.

use crate::{msg, Msg};
use async_trait::async_trait;
use reqwest::header::{HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use reqwest::Method;
use serde_json::Value;

use super::extract::{Answer, JsonPath, Template, Use};
use super::http::{Http, HttpAnswer};
use super::{body_excerpt, Deletes, FieldKind, FieldSpec, Host, Kind, Payload, Progress, Uploaded};
use crate::error::{Error, Result};
use crate::host_config::HostConfig;

/// What is escaped in a `{filename}` put into a URL: everything but RFC 3986's unreserved
/// characters, so the name is one path segment or one query value wherever it stands.
const URL_COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub const KIND: Kind = Kind {
    kind: "custom",
    label: "Custom web API",
    fields: &[
        FieldSpec::new("url", "Upload URL", FieldKind::Url, "Where the file is sent, e.g. https://img.example.com/api/upload. {filename} is replaced by the file's name.").required("https://img.example.com/api/upload"),
        FieldSpec::new("method", "Method", FieldKind::Choice, "The HTTP method of the upload request.").default("POST").options(&["POST", "PUT", "PATCH"]),
        FieldSpec::new("body_type", "Send the file as", FieldKind::Choice, "multipart: a form field (most APIs); binary: the whole request body.").default("multipart").options(&["multipart", "binary"]),
        FieldSpec::new("field", "File field name", FieldKind::Text, "The multipart field that carries the file (SM.MS: smfile).").default("file"),
        FieldSpec::new("headers", "Headers", FieldKind::SecretJson, "A JSON object of request headers, e.g. {\"Authorization\": \"Bearer …\"}. Values of secret-looking names are shown masked."),
        FieldSpec::new("body", "Extra form fields", FieldKind::SecretJson, "A JSON object of form fields sent with the file, e.g. {\"format\": \"json\"}."),
        FieldSpec::new("json_path", "Link JSON path", FieldKind::Text, "Where the link is in the JSON answer: data.url, data.links[0].url, $.data.url. Empty: the whole answer is the link."),
        FieldSpec::new("prefix", "Link prefix", FieldKind::Text, "Put in front of the link, for APIs that answer with a path, e.g. https://img.example.com"),
        FieldSpec::new("link_template", "Link template", FieldKind::Text, "Instead of the JSON path and prefix: ShareX syntax such as https://i.example.com/{json:id}.png, {response} or {regex:…|1}."),
        FieldSpec::new("delete_json_path", "Delete URL JSON path", FieldKind::Text, "Where a delete URL is in the JSON answer; enables deleting on the host."),
        FieldSpec::new("delete_template", "Delete URL template", FieldKind::Text, "Instead of the delete JSON path: ShareX syntax for the delete URL."),
        FieldSpec::new("delete_method", "Delete method", FieldKind::Choice, "How the delete URL is called.").default("GET").options(&["GET", "DELETE", "POST"]),
        FieldSpec::new("error_template", "Error message template", FieldKind::Text, "Where the host's error message is in a failed answer, e.g. {json:error.message}."),
        FieldSpec::new("max_size_mb", "Largest file (MB)", FieldKind::Number, "Files above this size are refused before sending."),
    ],
    build: |cfg| Ok(Box::new(Custom::from_config(cfg)?)),
};

#[derive(Debug, serde::Deserialize)]
struct Settings {
    url: String,
    method: String,
    body_type: String,
    field: String,
    #[serde(default)]
    headers: Option<Value>,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default)]
    json_path: String,
    #[serde(default)]
    prefix: String,
    #[serde(default)]
    link_template: String,
    #[serde(default)]
    delete_json_path: String,
    #[serde(default)]
    delete_template: String,
    delete_method: String,
    #[serde(default)]
    error_template: String,
    #[serde(default)]
    max_size_mb: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyType {
    Multipart,
    Binary,
}

#[derive(Debug, Clone)]
pub struct Custom {
    url: Template,
    method: Method,
    body_type: BodyType,
    field: String,
    headers: Vec<(HeaderName, Template)>,
    body: Vec<(String, Template)>,
    link: Template,
    delete: Option<Template>,
    delete_method: Method,
    error: Option<Template>,
    max_size: Option<u64>,
    /// Put before a relative link or delete URL found in the answer.
    prefix: String,
}

/// A JSON object setting as name/value pairs of text.
fn pairs(value: Option<&Value>, key: &str) -> Result<Vec<(String, String)>> {
    let Some(v) = value.filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let parsed;
    let v = match v {
        // PicGo keeps these as strings holding JSON; accept that spelling too.
        Value::String(s) if s.trim().is_empty() => return Ok(Vec::new()),
        Value::String(s) => {
            parsed = serde_json::from_str::<Value>(s)
                .map_err(|e| Error::Input(msg!("{key} is not valid JSON: {e}")))?;
            &parsed
        }
        v => v,
    };
    let Value::Object(map) = v else {
        return Err(Error::Input(msg!(
            "{key} must be a JSON object like {{\"name\": \"value\"}}"
        )));
    };
    map.iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k.clone(), s.clone())),
            Value::Number(_) | Value::Bool(_) => Ok((k.clone(), v.to_string())),
            _ => Err(Error::Input(msg!(
                "{key}: the value of {k:?} must be text, not {v}"
            ))),
        })
        .collect()
}

fn template(raw: &str, key: &str, usage: Use) -> Result<Option<Template>> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    Template::parse(raw.trim(), usage)
        .map(Some)
        .map_err(|e| Error::Input(msg!("{key}: {e}")))
}

fn json_path(raw: &str, key: &str) -> Result<Option<JsonPath>> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    JsonPath::parse(raw)
        .map(Some)
        .map_err(|e| Error::Input(msg!("{key}: {e}")))
}

fn method(raw: &str, default: Method) -> Method {
    match raw.to_ascii_uppercase().as_str() {
        "" => default,
        m => Method::from_bytes(m.as_bytes()).unwrap_or(default),
    }
}

/// The template a JSON path and a prefix amount to.
fn path_template(prefix: &str, path: Option<JsonPath>) -> Template {
    let escaped = prefix
        .replace('\\', "\\\\")
        .replace('{', "\\{")
        .replace('}', "\\}");
    let source = match path {
        Some(p) if !p.is_root() => format!("{escaped}{{json:{}}}", p.as_str().replace('}', "\\}")),
        _ => format!("{escaped}{{response}}"),
    };
    Template::parse(&source, Use::Answer).unwrap_or_else(|_| Template::literal(prefix))
}

impl Custom {
    pub fn from_config(cfg: &HostConfig) -> Result<Self> {
        let s: Settings = super::settings_of(cfg)?;
        let url = template(&s.url, "url", Use::Request)?
            .ok_or_else(|| Error::Input(msg!("the custom config {:?} needs url", cfg.name)))?;
        let body_type = match s.body_type.as_str() {
            "binary" => BodyType::Binary,
            _ => BodyType::Multipart,
        };
        let field = match s.field.trim() {
            "" => "file".to_string(),
            f => f.to_string(),
        };
        let headers = pairs(s.headers.as_ref(), "headers")?
            .into_iter()
            .map(|(k, v)| {
                let name = HeaderName::from_bytes(k.trim().as_bytes())
                    .map_err(|_| Error::Input(msg!("headers: {k:?} is not a header name")))?;
                HeaderValue::from_str(&v)
                    .map_err(|_| Error::Input(msg!("headers: the value of {k:?} cannot be sent in a header (line breaks or control characters)")))?;
                let t = Template::parse(&v, Use::Request)
                    .map_err(|e| Error::Input(msg!("headers: {e}")))?;
                Ok((name, t))
            })
            .collect::<Result<Vec<_>>>()?;
        let body = pairs(s.body.as_ref(), "body")?
            .into_iter()
            .map(|(k, v)| {
                Template::parse(&v, Use::Request)
                    .map(|t| (k, t))
                    .map_err(|e| Error::Input(msg!("body: {e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        if body_type == BodyType::Binary && !body.is_empty() {
            return Err(Error::Input(
                msg!("body (extra form fields) cannot be sent when the file is the whole request body (body_type binary)"),
            ));
        }
        let path = json_path(&s.json_path, "json_path")?;
        let prefix = s.prefix;
        let link = match template(&s.link_template, "link_template", Use::Answer)? {
            Some(_) if path.is_some() || !prefix.trim().is_empty() => {
                return Err(Error::Input(msg!(
                    "set either link_template, or json_path and prefix; not both"
                )))
            }
            Some(t) => t,
            None => path_template(prefix.trim(), path),
        };
        let delete = match (
            template(&s.delete_template, "delete_template", Use::Answer)?,
            json_path(&s.delete_json_path, "delete_json_path")?,
        ) {
            (Some(_), Some(_)) => {
                return Err(Error::Input(msg!(
                    "set either delete_template or delete_json_path, not both"
                )))
            }
            (Some(t), None) => Some(t),
            (None, Some(p)) => Some(path_template("", Some(p))),
            (None, None) => None,
        };
        let max_size = match s.max_size_mb {
            Some(mb) if mb > 0.0 => Some((mb * 1024.0 * 1024.0) as u64),
            Some(_) => {
                return Err(Error::Input(msg!(
                    "Largest file (MB) (max_size_mb) must be a number above 0"
                )))
            }
            None => None,
        };
        Ok(Custom {
            url,
            method: method(&s.method, Method::POST),
            body_type,
            field,
            headers,
            body,
            link,
            delete,
            delete_method: method(&s.delete_method, Method::GET),
            error: template(&s.error_template, "error_template", Use::Answer)?,
            max_size,
            prefix: prefix.trim().to_string(),
        })
    }

    /// The upload URL for a file; `{filename}` is filled in, percent-encoded so that it reads the
    /// same in a path and in a query (a space is `%20`, a `+` is `%2B`: never `+` for a space).
    fn url_for(&self, file_name: &str) -> Result<String> {
        let encoded = percent_encoding::utf8_percent_encode(file_name, URL_COMPONENT).to_string();
        let url = self.url.fill(&encoded);
        url::Url::parse(&url)
            .map_err(|e| Error::Input(msg!("the upload URL {url:?} is not a URL: {e}")))?;
        Ok(url)
    }

    /// An address found in an answer, made absolute: as it is when it is a URL, else after the
    /// prefix when there is one, else resolved against the request's URL.
    fn resolve(&self, found: &str, request_url: &str) -> Option<String> {
        let found = found.trim();
        if url::Url::parse(found).is_ok() {
            return Some(found.to_string());
        }
        if !self.prefix.is_empty() {
            return Some(format!("{}{found}", self.prefix));
        }
        Some(
            url::Url::parse(request_url)
                .ok()?
                .join(found)
                .ok()?
                .to_string(),
        )
    }

    fn with_headers(
        &self,
        mut req: reqwest::RequestBuilder,
        file_name: &str,
    ) -> reqwest::RequestBuilder {
        for (name, value) in &self.headers {
            req = req.header(name.clone(), value.fill(file_name));
        }
        req
    }

    /// The error a failed answer means, with the host's own message when `error_template` finds one.
    /// What a failed answer to `action` ("the upload", "to delete the image") means.
    fn failure(
        &self,
        answer: &HttpAnswer,
        json: Option<&Value>,
        file_name: &str,
        action: &Msg,
    ) -> Error {
        let said = self.error.as_ref().and_then(|t| {
            t.render(&Answer {
                body: &answer.body,
                json,
                file_name,
            })
            .ok()
            .map(|s| body_excerpt(&s, 200))
            .filter(|s| !s.is_empty())
        });
        match (said, answer.status) {
            (_, 429) => answer.failure(&Msg::empty()),
            (Some(m), 401 | 403) => Error::token(m),
            (Some(m), s) if (200..300).contains(&s) => {
                Error::Refused(msg!("the host refused {action}: {m}"))
            }
            (Some(m), s) => Error::Http {
                status: s,
                message: msg!("the host answered HTTP {s}: {m}"),
            },
            (None, 200..=299) => answer.failure(&Msg::empty()),
            // A JSON or text 401/403 is the API refusing the credentials; a 403 web page is a
            // firewall (Cloudflare) and stays an HTTP error.
            (None, 401 | 403) if json.is_some() || !answer.is_html() => Error::token(format!(
                "HTTP {}: {}",
                answer.status,
                body_excerpt(&answer.body, 200)
            )),
            (None, _) => answer.failure(&Msg::empty()),
        }
    }
}

/// Whether a link is something a browser can open.
fn check_link(link: &str, what: Msg, answer: &HttpAnswer) -> Result<String> {
    let link = link.trim();
    match url::Url::parse(link) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(link.to_string()),
        _ => Err(Error::BadResponse(msg!(
            "the {what} found in the answer, {:?}, is not an http(s) URL (a prefix may be missing); the answer: {}",
            body_excerpt(link, 80),
            body_excerpt(&answer.body, 200)
        ))),
    }
}

#[async_trait]
impl Host for Custom {
    fn kind(&self) -> &'static str {
        "custom"
    }

    fn max_size(&self) -> Option<u64> {
        self.max_size
    }

    async fn upload(
        &self,
        http: &Http,
        file: &Payload,
        progress: Option<Progress>,
    ) -> Result<Uploaded> {
        let url = self.url_for(&file.name)?;
        let mut req = self.with_headers(
            http.client.request(self.method.clone(), url.as_str()),
            &file.name,
        );
        req = match self.body_type {
            BodyType::Multipart => {
                let mut form = reqwest::multipart::Form::new();
                for (k, v) in &self.body {
                    form = form.text(k.clone(), v.fill(&file.name));
                }
                req.multipart(form.part(self.field.clone(), super::file_part(file, progress)?))
            }
            BodyType::Binary => {
                let has_type = self.headers.iter().any(|(n, _)| n == CONTENT_TYPE);
                if !has_type {
                    req = req.header(CONTENT_TYPE, file.mime);
                }
                req.header(CONTENT_LENGTH, file.bytes.len())
                    .body(super::file_body(file, progress))
            }
        };
        let answer = http.send(req).await?;
        let json: Option<Value> = serde_json::from_str(&answer.body).ok();
        if !answer.ok() {
            return Err(self.failure(&answer, json.as_ref(), &file.name, &msg!("the upload")));
        }
        let ctx = Answer {
            body: &answer.body,
            json: json.as_ref(),
            file_name: &file.name,
        };
        let link = match self.link.render(&ctx) {
            Ok(l) if !l.trim().is_empty() => l,
            Ok(_) => {
                return Err(Error::BadResponse(msg!(
                    "the host answered HTTP {} with no link: {}",
                    answer.status,
                    body_excerpt(&answer.body, 200)
                )))
            }
            Err(missing) => {
                if let Some(said) = self.error.as_ref().and_then(|t| t.render(&ctx).ok()) {
                    if !said.trim().is_empty() {
                        return Err(Error::Refused(msg!(
                            "the host refused the upload: {}",
                            body_excerpt(&said, 200)
                        )));
                    }
                }
                return Err(Error::BadResponse(msg!(
                    "{}; the answer starts: {}",
                    missing.msg(),
                    body_excerpt(&answer.body, 200)
                )));
            }
        };
        let url = check_link(&link, msg!("link"), &answer)?;
        // A delete URL is a bonus: an answer without one still gives a working link. A relative
        // one (`/api/delete/…`) is resolved as a link is: after the prefix, else against the
        // upload URL, as a browser would.
        let delete_handle = self
            .delete
            .as_ref()
            .and_then(|t| t.render(&ctx).ok())
            .filter(|d| !d.trim().is_empty())
            .and_then(|d| self.resolve(&d, &url))
            .and_then(|d| check_link(&d, msg!("delete URL"), &answer).ok());
        Ok(Uploaded {
            url,
            delete_handle,
            ..Default::default()
        })
    }

    async fn check(&self, http: &Http) -> Result<Msg> {
        // There is no account API to ask; reaching the address is what can be checked without
        // uploading something.
        let url = self.url_for("pixdrop-check.png")?;
        let host = url::Url::parse(&url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        let req = self.with_headers(http.client.head(url), "pixdrop-check.png");
        let answer = http.send(req).await?;
        if answer.status == 401 || answer.status == 403 {
            return Err(Error::Auth(msg!(
                "{host} answered HTTP {} to a request with these headers",
                answer.status
            )));
        }
        Ok(msg!(
            "{host} answers (HTTP {}); the credentials of a custom API are only checked by an upload",
            answer.status
        ))
    }

    fn deleter(&self) -> Option<&dyn Deletes> {
        Some(self)
    }
}

#[async_trait]
impl Deletes for Custom {
    async fn delete(&self, http: &Http, handle: &str) -> Result<()> {
        let url = url::Url::parse(handle.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| {
                Error::Unsupported(msg!(
                    "this record keeps no delete URL (it has {handle:?}), so it can only be removed from the album"
                ))
            })?;
        let req = self.with_headers(http.client.request(self.delete_method.clone(), url), "");
        let answer = http.send(req).await?;
        if answer.ok() {
            Ok(())
        } else {
            let json: Option<Value> = serde_json::from_str(&answer.body).ok();
            Err(self.failure(&answer, json.as_ref(), "", &msg!("to delete the image")))
        }
    }
}
