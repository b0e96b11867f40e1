//! SM.MS and its successor S.EE (kind `smms`).
//!
//! - SM.MS v2: `POST {base}/api/v2/upload`, `GET /api/v2/delete/{hash}`,
//!   `GET /api/v2/upload_history?page=N`, `POST /api/v2/profile`.
//! - S.EE (since Feb 2026): `POST {base}/api/v1/file/upload`, `GET /api/v1/file/delete/{hash}`,
//!   `GET /api/v1/files?page=N`; `code` is the integer 200.
//!
//! Both take the file in the multipart field `smfile` and the token in `Authorization`.
//! A repeated image is answered `success:false, code:"image_repeated", images:"<url>"` with
//! HTTP 200: that is a success whose link is `images`.

use crate::{msg, Msg};
use async_trait::async_trait;
use serde_json::Value;

use super::http::{Http, HttpAnswer};
use super::{
    Deletes, FieldKind, FieldSpec, HistoryItem, HistoryPage, Host, Kind, Payload, Progress, Syncs,
    Uploaded,
};
use crate::error::{Error, Result};
use crate::host_config::HostConfig;

pub const DEFAULT_SERVER: &str = "s.ee";
/// SM.MS takes files up to 5 MB.
pub const MAX_SIZE: u64 = 5 * 1024 * 1024;

pub const KIND: Kind = Kind {
    kind: "smms",
    label: "SM.MS / S.EE",
    fields: &[
        FieldSpec::new("token", "API token", FieldKind::Secret, "Your secret token from the host's dashboard (User → API Token).").required("example-token"),
        FieldSpec::new("server", "Server", FieldKind::Text, "A domain (s.ee; legacy sm.ms or smms.app) or a base URL such as https://img.example.com.").default(DEFAULT_SERVER),
        FieldSpec::new("api", "API", FieldKind::Choice, "auto: S.EE's v1 file API for s.ee, the SM.MS v2 API for any other server.").default("auto").options(&["auto", "v2", "see"]),
    ],
    build: |cfg| Ok(Box::new(Smms::from_config(cfg)?)),
};

#[derive(Debug, serde::Deserialize)]
struct Settings {
    #[serde(default)]
    token: String,
    server: String,
    api: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    V2,
    See,
}

#[derive(Debug, Clone)]
pub struct Smms {
    token: String,
    base: String,
    api: Api,
}

impl Smms {
    pub fn from_config(cfg: &HostConfig) -> Result<Self> {
        let s: Settings = super::settings_of(cfg)?;
        let token = s.token;
        let server = s.server.as_str();
        let server = if server.is_empty() {
            DEFAULT_SERVER
        } else {
            server
        };
        let base = if server.contains("://") {
            let u = url::Url::parse(server)
                .map_err(|e| Error::Input(msg!("server {server:?} is not a URL: {e}")))?;
            if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
                return Err(Error::Input(msg!(
                    "server must be a domain or an http(s) URL, not {server:?}"
                )));
            }
            server.trim_end_matches('/').to_string()
        } else {
            if server.contains('/') || server.contains(' ') {
                return Err(Error::Input(msg!(
                    "server must be a domain like s.ee or a URL, not {server:?}"
                )));
            }
            format!("https://{server}")
        };
        let host = url::Url::parse(&base)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
            .unwrap_or_default();
        let api = match s.api.as_str() {
            "v2" => Api::V2,
            "see" => Api::See,
            _ if host == "s.ee" || host.ends_with(".s.ee") => Api::See,
            _ => Api::V2,
        };
        Ok(Smms { token, base, api })
    }

    pub fn api(&self) -> Api {
        self.api
    }

    fn url(&self, v2: &str, see: &str) -> String {
        match self.api {
            Api::V2 => format!("{}/api/v2/{v2}", self.base),
            Api::See => format!("{}/api/v1/{see}", self.base),
        }
    }

    fn auth(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        req.header(reqwest::header::AUTHORIZATION, &self.token)
    }
}

