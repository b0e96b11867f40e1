//! PicGo and PicGo-Core data folders: host configs, the link format, and the album.
//!
//! - `data.json` (PicGo) or `config.json` (PicGo-Core): `uploader.<type>.configList` with
//!   `_configName` and `defaultId`, older single `picBed.<type>` entries, `settings.pasteStyle`
//!   and `settings.customLink`, and the older `uploaded` array.
//! - `picgo.db`: the gallery, gzip-compressed JSON written by PicGo's store
//!   (`{"uploaded": [...], "__uploaded_KEY__": {...}}`).
//!
//! SM.MS (`smms`), the web-uploader plugin (`web-uploader`, as `custom`), the object stores
//! (`aliyun`, `tcyun` v5, `qiniu`, the S3 plugin's `aws-s3`, PicList's `aws-s3-plist`, as `s3`),
//! PicList's `webdavplist` and `sftpplist`, and `local` become configs; what of them has no place
//! in Pixdrop (a URL suffix, a digest login) is named in the report. Other host types are listed
//! in the report. Records of every type are imported (their links work).
//! Importing twice adds nothing: equal configs and known URLs are skipped.

use crate::{msg, Msg};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::Path;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::album::{now_ms, Album, NewRecord};
use crate::config::{Config, ConfigStore, HostConfig};
use crate::error::{Error, Result};
use crate::hosts;
use crate::hosts::storage::folder_template;
use crate::template::LinkFormat;

/// What an import did.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Report {
    /// The files read.
    pub sources: Vec<String>,
    /// New configs: (name, kind, PicGo type and config name).
    pub configs_added: Vec<AddedConfig>,
    /// PicGo configs that Pixdrop already has, by the Pixdrop name.
    pub configs_present: Vec<String>,
    /// PicGo configs that could not be used, with the reason.
    pub configs_skipped: Vec<String>,
    /// Parts of imported configs Pixdrop has no place for (a URL suffix, a digest login), by
    /// config and name: never dropped without a word.
    pub not_taken: Vec<String>,
    /// Settings taken over, as `key = value`.
    pub settings: Vec<String>,
    /// The config made the default (PicGo's current host), if Pixdrop had none.
    pub default_host: Option<String>,
    pub records_added: usize,
    pub records_present: usize,
    /// Host types Pixdrop has no host for: their configs were left out (their records were not).
    pub unknown_types: Vec<UnknownType>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AddedConfig {
    pub name: String,
    pub kind: String,
    pub from: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UnknownType {
    pub picgo_type: String,
    pub configs: usize,
    pub records: usize,
}

/// Keys of `picBed` that are not host types.
const PICBED_KEYS: &[&str] = &["uploader", "current", "proxy", "transformer", "list"];

/// JSON as PicGo's store writes it (comment-json: comments are allowed).
fn parse_json(text: &str, file: &Path) -> Result<Value> {
    let text = text.trim_start_matches('\u{feff}');
    serde_json::from_str(text)
        .or_else(|first| serde_json::from_str(&strip_comments(text)).map_err(|_| first))
        .map_err(|e| Error::Input(msg!("{}: not valid JSON: {e}", file.display())))
}

/// `//` and `/* */` comments outside strings removed.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                '\\' => {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                }
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut prev = ' ';
                for n in chars.by_ref() {
                    if prev == '*' && n == '/' {
                        break;
                    }
                    prev = n;
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::file(path, Msg::plain(e.to_string())))
}

/// PicGo's gallery file: gzip-compressed JSON.
fn read_db(path: &Path) -> Result<Value> {
    let bytes = std::fs::read(path).map_err(|e| Error::file(path, Msg::plain(e.to_string())))?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut text)
        .map_err(|e| {
            Error::Input(msg!(
                "{}: not a gzip-compressed PicGo gallery: {e}",
                path.display()
            ))
        })?;
    parse_json(&text, path)
}

/// One config as PicGo keeps it.
struct PicgoConfig {
    picgo_type: String,
    config_name: String,
    is_default: bool,
    values: Map<String, Value>,
}

