//! ShareX custom uploaders (`.sxcu`, ShareX 13 and newer) as `custom` host configs.
//!
//! What maps onto uploading a file is taken: RequestMethod (POST, PUT, PATCH), RequestURL,
//! Parameters (query string), Headers, Body `MultipartFormData` (FileFormName, Arguments) or
//! `Binary`, and URL / DeletionURL / ErrorMessage in ShareX syntax. Anything else is refused with
//! its name, before anything is written.

use crate::{msg, Msg};
use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};

use crate::config::{ConfigStore, HostConfig};
use crate::error::{Error, Result};
use crate::hosts::extract::{Template, Use};
use crate::hosts::{self};

/// Keys of an .sxcu this import understands (others are refused unless harmless).
const IGNORED: &[&str] = &["Version", "ThumbnailURL", "DestinationType", "Name"];

fn refuse(file: &str, what: Msg) -> Error {
    Error::Input(msg!("{file}: {what}"))
}

fn text_map(file: &str, key: &str, v: Option<&Value>) -> Result<Vec<(String, String)>> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                Value::Number(_) | Value::Bool(_) => Ok((k.clone(), v.to_string())),
                _ => Err(refuse(file, msg!("{key}.{k} must be text"))),
            })
            .collect(),
        Some(_) => Err(refuse(
            file,
            msg!("{key} must be an object of names and values"),
        )),
    }
}

fn string(file: &str, obj: &Map<String, Value>, key: &str) -> Result<String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.trim().to_string()),
        Some(_) => Err(refuse(file, msg!("{key} must be text"))),
    }
}

/// Check that a request value only uses `{filename}`.
fn request_value(file: &str, key: &str, v: &str) -> Result<()> {
    Template::parse(v, Use::Request)
        .map(|_| ())
        .map_err(|e| refuse(file, msg!("{key}: {e}")))
}