/// `code` may be a string ("success", "image_repeated") or an integer (200).
fn code_of(v: &Value) -> String {
    match v.get("code") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// SM.MS says `success: true` / `code: "success"`; S.EE's compatible API `code: 200`, and its
/// own API pages `code: 0` (a success unless `success` says otherwise).
fn is_success(v: &Value) -> bool {
    let said = v.get("success").and_then(Value::as_bool);
    said == Some(true)
        || matches!(code_of(v).as_str(), "success" | "200")
        || (code_of(v) == "0" && said != Some(false))
}

fn message_of(v: &Value) -> String {
    v.get("message")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn u32_of(v: &Value, key: &str) -> Option<u32> {
    v.get(key).and_then(Value::as_u64).map(|n| n as u32)
}

fn str_of(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Turn a refusal of `action` ("the upload", "to delete the image" …) into the error a user
/// understands.
fn refusal(answer: &HttpAnswer, v: &Value, action: &Msg) -> Error {
    let code = code_of(v);
    let message = message_of(v);
    let said = if message.is_empty() {
        code.clone()
    } else {
        message.clone()
    };
    let lower = format!("{code} {message}").to_ascii_lowercase();
    if answer.status == 429 {
        return answer.failure(&Msg::empty());
    }
    if lower.contains("flood") {
        return Error::RateLimited {
            message: Msg::plain(said),
            retry_after: None,
            retry: false,
        };
    }
    if code == "unauthorized"
        || answer.status == 401
        || lower.contains("token") && lower.contains("invalid")
    {
        return Error::token(if said.is_empty() {
            String::from("unauthorized")
        } else {
            said
        });
    }
    if lower.contains("too large")
        || lower.contains("file_too_large")
        || lower.contains("exceed")
        || answer.status == 413
    {
        return Error::TooLarge(msg!("the host says the file is too large: {said}"));
    }
    if answer.status >= 500 {
        return Error::Http {
            status: answer.status,
            message: msg!("the host answered HTTP {}: {said}", answer.status),
        };
    }
    if said.is_empty() {
        return answer.failure(&msg!("without saying why"));
    }
    Error::Refused(msg!("the host refused {action}: {said}"))
}

fn parse_upload(answer: &HttpAnswer) -> Result<Uploaded> {
    let v = answer.json()?;
    if is_success(&v) {
        let data = v.get("data").cloned().unwrap_or(Value::Null);
        let url = str_of(&data, "url").ok_or_else(|| {
            Error::BadResponse(msg!(
                "the host reported success but sent no data.url: {}",
                super::body_excerpt(&answer.body, 200)
            ))
        })?;
        return Ok(Uploaded {
            url,
            delete_handle: str_of(&data, "hash"),
            stored_name: str_of(&data, "storename"),
            width: u32_of(&data, "width"),
            height: u32_of(&data, "height"),
            repeated: false,
        });
    }
    if code_of(&v) == "image_repeated" {
        let url = match v.get("images") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::Array(a)) => a
                .iter()
                .find_map(|x| x.as_str().map(str::to_string))
                .unwrap_or_default(),
            _ => String::new(),
        };
        if url.is_empty() {
            return Err(Error::BadResponse(msg!(
                "the host says the image was uploaded before but gives no link"
            )));
        }
        return Ok(Uploaded {
            url,
            repeated: true,
            ..Default::default()
        });
    }
    Err(refusal(answer, &v, &msg!("the upload")))
}

/// SM.MS history dates are "YYYY-MM-DD HH:MM:SS" or Unix seconds.
fn parse_time(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n
            .as_i64()
            .map(|s| if s > 100_000_000_000 { s } else { s * 1000 }),
        Value::String(s) => chrono::NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S")
            .ok()
            .map(|t| t.and_utc().timestamp_millis())
            .or_else(|| {
                chrono::DateTime::parse_from_rfc3339(s.trim())
                    .ok()
                    .map(|t| t.timestamp_millis())
            }),
        _ => None,
    }
}