impl PicgoConfig {
    fn new(picgo_type: &str, values: &Map<String, Value>, is_default: bool) -> Self {
        PicgoConfig {
            picgo_type: picgo_type.to_string(),
            config_name: values
                .get("_configName")
                .and_then(Value::as_str)
                .unwrap_or("Default")
                .to_string(),
            is_default,
            values: values.clone(),
        }
    }
}

fn configs_of(data: &Value) -> Vec<PicgoConfig> {
    let mut out = Vec::new();
    let mut listed: HashSet<String> = HashSet::new();
    if let Some(Value::Object(uploader)) = data.get("uploader") {
        for (t, entry) in uploader {
            let Some(Value::Array(list)) = entry.get("configList") else {
                continue;
            };
            listed.insert(t.clone());
            let default_id = entry
                .get("defaultId")
                .and_then(Value::as_str)
                .unwrap_or_default();
            for (i, item) in list.iter().enumerate() {
                let Value::Object(values) = item else {
                    continue;
                };
                let id = values
                    .get("_id")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let is_default = if default_id.is_empty() {
                    i == 0
                } else {
                    id == default_id
                };
                out.push(PicgoConfig::new(t, values, is_default));
            }
        }
    }
    // Older PicGo: one config per type under picBed (newer ones mirror the default config there).
    if let Some(Value::Object(pic_bed)) = data.get("picBed") {
        for (t, v) in pic_bed {
            if PICBED_KEYS.contains(&t.as_str()) || listed.contains(t) {
                continue;
            }
            let Value::Object(values) = v else { continue };
            out.push(PicgoConfig::new(t, values, true));
        }
    }
    out
}

fn text(values: &Map<String, Value>, key: &str) -> String {
    match values.get(key) {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(v @ (Value::Number(_) | Value::Bool(_))) => v.to_string(),
        _ => String::new(),
    }
}

/// A JSON object kept by PicGo as a string holding JSON (or, by hand, as an object).
fn json_object(
    values: &Map<String, Value>,
    key: &str,
) -> std::result::Result<Option<Value>, String> {
    match values.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) if m.is_empty() => Ok(None),
        Some(v @ Value::Object(_)) => Ok(Some(v.clone())),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(m)) if m.is_empty() => Ok(None),
            Ok(v @ Value::Object(_)) => Ok(Some(v)),
            Ok(_) => Err(format!("{key} is not a JSON object")),
            Err(e) => Err(format!("{key} is not valid JSON: {e}")),
        },
        Some(_) => Err(format!("{key} is not a JSON object")),
    }
}

/// A Pixdrop host kind, its settings, and what of the PicGo config could not be taken over.
type Converted = (String, BTreeMap<String, Value>, Vec<String>);

/// The Pixdrop kind a PicGo host type becomes, when Pixdrop has one.
fn kind_for(picgo_type: &str) -> Option<&'static str> {
    Some(match picgo_type {
        "smms" => "smms",
        "web-uploader" | "webuploader" => "custom",
        "aliyun" | "tcyun" | "qiniu" | "aws-s3" | "aws-s3-plist" => "s3",
        "webdavplist" => "webdav",
        "sftpplist" => "sftp",
        "local" => "local",
        "github" => "github",
        "imgur" => "imgur",
        "upyun" => "upyun",
        "lskyplist" => "lsky",
        _ => return None,
    })
}

/// An S3 plugin's `uploadPath` (`{year}/{month}/{md5}.{extName}`) in Pixdrop's placeholders.
fn translate_upload_path(path: &str) -> std::result::Result<String, String> {
    let mut out = String::new();
    let mut rest = path.trim().trim_start_matches('/');
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("its uploadPath {path:?} has a {{ without }}"))?;
        out.push_str(match &after[..close] {
            "year" => "{Y}",
            "month" => "{m}",
            "day" => "{d}",
            "fullName" => "{filename}.{ext}",
            "fileName" => "{filename}",
            "extName" => "{ext}",
            "md5" => "{md5}",
            "sha256" => "{sha256}",
            "timestampMS" => "{timestamp}",
            other => {
                return Err(format!(
                    "its uploadPath uses {{{other}}}, which Pixdrop has no placeholder for"
                ))
            }
        });
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(if out.is_empty() {
        "{filename}.{ext}".to_string()
    } else {
        out
    })
}