/// ShareX before 13 wrote placeholders between dollar signs (`$json:data.url$`, `$response$`);
/// ShareX 13 reads them, Pixdrop does not: such a file would import and then fail every upload
/// after the host already stored the file. Refused here, naming the key and the syntax.
fn refuse_old_syntax(file: &str, obj: &Map<String, Value>) -> Result<()> {
    static OLD: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let old = OLD.get_or_init(|| {
        regex::Regex::new(
            r"(?i)\$(json|xml|regex|response|responseurl|header|random|filename|input|select|prompt|base64|outputurl|uploadurl|inputurl)[:$][^$]*\$?",
        )
        .expect("a valid pattern")
    });
    fn texts<'a>(key: String, v: &'a Value, out: &mut Vec<(String, &'a str)>) {
        match v {
            Value::String(s) => out.push((key, s)),
            Value::Object(m) => m
                .iter()
                .for_each(|(k, v)| texts(format!("{key}.{k}"), v, out)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    obj.iter()
        .for_each(|(k, v)| texts(k.clone(), v, &mut found));
    for (key, text) in found {
        if let Some(m) = old.find(text) {
            return Err(refuse(file, msg!(
                    "{key} uses ShareX's pre-13 syntax ({}); ShareX 13 and Pixdrop write it as {{json:…}}: open the uploader in ShareX 13 or newer and export it again",
                    m.as_str()
                ),
            ));
        }
    }
    Ok(())
}

/// The `custom` config an .sxcu describes. `file` names it in messages; `name` overrides its Name.
pub fn to_config(text: &str, file: &str, name: Option<&str>) -> Result<HostConfig> {
    let text = text.trim_start_matches('\u{feff}');
    let v: Value = serde_json::from_str(text).map_err(|e| {
        refuse(
            file,
            msg!("not valid JSON: {e} (is it a ShareX .sxcu file?)"),
        )
    })?;
    let Value::Object(obj) = v else {
        return Err(refuse(file, msg!("an .sxcu file holds one JSON object")));
    };
    check_kind(file, &obj)?;
    let mut settings = request_settings(file, &obj)?;
    for (key, setting) in [
        ("URL", "link_template"),
        ("DeletionURL", "delete_template"),
        ("ErrorMessage", "error_template"),
    ] {
        let t = string(file, &obj, key)?;
        if t.is_empty() {
            continue;
        }
        Template::parse(&t, Use::Answer).map_err(|e| refuse(file, msg!("{key}: {e}")))?;
        settings.insert(setting.into(), Value::String(t));
    }
    if !settings.contains_key("link_template") {
        // ShareX's default when URL is empty: the whole answer is the link.
        settings.insert("link_template".into(), Value::String("{response}".into()));
    }
    let name = match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => n.to_string(),
        None => default_name(file, &obj, &settings)?,
    };
    let cfg = HostConfig {
        name,
        kind: "custom".into(),
        settings,
    };
    hosts::validate(&cfg).map_err(|e| refuse(file, e.msg()))?;
    Ok(cfg)
}

/// Refuse what is not a ShareX 13+ image or file uploader made of keys Pixdrop understands.
fn check_kind(file: &str, obj: &Map<String, Value>) -> Result<()> {
    if obj.contains_key("RequestType")
        || obj.contains_key("RegexList")
        || obj.contains_key("ResponseType")
    {
        return Err(refuse(file, msg!("this uploader uses ShareX's old format (RequestType, RegexList, $json:…$); open it in ShareX 13 or newer and export it again")));
    }
    if let Some(dest) = obj.get("DestinationType").and_then(Value::as_str) {
        let kinds: Vec<&str> = dest
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if !kinds.is_empty()
            && !kinds
                .iter()
                .any(|k| matches!(*k, "ImageUploader" | "FileUploader"))
        {
            return Err(refuse(
                file,
                msg!(
                    "this uploader is for {} only; Pixdrop needs an image or file uploader",
                    kinds.join(", ")
                ),
            ));
        }
    }
    refuse_old_syntax(file, obj)?;
    for key in obj.keys() {
        let known = IGNORED.contains(&key.as_str())
            || matches!(
                key.as_str(),
                "RequestMethod"
                    | "RequestURL"
                    | "Parameters"
                    | "Headers"
                    | "Body"
                    | "Arguments"
                    | "FileFormName"
                    | "URL"
                    | "DeletionURL"
                    | "ErrorMessage"
            );
        if !known {
            return Err(refuse(file, msg!("{key} is not supported")));
        }
    }
    Ok(())
}

/// The URL of the request with its Parameters in the query; `{filename}` kept as written.
fn request_url(file: &str, obj: &Map<String, Value>) -> Result<String> {
    let request_url = string(file, obj, "RequestURL")?;
    if request_url.is_empty() {
        return Err(refuse(file, msg!("RequestURL is missing")));
    }
    request_value(file, "RequestURL", &request_url)?;
    let mut url = url::Url::parse(&request_url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| {
            refuse(
                file,
                msg!("RequestURL {request_url:?} is not an http(s) URL"),
            )
        })?;
    let params = text_map(file, "Parameters", obj.get("Parameters"))?;
    for (k, v) in &params {
        request_value(file, &format!("Parameters.{k}"), v)?;
    }
    if !params.is_empty() {
        url.query_pairs_mut().extend_pairs(params.iter());
    }
    // `{filename}` survives in the stored URL as written (the query encoder escapes braces).
    Ok(url.to_string().replace("%7Bfilename%7D", "{filename}"))
}

/// The `custom` settings for what the request sends: URL, method, headers and body.
fn request_settings(file: &str, obj: &Map<String, Value>) -> Result<BTreeMap<String, Value>> {
    let method = match string(file, obj, "RequestMethod")?.to_ascii_uppercase().as_str() {
        "" | "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        other => {
            return Err(refuse(file, msg!("RequestMethod {other} cannot carry a file; Pixdrop uploads with POST, PUT or PATCH"),
            ))
        }
    };
    let url = request_url(file, obj)?;
    let headers = text_map(file, "Headers", obj.get("Headers"))?;
    for (k, v) in &headers {
        request_value(file, &format!("Headers.{k}"), v)?;
    }
    let arguments = text_map(file, "Arguments", obj.get("Arguments"))?;
    for (k, v) in &arguments {
        request_value(file, &format!("Arguments.{k}"), v)?;
    }
    let body = string(file, obj, "Body")?;
    let file_form = string(file, obj, "FileFormName")?;
    let body_type = match body.as_str() {
        "MultipartFormData" => {
            if file_form.is_empty() {
                return Err(refuse(file, msg!("FileFormName is empty, so the uploader sends no file (text uploaders and URL shorteners are not supported)")));
            }
            "multipart"
        }
        "Binary" => {
            if !arguments.is_empty() {
                return Err(refuse(file, msg!("Arguments cannot be sent with a Binary body")));
            }
            "binary"
        }
        "" | "None" => return Err(refuse(file, msg!("Body is None, so the uploader sends no file"))),
        other => {
            return Err(refuse(file, msg!("Body {other} is not supported (Pixdrop sends files as MultipartFormData or Binary)"),
            ))
        }
    };

    let mut settings: BTreeMap<String, Value> = BTreeMap::new();
    settings.insert("url".into(), Value::String(url));
    if method != "POST" {
        settings.insert("method".into(), Value::String(method.into()));
    }
    settings.insert("body_type".into(), Value::String(body_type.into()));
    if body_type == "multipart" {
        settings.insert("field".into(), Value::String(file_form));
    }
    let object = |pairs: &[(String, String)]| {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect(),
        )
    };
    if !headers.is_empty() {
        settings.insert("headers".into(), object(&headers));
    }
    if !arguments.is_empty() {
        settings.insert("body".into(), object(&arguments));
    }
    Ok(settings)
}

/// The uploader's Name, else (as ShareX does) the request URL's domain.
fn default_name(
    file: &str,
    obj: &Map<String, Value>,
    settings: &BTreeMap<String, Value>,
) -> Result<String> {
    let n = string(file, obj, "Name")?;
    if !n.is_empty() {
        return Ok(n);
    }
    Ok(settings
        .get("url")
        .and_then(Value::as_str)
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "sharex".into()))
}

/// Read an .sxcu file and add its config. Nothing is written unless all of it is usable.
pub fn import(
    store: &ConfigStore,
    path: &Path,
    name: Option<&str>,
    make_default: bool,
) -> Result<HostConfig> {
    let cfg = read(path, name)?;
    store.update(|c| c.add_host(cfg.clone(), make_default))?;
    Ok(cfg)
}

/// The `custom` config an .sxcu file describes, checked, without adding it.
pub fn read(path: &Path, name: Option<&str>) -> Result<HostConfig> {
    let label = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Error::file(path, crate::error::io_msg(&e)))?;
    if bytes.len() > 1024 * 1024 {
        return Err(refuse(
            &label,
            msg!("is larger than 1 MB; an .sxcu file is a small JSON text"),
        ));
    }
    let text = String::from_utf8(bytes).map_err(|_| refuse(&label, msg!("is not UTF-8 text")))?;
    to_config(&text, &label, name)
}