#[async_trait]
impl Host for Smms {
    fn kind(&self) -> &'static str {
        "smms"
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
        let part = super::file_part(file, progress)?;
        let form = reqwest::multipart::Form::new()
            .part("smfile", part)
            .text("format", "json");
        let req = self
            .auth(http.client.post(self.url("upload", "file/upload")))
            .multipart(form);
        parse_upload(&http.send(req).await?)
    }

    async fn check(&self, http: &Http) -> Result<Msg> {
        if self.token.is_empty() {
            return Err(Error::Auth(msg!("no token is set")));
        }
        let req = match self.api {
            Api::V2 => http.client.post(self.url("profile", "")),
            Api::See => http
                .client
                .get(self.url("", "files"))
                .query(&[("page", "1")]),
        };
        let answer = http.send(self.auth(req)).await?;
        let v = answer.json()?;
        if !is_success(&v) {
            return Err(refusal(&answer, &v, &msg!("the token check")));
        }
        let data = v.get("data").cloned().unwrap_or(Value::Null);
        Ok(match (self.api, str_of(&data, "username")) {
            (Api::V2, Some(user)) => {
                match (str_of(&data, "disk_usage"), str_of(&data, "disk_limit")) {
                    (Some(used), Some(limit)) => {
                        msg!("token accepted: {user}, {used} of {limit} used")
                    }
                    _ => msg!("token accepted: {user}"),
                }
            }
            _ => msg!("token accepted by {}", self.base),
        })
    }

    fn deleter(&self) -> Option<&dyn Deletes> {
        Some(self)
    }

    fn syncer(&self) -> Option<&dyn Syncs> {
        Some(self)
    }
}

#[async_trait]
impl Deletes for Smms {
    async fn delete(&self, http: &Http, handle: &str) -> Result<()> {
        // Older records may hold the delete URL rather than the hash.
        let hash = handle
            .trim()
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default();
        if hash.is_empty() {
            return Err(Error::Input(msg!("this record has no delete hash")));
        }
        let url = self.url(&format!("delete/{hash}"), &format!("file/delete/{hash}"));
        let answer = http
            .send(self.auth(http.client.get(url).query(&[("format", "json")])))
            .await?;
        let v = answer.json()?;
        if is_success(&v) {
            Ok(())
        } else {
            Err(refusal(&answer, &v, &msg!("to delete the image")))
        }
    }
}