/// `base` and a folder below it joined by one `/`.
fn join_url(base: &str, folder: &str) -> String {
    let folder = folder.trim().trim_matches('/');
    let base = base.trim().trim_end_matches('/');
    if folder.is_empty() {
        base.to_string()
    } else {
        format!("{base}/{folder}")
    }
}

/// Qiniu's zone (`z0` …) as the region of its S3 API.
fn qiniu_region(area: &str) -> Option<&'static str> {
    Some(match area {
        "z0" | "" => "cn-east-1",
        "cn-east-2" => "cn-east-2",
        "z1" => "cn-north-1",
        "z2" => "cn-south-1",
        "na0" => "us-north-1",
        "as0" => "ap-southeast-1",
        "ap-northeast-1" => "ap-northeast-1",
        _ => return None,
    })
}

/// The Pixdrop kind and settings a PicGo config becomes; `Ok(None)` for types Pixdrop lacks.
fn convert(c: &PicgoConfig) -> std::result::Result<Option<Converted>, String> {
    let mut s = BTreeMap::new();
    let mut not_taken = Vec::new();
    let v = &c.values;
    let put = |s: &mut BTreeMap<String, Value>, key: &str, value: String| {
        if !value.is_empty() {
            s.insert(key.to_string(), Value::String(value));
        }
    };
    let need = |key: &str| -> std::result::Result<String, String> {
        let t = text(v, key);
        if t.is_empty() {
            Err(format!("it has no {key}"))
        } else {
            Ok(t)
        }
    };
    let note_option = |not_taken: &mut Vec<String>, key: &str, what: &str| {
        let t = text(v, key);
        if !t.is_empty() && t != "false" {
            not_taken.push(format!("{key} {t:?} ({what})"));
        }
    };
    let kind = match c.picgo_type.as_str() {
        "aliyun" => {
            put(&mut s, "access_key_id", need("accessKeyId")?);
            put(&mut s, "secret_access_key", need("accessKeySecret")?);
            put(&mut s, "bucket", need("bucket")?);
            let area = need("area")?;
            put(&mut s, "endpoint", format!("https://{area}.aliyuncs.com"));
            put(
                &mut s,
                "region",
                area.trim_start_matches("oss-").to_string(),
            );
            put(&mut s, "upload_path", folder_template(&text(v, "path")));
            put(&mut s, "url_prefix", text(v, "customUrl"));
            note_option(
                &mut not_taken,
                "options",
                "a URL suffix; Pixdrop's links have none",
            );
            "s3"
        }
        "tcyun" => {
            if text(v, "version") != "v5" {
                return Err("it is a COS v4 config (the retired JSON API): add the bucket again as an s3 config".into());
            }
            put(&mut s, "access_key_id", need("secretId")?);
            put(&mut s, "secret_access_key", need("secretKey")?);
            put(&mut s, "bucket", need("bucket")?);
            let area = need("area")?;
            let endpoint = match text(v, "endpoint") {
                e if e.is_empty() => format!("https://cos.{area}.myqcloud.com"),
                e if e.contains("://") => e,
                e => format!("https://{e}"),
            };
            put(&mut s, "endpoint", endpoint);
            put(&mut s, "region", area);
            put(&mut s, "upload_path", folder_template(&text(v, "path")));
            put(&mut s, "url_prefix", text(v, "customUrl"));
            note_option(
                &mut not_taken,
                "options",
                "a URL suffix; Pixdrop's links have none",
            );
            note_option(&mut not_taken, "slim", "COS image slimming, a URL suffix");
            "s3"
        }
        "qiniu" => {
            put(&mut s, "access_key_id", need("accessKey")?);
            put(&mut s, "secret_access_key", need("secretKey")?);
            put(&mut s, "bucket", need("bucket")?);
            let area = text(v, "area");
            let region = qiniu_region(&area).ok_or_else(|| {
                format!("its area {area:?} is not a Qiniu zone Pixdrop knows the S3 endpoint of")
            })?;
            put(
                &mut s,
                "endpoint",
                format!("https://s3.{region}.qiniucs.com"),
            );
            put(&mut s, "region", region.to_string());
            put(&mut s, "upload_path", folder_template(&text(v, "path")));
            put(&mut s, "url_prefix", need("url")?);
            note_option(
                &mut not_taken,
                "options",
                "a URL suffix; Pixdrop's links have none",
            );
            "s3"
        }
        "aws-s3" | "aws-s3-plist" => {
            put(&mut s, "access_key_id", need("accessKeyID")?);
            put(&mut s, "secret_access_key", need("secretAccessKey")?);
            let bucket = need("bucketName")?;
            put(&mut s, "bucket", bucket.clone());
            put(&mut s, "region", text(v, "region"));
            put(&mut s, "endpoint", text(v, "endpoint"));
            let path_style = text(v, "pathStyleAccess") == "true";
            if path_style {
                s.insert("path_style".into(), Value::Bool(true));
            }
            put(
                &mut s,
                "upload_path",
                translate_upload_path(&text(v, "uploadPath"))?,
            );
            let mut prefix = text(v, "urlPrefix");
            // PicList puts the bucket after the prefix of a path-style config unless told not to.
            if c.picgo_type == "aws-s3-plist"
                && !prefix.is_empty()
                && path_style
                && text(v, "disableBucketPrefixToURL") != "true"
            {
                prefix = join_url(&prefix, &bucket);
            }
            put(&mut s, "url_prefix", prefix);
            match text(v, "acl").as_str() {
                "" => {}
                acl @ ("public-read" | "private") => put(&mut s, "acl", acl.to_string()),
                other => not_taken.push(format!(
                    "acl {other:?} (Pixdrop sets none, public-read or private)"
                )),
            }
            note_option(
                &mut not_taken,
                "urlSuffix",
                "a URL suffix; Pixdrop's links have none",
            );
            note_option(
                &mut not_taken,
                "proxy",
                "a proxy per config; Pixdrop has one proxy setting for all hosts",
            );
            "s3"
        }
        "webdavplist" => {
            let host = need("host")?;
            let host = host
                .trim_start_matches("https://")
                .trim_start_matches("http://")
                .trim_end_matches('/');
            let scheme = if text(v, "sslEnabled") == "true" {
                "https"
            } else {
                "http"
            };
            let site = format!("{scheme}://{host}");
            let path = text(v, "path");
            put(&mut s, "url", join_url(&site, &path));
            put(&mut s, "username", text(v, "username"));
            put(&mut s, "password", text(v, "password"));
            put(&mut s, "upload_path", "{filename}.{ext}".into());
            let base = match text(v, "customUrl") {
                u if u.is_empty() => site,
                u => u,
            };
            let web = match text(v, "webpath") {
                w if w.is_empty() => path,
                w => w,
            };
            put(&mut s, "url_prefix", join_url(&base, &web));
            if text(v, "authType") == "digest" {
                not_taken.push("authType \"digest\" (Pixdrop logs in with basic auth)".into());
            }
            note_option(
                &mut not_taken,
                "options",
                "a URL suffix; Pixdrop's links have none",
            );
            "webdav"
        }
        "sftpplist" => {
            let host = need("host")?;
            put(&mut s, "host", host.clone());
            if let Some(port) = v.get("port").and_then(|p| match p {
                Value::Number(n) => n.as_u64(),
                Value::String(t) => t.trim().parse().ok(),
                _ => None,
            }) {
                s.insert("port".into(), Value::from(port));
            }
            put(&mut s, "username", need("username")?);
            put(&mut s, "password", text(v, "password"));
            put(&mut s, "private_key", text(v, "privateKey"));
            put(&mut s, "passphrase", text(v, "passphrase"));
            let folder = text(v, "uploadPath");
            put(&mut s, "path", format!("/{}", folder.trim_matches('/')));
            put(&mut s, "upload_path", "{filename}.{ext}".into());
            let base = match text(v, "customUrl") {
                u if u.is_empty() => {
                    not_taken.push(format!("no customUrl: links start with https://{host}"));
                    format!("https://{host}")
                }
                u => u,
            };
            let web = match text(v, "webPath") {
                w if w.is_empty() => folder,
                w => w,
            };
            put(&mut s, "url_prefix", join_url(&base, &web));
            put(&mut s, "file_mode", text(v, "fileMode"));
            note_option(&mut not_taken, "fileUser", "Pixdrop does not change owners");
            note_option(
                &mut not_taken,
                "dirMode",
                "folders get the server's default mode",
            );
            "sftp"
        }
        "local" => {
            put(&mut s, "path", need("path")?);
            put(&mut s, "upload_path", "{filename}.{ext}".into());
            let base = text(v, "customUrl");
            if base.is_empty() {
                return Err(
                    "it has no customUrl: Pixdrop needs the address that serves the folder".into(),
                );
            }
            put(&mut s, "url_prefix", join_url(&base, &text(v, "webPath")));
            "local"
        }
        "github" => {
            put(&mut s, "repo", need("repo")?);
            put(&mut s, "token", need("token")?);
            put(&mut s, "branch", text(v, "branch"));
            put(
                &mut s,
                "path",
                text(v, "path").trim_matches('/').to_string(),
            );
            put(&mut s, "custom_url", text(v, "customUrl"));
            "github"
        }
        "imgur" => {
            put(&mut s, "client_id", need("clientId")?);
            put(&mut s, "access_token", text(v, "accessToken"));
            note_option(&mut not_taken, "album", "Pixdrop uploads to no album");
            note_option(
                &mut not_taken,
                "proxy",
                "a proxy per config; Pixdrop has one proxy setting for all hosts",
            );
            "imgur"
        }
        "upyun" => {
            put(&mut s, "bucket", need("bucket")?);
            put(&mut s, "operator", need("operator")?);
            put(&mut s, "password", need("password")?);
            put(&mut s, "url", need("url")?);
            put(
                &mut s,
                "path",
                text(v, "path").trim_matches('/').to_string(),
            );
            put(&mut s, "options", text(v, "options"));
            let endpoint = text(v, "endpoint");
            if !endpoint.is_empty() {
                let endpoint = if endpoint.contains("://") {
                    endpoint
                } else {
                    format!("https://{endpoint}")
                };
                put(&mut s, "api_url", endpoint);
            }
            note_option(
                &mut not_taken,
                "antiLeechToken",
                "signed anti-leech links; Pixdrop's links are plain",
            );
            "upyun"
        }
        "lskyplist" => {
            put(&mut s, "url", need("host")?);
            put(&mut s, "token", need("token")?);
            put(&mut s, "version", text(v, "version").to_ascii_lowercase());
            put(&mut s, "strategy_id", text(v, "strategyId"));
            put(&mut s, "album_id", text(v, "albumId"));
            // PicList keeps {label, value} (value 1: public, 0: private), or the value alone.
            let permission = v
                .get("permission")
                .map(|p| p.get("value").unwrap_or(p))
                .and_then(|p| match p {
                    Value::Number(n) => n.as_i64(),
                    Value::String(t) => t.trim().parse().ok(),
                    _ => None,
                });
            match permission {
                Some(0) => put(&mut s, "permission", "private".into()),
                Some(1) => put(&mut s, "permission", "public".into()),
                _ => {}
            }
            note_option(
                &mut not_taken,
                "ignoreCertErr",
                "Pixdrop always checks the site's certificate",
            );
            "lsky"
        }
        "smms" | "web-uploader" | "webuploader" => return convert_web(c),
        _ => return Ok(None),
    };
    Ok(Some((kind.to_string(), s, not_taken)))
}

/// SM.MS and the web-uploader plugin.
fn convert_web(c: &PicgoConfig) -> std::result::Result<Option<Converted>, String> {
    let mut s = BTreeMap::new();
    let v = &c.values;
    match c.picgo_type.as_str() {
        "smms" => {
            let token = text(v, "token");
            if token.is_empty() {
                return Err("it has no token".into());
            }
            s.insert("token".into(), Value::String(token));
            let domain = text(v, "backupDomain");
            if !domain.is_empty() {
                s.insert("server".into(), Value::String(domain));
            }
            Ok(Some(("smms".into(), s, Vec::new())))
        }
        "web-uploader" | "webuploader" => {
            let url = text(v, "url");
            if url.is_empty() {
                return Err("it has no url".into());
            }
            s.insert("url".into(), Value::String(url));
            for (from, to) in [
                ("paramName", "field"),
                ("jsonPath", "json_path"),
                ("customPrefix", "prefix"),
            ] {
                let t = text(v, from);
                if !t.is_empty() {
                    s.insert(to.into(), Value::String(t));
                }
            }
            for (from, to) in [("customHeader", "headers"), ("customBody", "body")] {
                if let Some(obj) = json_object(v, from)? {
                    s.insert(to.into(), obj);
                }
            }
            Ok(Some(("custom".into(), s, Vec::new())))
        }
        _ => Ok(None),
    }
}