#[async_trait]
impl Syncs for Smms {
    async fn history(&self, http: &Http, page: u32) -> Result<HistoryPage> {
        let req = http
            .client
            .get(self.url("upload_history", "files"))
            .query(&[("page", page.to_string())]);
        let answer = http.send(self.auth(req)).await?;
        let v = answer.json()?;
        if !is_success(&v) {
            return Err(refusal(&answer, &v, &msg!("to list the upload history")));
        }
        let items = v
            .get("data")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|d| {
                        let url = str_of(d, "url")?;
                        let stored = str_of(d, "storename").unwrap_or_default();
                        Some(HistoryItem {
                            file_name: str_of(d, "filename").unwrap_or_else(|| stored.clone()),
                            stored_name: stored,
                            url,
                            delete_handle: str_of(d, "hash"),
                            size: d.get("size").and_then(Value::as_u64).unwrap_or(0),
                            width: u32_of(d, "width"),
                            height: u32_of(d, "height"),
                            created_at: parse_time(d.get("created_at")),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let total_pages = v
            .get("TotalPages")
            .or_else(|| v.get("total_pages"))
            .and_then(Value::as_u64)
            .map(|n| n as u32);
        Ok(HistoryPage { items, total_pages })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(pairs: &[(&str, &str)]) -> HostConfig {
        HostConfig {
            name: "t".into(),
            kind: "smms".into(),
            settings: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), Value::from(*v)))
                .collect(),
        }
    }

    fn answer(status: u16, body: &str) -> HttpAnswer {
        HttpAnswer {
            status,
            retry_after: None,
            content_type: "application/json".into(),
            body: body.into(),
            date: None,
            headers: Default::default(),
        }
    }

    #[test]
    fn api_follows_the_server() {
        let s = Smms::from_config(&cfg(&[("token", "x")])).unwrap();
        assert_eq!((s.base.as_str(), s.api), ("https://s.ee", Api::See));
        let s = Smms::from_config(&cfg(&[("token", "x"), ("server", "smms.app")])).unwrap();
        assert_eq!((s.base.as_str(), s.api), ("https://smms.app", Api::V2));
        let s = Smms::from_config(&cfg(&[
            ("token", "x"),
            ("server", "http://127.0.0.1:9/"),
            ("api", "see"),
        ]))
        .unwrap();
        assert_eq!((s.base.as_str(), s.api), ("http://127.0.0.1:9", Api::See));
        assert_eq!(
            s.url("upload", "file/upload"),
            "http://127.0.0.1:9/api/v1/file/upload"
        );
        assert!(Smms::from_config(&cfg(&[("server", "ftp://x")])).is_err());
        assert!(Smms::from_config(&cfg(&[("server", "a b")])).is_err());
    }

    #[test]
    fn success_in_both_dialects() {
        let v2 = r#"{"success":true,"code":"success","message":"Upload success.","data":{"width":4,"height":3,"filename":"a.png","storename":"X.png","size":9,"hash":"H","url":"https://i/X.png","delete":"https://sm.ms/delete/H"}}"#;
        let u = parse_upload(&answer(200, v2)).unwrap();
        assert_eq!(
            (u.url.as_str(), u.delete_handle.as_deref(), u.width),
            ("https://i/X.png", Some("H"), Some(4))
        );
        let see = r#"{"code":200,"data":{"url":"https://i.see.you/x.png","hash":"D"},"message":"success"}"#;
        assert_eq!(
            parse_upload(&answer(200, see)).unwrap().url,
            "https://i.see.you/x.png"
        );
    }

    #[test]
    fn repeated_image_is_a_success() {
        let body = r#"{"success":false,"code":"image_repeated","message":"Image upload repeated limit, this image exists at: https://i/x.png","images":"https://i/x.png"}"#;
        let u = parse_upload(&answer(200, body)).unwrap();
        assert_eq!(u.url, "https://i/x.png");
        assert!(u.repeated);
    }

    #[test]
    fn s_ee_own_api_pages_say_code_0() {
        let up = parse_upload(&answer(
            200,
            r#"{"code":0,"message":"OK","data":{"url":"https://s.ee/i/a.png","hash":"h0"}}"#,
        ))
        .unwrap();
        assert_eq!(
            (up.url.as_str(), up.delete_handle.as_deref()),
            ("https://s.ee/i/a.png", Some("h0"))
        );
        let e = parse_upload(&answer(
            200,
            r#"{"success":false,"code":0,"message":"Upload file frequency limit"}"#,
        ))
        .unwrap_err();
        assert!(e.to_string().contains("frequency limit"), "{e}");
    }

    #[test]
    fn refusals_in_plain_words() {
        let e = parse_upload(&answer(
            200,
            r#"{"success":false,"code":"unauthorized","message":"Unauthorized."}"#,
        ))
        .unwrap_err();
        assert_eq!(
            (e.kind().as_str(), e.to_string().as_str()),
            ("auth", "the host refused the token: Unauthorized.")
        );
        let e = parse_upload(&answer(200, r#"{"success":false,"code":"flood","message":"Flood detected, IP 1.2.3.4 has been blocked for 1 hour(s)"}"#)).unwrap_err();
        assert_eq!(e.kind(), "rate_limited");
        assert!(!e.is_retryable());
        let e = parse_upload(&answer(
            200,
            r#"{"success":false,"code":"exception","message":"File is too large."}"#,
        ))
        .unwrap_err();
        assert_eq!(e.kind(), "too_large");
        let e = parse_upload(&answer(
            200,
            r#"{"success":false,"code":"weird","message":"No files were uploaded."}"#,
        ))
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the host refused the upload: No files were uploaded."
        );
    }

    #[test]
    fn history_dates() {
        assert_eq!(
            parse_time(Some(&Value::from("1970-01-01 00:00:10"))),
            Some(10_000)
        );
        assert_eq!(parse_time(Some(&Value::from(10))), Some(10_000));
        assert_eq!(parse_time(None), None);
    }
}