/// A time PicGo wrote: Unix milliseconds (or seconds), or an ISO date.
fn time_of(item: &Value) -> Option<i64> {
    ["createdAt", "updatedAt", "date"]
        .iter()
        .find_map(|k| match item.get(*k)? {
            Value::Number(n) => n
                .as_i64()
                .or_else(|| n.as_f64().map(|f| f as i64))
                .map(|t| if t < 100_000_000_000 { t * 1000 } else { t }),
            Value::String(s) => chrono::DateTime::parse_from_rfc3339(s.trim())
                .ok()
                .map(|d| d.timestamp_millis()),
            _ => None,
        })
}

fn kind_of(picgo_type: &str) -> String {
    kind_for(picgo_type).unwrap_or(picgo_type).to_string()
}

/// Read a PicGo folder and bring its configs, settings and album into Pixdrop.
pub fn import(store: &ConfigStore, album: &Album, dir: &Path) -> Result<Report> {
    if !dir.is_dir() {
        return Err(Error::file(dir, msg!("is not a folder")));
    }
    let mut report = Report::default();
    let (data, db) = read_folder(dir, &mut report)?;
    // Everything is worked out first; then one config update and one album transaction.
    let mut unknown: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let type_config = import_configs(store, &data, &mut report, &mut unknown)?;
    let mut records = album_records(
        album,
        [db.get("uploaded"), data.get("uploaded")],
        &type_config,
        &mut report,
        &mut unknown,
    )?;
    records.sort_by_key(|r| r.created_at);
    report.records_added = album.insert_many(&records)?;
    report.unknown_types = unknown
        .into_iter()
        .map(|(picgo_type, (configs, records))| UnknownType {
            picgo_type,
            configs,
            records,
        })
        .collect();
    Ok(report)
}

/// The folder's config (data.json, else PicGo-Core's config.json) and gallery (picgo.db), as
/// JSON (`Null` where absent); at least one must be there.
fn read_folder(dir: &Path, report: &mut Report) -> Result<(Value, Value)> {
    let mut data = Value::Null;
    for name in ["data.json", "config.json"] {
        let p = dir.join(name);
        if p.is_file() {
            data = parse_json(&read_text(&p)?, &p)?;
            if !data.is_object() {
                return Err(Error::Input(msg!(
                    "{}: not a PicGo config (no JSON object)",
                    p.display()
                )));
            }
            report.sources.push(p.display().to_string());
            break;
        }
    }
    let db_path = dir.join("picgo.db");
    let db = if db_path.is_file() {
        let v = read_db(&db_path)?;
        report.sources.push(db_path.display().to_string());
        v
    } else {
        Value::Null
    };
    if report.sources.is_empty() {
        return Err(Error::Input(msg!(
            "{} holds no PicGo data (data.json, config.json or picgo.db); PicGo keeps it in ~/.config/picgo, PicGo-Core in ~/.picgo",
            dir.display()
        )));
    }

    Ok((data, db))
}

/// PicGo's URL rewrite rules (`settings.urlRewrite.rules`: match, replace, enable, global,
/// ignoreCase) after Pixdrop's own, in their order; one already there is not added again, and
/// one Pixdrop cannot use (a pattern its regular expressions do not take) is named in
/// `not_taken` with the reason.
fn import_url_rules(
    settings_in: &Value,
    rules: &mut Vec<crate::url_rules::UrlRule>,
    report: &mut Report,
) {
    let Some(list) = settings_in
        .pointer("/urlRewrite/rules")
        .and_then(Value::as_array)
    else {
        return;
    };
    for (i, r) in list.iter().enumerate() {
        let text = |k: &str| {
            r.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let flag = |k: &str| r.get(k).and_then(Value::as_bool);
        let rule = crate::url_rules::UrlRule {
            pattern: text("match"),
            replace: text("replace"),
            enabled: flag("enable") != Some(false),
            global: flag("global") == Some(true),
            ignore_case: flag("ignoreCase") == Some(true),
        };
        if rules.contains(&rule) {
            continue;
        }
        match crate::url_rules::check_one(i + 1, &rule) {
            Ok(()) => {
                report.settings.push(format!(
                    "url_rewrite += {} → {}",
                    rule.pattern, rule.replace
                ));
                rules.push(rule);
            }
            Err(e) => report
                .not_taken
                .push(format!("settings, {}: {e}", rule.pattern)),
        }
    }
}

/// Add the folder's host configs (those not here already) and its link format, in one config
/// update. Returns which Pixdrop config each PicGo type's records belong to.
fn import_configs(
    store: &ConfigStore,
    data: &Value,
    report: &mut Report,
    unknown: &mut BTreeMap<String, (usize, usize)>,
) -> Result<HashMap<String, String>> {
    let current_type = data
        .pointer("/picBed/uploader")
        .or_else(|| data.pointer("/picBed/current"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let picgo_configs = configs_of(data);
    // PicGo type → the Pixdrop config its records belong to.
    let mut type_config: HashMap<String, String> = HashMap::new();
    let settings_in = data.get("settings").cloned().unwrap_or(Value::Null);

    let outcome = store.update(|config: &mut Config| {
        let had_default = config.default_host.is_some();
        let mut new_default = None;
        for c in &picgo_configs {
            let from = format!("{} “{}”", c.picgo_type, c.config_name);
            let (kind, settings, not_taken) = match convert(c) {
                Ok(Some(x)) => x,
                Ok(None) => {
                    unknown.entry(c.picgo_type.clone()).or_default().0 += 1;
                    continue;
                }
                Err(why) => {
                    report.configs_skipped.push(format!("{from}: {why}"));
                    continue;
                }
            };
            let present = config
                .hosts
                .iter()
                .find(|h| h.kind == kind && h.settings == settings)
                .map(|h| h.name.clone());
            let name = match present {
                Some(name) => {
                    report.configs_present.push(name.clone());
                    name
                }
                None => {
                    let host = HostConfig {
                        name: super::free_name(config, &c.config_name, &c.picgo_type),
                        kind: kind.clone(),
                        settings,
                    };
                    if let Err(e) = hosts::validate(&host) {
                        report.configs_skipped.push(format!("{from}: {e}"));
                        continue;
                    }
                    let name = host.name.clone();
                    config.add_host(host, false)?;
                    for what in not_taken {
                        report.not_taken.push(format!("{name}: {what}"));
                    }
                    report.configs_added.push(AddedConfig {
                        name: name.clone(),
                        kind,
                        from,
                    });
                    name
                }
            };
            if c.is_default || !type_config.contains_key(&c.picgo_type) {
                type_config.insert(c.picgo_type.clone(), name.clone());
            }
            if c.is_default && c.picgo_type == current_type {
                new_default = Some(name);
            }
        }
        if !had_default {
            if let Some(name) = new_default {
                config.set_default(&name)?;
            }
            report.default_host = config.default_host.clone();
        }
        let style = settings_in
            .get("pasteStyle")
            .and_then(Value::as_str)
            .unwrap_or_default();
        // LinkFormat's own parsing knows PicGo's pasteStyle spellings.
        if let Ok(format) = style.parse::<LinkFormat>() {
            config.settings.link_format = format;
            report.settings.push(format!("link_format = {format}"));
        }
        if let Some(custom) = settings_in
            .get("customLink")
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
        {
            config.settings.custom_link = custom.to_string();
            report.settings.push(format!("custom_link = {custom}"));
        }
        import_url_rules(&settings_in, &mut config.settings.url_rewrite, report);
        Ok(())
    });
    outcome?;
    Ok(type_config)
}

/// The gallery's records not in the album yet (by URL): picgo.db first (the current gallery),
/// then data.json's older array.
fn album_records(
    album: &Album,
    lists: [Option<&Value>; 2],
    type_config: &HashMap<String, String>,
    report: &mut Report,
    unknown: &mut BTreeMap<String, (usize, usize)>,
) -> Result<Vec<NewRecord>> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut records = Vec::new();
    let fallback_base = now_ms();
    for list in lists.into_iter().flatten() {
        let Value::Array(items) = list else { continue };
        let n = items.len() as i64;
        for (i, item) in items.iter().enumerate() {
            let url = item
                .get("imgUrl")
                .or_else(|| item.get("url"))
                .and_then(Value::as_str)
                .map(str::trim)
                .unwrap_or_default();
            if url.is_empty() || !seen.insert(url.to_string()) {
                continue;
            }
            if album.has_url_anywhere(url)? {
                report.records_present += 1;
                continue;
            }
            let picgo_type = item
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("unknown")
                .to_string();
            let config_name = match type_config.get(&picgo_type) {
                Some(name) => name.clone(),
                None => {
                    if kind_for(&picgo_type).is_none() {
                        unknown.entry(picgo_type.clone()).or_default().1 += 1;
                    }
                    format!("picgo-{picgo_type}")
                }
            };
            let file_name = item
                .get("fileName")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .unwrap_or_else(|| url.rsplit('/').next().unwrap_or(url).to_string());
            let num = |k: &str| item.get(k).and_then(Value::as_u64);
            records.push(NewRecord {
                host_kind: kind_of(&picgo_type),
                config_name,
                stored_name: file_name.clone(),
                file_name,
                url: url.to_string(),
                // `hash` is the delete handle of SM.MS (its hash), Imgur (the deletehash) and
                // Lsky Pro (the image key). Other types keep other things there (PicList keeps a
                // local path for `local`, GitHub's blob SHA without the file's path), which must
                // never be taken for a key to delete.
                delete_handle: item
                    .get("hash")
                    .or_else(|| item.get("deleteHash"))
                    .and_then(Value::as_str)
                    .filter(|s| {
                        !s.is_empty()
                            && matches!(picgo_type.as_str(), "smms" | "imgur" | "lskyplist")
                    })
                    .map(str::to_string),
                size: num("size").or_else(|| num("fileSize")).unwrap_or(0),
                width: num("width").map(|w| w as u32).filter(|w| *w > 0),
                height: num("height").map(|h| h as u32).filter(|h| *h > 0),
                sha256: None,
                // Without a time, keep PicGo's order (oldest first) just before now.
                created_at: time_of(item).unwrap_or(fallback_base - (n - i as i64)),
                sent_sha256: None,
                // PicGo's URL rewrite keeps the host's own link as `originImgUrl`.
                origin_url: item
                    .get("originImgUrl")
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|o| !o.is_empty() && *o != url)
                    .map(str::to_string),
            });
        }
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_removed_outside_strings() {
        let t = "{\n // note\n \"a\": \"x//y\", /* b */ \"c\": \"/*z*/\"\n}";
        let v: Value = serde_json::from_str(&strip_comments(t)).unwrap();
        assert_eq!(v["a"], "x//y");
        assert_eq!(v["c"], "/*z*/");
    }
}
