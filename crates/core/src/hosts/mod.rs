//! Image hosts. Each kind lives in its own file and implements [`Host`]; its settings are
//! described by [`FieldSpec`]s so the CLI and the settings page can handle any kind generically.

pub mod chevereto;
pub mod custom;
pub mod extract;
pub mod github;
mod http;
pub mod imgur;
pub mod local;
pub mod lsky;
pub mod s3;
pub mod sftp;
pub mod smms;
pub mod storage;
pub mod upyun;
pub mod webdav;

use crate::{msg, Msg};
use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::host_config::{parse_bool, HostConfig};

pub use http::{body_excerpt, Http, HttpAnswer};

/// Bytes sent so far and the total, for progress bars.
pub type Progress = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// A file ready to be sent: its upload name, bytes and MIME type.
#[derive(Debug, Clone)]
pub struct Payload {
    pub name: String,
    pub bytes: Bytes,
    pub mime: &'static str,
}

/// What a host says about a finished upload.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Uploaded {
    pub url: String,
    /// A hash or URL that deletes the image on the host, when the host gives one.
    pub delete_handle: Option<String>,
    /// The host's name for the stored file, when it says.
    pub stored_name: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// The host already had this image (SM.MS `image_repeated`).
    pub repeated: bool,
}

/// One image from a host's upload history.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HistoryItem {
    pub url: String,
    pub file_name: String,
    pub stored_name: String,
    pub delete_handle: Option<String>,
    pub size: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Unix milliseconds, when the host says.
    pub created_at: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct HistoryPage {
    pub items: Vec<HistoryItem>,
    /// How many pages there are, when the host says.
    pub total_pages: Option<u32>,
}

#[async_trait]
pub trait Host: Send + Sync {
    fn kind(&self) -> &'static str;
    /// The largest file the host takes, in bytes.
    fn max_size(&self) -> Option<u64>;
    async fn upload(
        &self,
        http: &Http,
        file: &Payload,
        progress: Option<Progress>,
    ) -> Result<Uploaded>;
    /// Check the credentials; returns a short description of the account.
    async fn check(&self, http: &Http) -> Result<Msg>;
    /// Settings the last check learned that the config should keep (an SFTP server's host key,
    /// trusted on the first test).
    fn learned(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
    /// The host's way to delete images, when the kind implements [`Deletes`].
    fn deleter(&self) -> Option<&dyn Deletes> {
        None
    }
    /// The host's upload history, when the kind implements [`Syncs`].
    fn syncer(&self) -> Option<&dyn Syncs> {
        None
    }
    /// Where a sync can keep its sealed files, when the kind implements
    /// [`storage::SyncPlace`].
    fn sync_place(&self) -> Option<&dyn storage::SyncPlace> {
        None
    }
}

/// A host that deletes images by the handle their upload returned.
#[async_trait]
pub trait Deletes: Send + Sync {
    async fn delete(&self, http: &Http, handle: &str) -> Result<()>;

    /// Whether this handle names an image on the host as the config is now. A storage config
    /// whose bucket, folder or server changed since the upload would name another file with the
    /// same key: that must not be deleted (nor reported deleted when nothing was there).
    fn names(&self, _handle: &str) -> bool {
        true
    }
}

/// A host that lists what was uploaded to it, a page at a time.
#[async_trait]
pub trait Syncs: Send + Sync {
    /// One page (from 1) of the host's upload history.
    async fn history(&self, http: &Http, page: u32) -> Result<HistoryPage>;
}

impl dyn Host {
    /// Delete the image whose link is `url` on the host, or say plainly why not: this kind
    /// cannot, or the config now points elsewhere than where the image was uploaded.
    pub async fn delete(&self, http: &Http, handle: &str, url: &str) -> Result<()> {
        match self.deleter() {
            Some(d) if !d.names(handle) => Err(Error::Refused(msg!(
                "the config now points elsewhere than where {url} was uploaded (its bucket, folder, server or repository changed), so deleting {handle:?} could remove another file; nothing was deleted on the host. Remove the record from the album only, or set the config back"
            ))),
            Some(d) => d.delete(http, handle).await,
            None => Err(Error::Unsupported(msg!(
                "{} hosts cannot delete images",
                self.kind()
            ))),
        }
    }

    /// One page of the host's upload history, or say plainly that this kind keeps none.
    pub async fn history(&self, http: &Http, page: u32) -> Result<HistoryPage> {
        match self.syncer() {
            Some(s) => s.history(http, page).await,
            None => Err(Error::Unsupported(msg!(
                "{} hosts have no upload history to import",
                self.kind()
            ))),
        }
    }
}

/// A delete handle that must be one word of letters and digits (an Imgur delete hash, a Lsky
/// Pro key), so it can go into a request path as it is; `what` names it in the refusal.
pub fn word_handle(handle: &str, what: Msg) -> Result<&str> {
    let h = handle.trim();
    if h.is_empty() || !h.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Error::Unsupported(msg!(
            "{h:?} is not {what}, so the record can only be removed from the album"
        )));
    }
    Ok(h)
}

/// A file's bytes as a request body. With a progress callback the bytes go out in chunks and
/// each chunk handed to the connection is reported; without one they go out in one piece.
pub fn file_body(file: &Payload, progress: Option<Progress>) -> reqwest::Body {
    use futures::StreamExt;
    let total = file.bytes.len() as u64;
    match progress {
        None => reqwest::Body::from(file.bytes.clone()),
        Some(progress) => {
            const CHUNK: usize = 256 * 1024;
            let bytes = file.bytes.clone();
            let chunks = (0..bytes.len().div_ceil(CHUNK).max(1)).map(move |i| {
                let end = ((i + 1) * CHUNK).min(bytes.len());
                bytes.slice(i * CHUNK..end)
            });
            let mut sent = 0u64;
            reqwest::Body::wrap_stream(futures::stream::iter(chunks).map(move |chunk| {
                sent += chunk.len() as u64;
                progress(sent, total);
                Ok::<_, std::io::Error>(chunk)
            }))
        }
    }
}

/// The multipart part carrying a file (see [`file_body`] for progress).
pub fn file_part(file: &Payload, progress: Option<Progress>) -> Result<reqwest::multipart::Part> {
    let total = file.bytes.len() as u64;
    reqwest::multipart::Part::stream_with_length(file_body(file, progress), total)
        .file_name(file.name.clone())
        .mime_str(file.mime)
        .map_err(|e| Error::Input(msg!("bad MIME type {}: {e}", file.mime)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    Text,
    /// Shown masked; files holding it are private.
    Secret,
    Url,
    /// One of `options`.
    Choice,
    /// A JSON object.
    Json,
    /// A JSON object whose values under secret-looking names (token, key, auth, …) are masked.
    SecretJson,
    Number,
    Bool,
    /// Names of other configs (stored as a list; typed separated by commas).
    Hosts,
}

/// One setting of a host kind.
#[derive(Debug, Clone, Serialize)]
pub struct FieldSpec {
    pub key: &'static str,
    pub label: &'static str,
    pub kind: FieldKind,
    pub required: bool,
    pub default: Option<&'static str>,
    pub options: &'static [&'static str],
    pub help: &'static str,
    /// A value a required field could have (the form's placeholder; the registry's own test
    /// builds every kind from these).
    pub example: &'static str,
}

impl FieldSpec {
    pub const fn new(
        key: &'static str,
        label: &'static str,
        kind: FieldKind,
        help: &'static str,
    ) -> Self {
        FieldSpec {
            key,
            label,
            kind,
            required: false,
            default: None,
            options: &[],
            help,
            example: "",
        }
    }

    /// A field that must be set; `example` is a value it could have.
    pub const fn required(mut self, example: &'static str) -> Self {
        self.required = true;
        self.example = example;
        self
    }

    pub const fn default(mut self, value: &'static str) -> Self {
        self.default = Some(value);
        self
    }

    pub const fn options(mut self, options: &'static [&'static str]) -> Self {
        self.options = options;
        self
    }

    pub const fn example(mut self, example: &'static str) -> Self {
        self.example = example;
        self
    }
}

/// Settings every config has, whatever its kind, after the kind's own.
pub const COMMON_FIELDS: &[FieldSpec] = &[
    FieldSpec::new(
        crate::host_config::MIRRORS,
        "Mirrors",
        FieldKind::Hosts,
        "Other configs each upload also goes to, at the same time (so one host's outage or ban does not break every link). The link you get is this config's; if its host fails, a mirror's.",
    ),
    FieldSpec::new(
        crate::host_config::STRIP_METADATA,
        "Remove location and camera data",
        FieldKind::Choice,
        "on: GPS position, camera and other EXIF/XMP/IPTC data are removed from JPEG, PNG and WebP before upload (the pixels are not re-encoded; orientation and colour profile stay); off: files go as they are. Empty: the global setting (on unless changed).",
    )
    .options(&["on", "off"]),
    FieldSpec::new(
        "convert_to",
        "Convert to",
        FieldKind::Choice,
        "Convert this config's uploads to WebP, AVIF, JPEG or PNG (none: keep the format). Empty: the global setting.",
    )
    .options(&["none", "webp", "avif", "jpeg", "png"]),
    FieldSpec::new(
        "quality",
        "Quality",
        FieldKind::Number,
        "Quality of JPEG, WebP and AVIF output, 1–100. Empty: the global setting (82 unless changed).",
    ),
    FieldSpec::new(
        "max_width",
        "Largest width",
        FieldKind::Number,
        "Downscale wider images to this many pixels (aspect kept). Empty: the global setting.",
    ),
    FieldSpec::new(
        "max_height",
        "Largest height",
        FieldKind::Number,
        "Downscale taller images to this many pixels (aspect kept). Empty: the global setting.",
    ),
    FieldSpec::new(
        "fit_host_limit",
        "Make large files fit",
        FieldKind::Choice,
        "on: a file over the host's size limit is re-encoded (lower quality, then smaller) until it fits; off: it is refused. Empty: the global setting (on unless changed).",
    )
    .options(&["on", "off"]),
    FieldSpec::new(
        "watermark_text",
        "Watermark",
        FieldKind::Text,
        "Text drawn on this config's uploads (position, opacity and font as in Settings). Empty: the global setting.",
    ),
];

/// A host kind as the CLI, the forms and the README describe it. `can_delete`, `can_sync` and
/// `can_hold_sync` are not written by hand: they are what the kind's host implements
/// ([`Deletes`], [`Syncs`], [`storage::SyncPlace`]).
#[derive(Debug, Clone, Serialize)]
pub struct KindInfo {
    pub kind: &'static str,
    pub label: &'static str,
    /// The kind's own settings, then [`COMMON_FIELDS`].
    pub fields: Vec<FieldSpec>,
    pub can_delete: bool,
    /// Its upload history can be imported into the album.
    pub can_sync: bool,
    /// A config of it can be the place Pixdrop syncs configs, settings and the album through.
    pub can_hold_sync: bool,
}

/// One host kind in the registry: what it is, and how a config of it becomes a host. Each kind's
/// file defines its `KIND`; [`REGISTRY`] lists them once.
pub struct Kind {
    pub kind: &'static str,
    pub label: &'static str,
    pub fields: &'static [FieldSpec],
    /// Build the host from a config whose fields passed the generic checks.
    pub build: fn(&HostConfig) -> Result<Box<dyn Host>>,
}

/// Every host kind. A new kind is its file plus one line here.
pub const REGISTRY: &[Kind] = &[
    smms::KIND,
    custom::KIND,
    s3::KIND,
    webdav::KIND,
    sftp::KIND,
    local::KIND,
    github::KIND,
    imgur::KIND,
    lsky::KIND,
    chevereto::KIND,
    upyun::KIND,
];

impl Kind {
    /// A config of this kind with every required field set to its example.
    pub fn example_config(&self) -> HostConfig {
        HostConfig {
            name: format!("example-{}", self.kind),
            kind: self.kind.to_string(),
            settings: self
                .fields
                .iter()
                .filter(|f| f.required)
                .map(|f| (f.key.to_string(), example_value(f)))
                .collect(),
        }
    }

    fn info(&self) -> KindInfo {
        let host = (self.build)(&self.example_config()).ok();
        KindInfo {
            kind: self.kind,
            label: self.label,
            fields: self.fields.iter().chain(COMMON_FIELDS).cloned().collect(),
            can_delete: host.as_ref().is_some_and(|h| h.deleter().is_some()),
            can_sync: host.as_ref().is_some_and(|h| h.syncer().is_some()),
            can_hold_sync: host.as_ref().is_some_and(|h| h.sync_place().is_some()),
        }
    }
}

fn example_value(f: &FieldSpec) -> Value {
    match f.kind {
        FieldKind::Bool => Value::Bool(parse_bool(f.example).unwrap_or(false)),
        FieldKind::Number => number_value(f.example.parse::<f64>().unwrap_or(1.0)),
        FieldKind::Json | FieldKind::SecretJson => {
            serde_json::from_str(f.example).unwrap_or_else(|_| Value::Object(Default::default()))
        }
        _ => Value::String(f.example.to_string()),
    }
}

/// A number as stored: whole numbers as integers (a port is 22, not 22.0).
fn number_value(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Value::from(n as i64)
    } else {
        Value::from(n)
    }
}

/// Every kind, as the CLI and the forms describe them.
pub fn kinds() -> &'static [KindInfo] {
    static KINDS: std::sync::OnceLock<Vec<KindInfo>> = std::sync::OnceLock::new();
    KINDS.get_or_init(|| REGISTRY.iter().map(Kind::info).collect())
}

fn registered(kind: &str) -> Result<&'static Kind> {
    REGISTRY.iter().find(|k| k.kind == kind).ok_or_else(|| {
        let known: Vec<_> = REGISTRY.iter().map(|k| k.kind).collect();
        Error::Input(msg!(
            "unknown host kind {kind:?}; known kinds: {}",
            known.join(", ")
        ))
    })
}

pub fn info(kind: &str) -> Result<&'static KindInfo> {
    registered(kind)?;
    Ok(kinds().iter().find(|k| k.kind == kind).expect("registered"))
}

/// A config's settings as its kind's typed struct: defaults filled in from the kind's fields,
/// blank texts left out, switches and numbers typed as text (imports) read as what they are.
pub fn settings_of<T: serde::de::DeserializeOwned>(cfg: &HostConfig) -> Result<T> {
    let kind = registered(&cfg.kind)?;
    let mut map = serde_json::Map::new();
    for f in kind.fields {
        let set = cfg.settings.get(f.key).filter(|v| match v {
            Value::Null => false,
            Value::String(s) => !s.trim().is_empty(),
            _ => true,
        });
        let value = match (set, f.default) {
            (Some(v), _) => v.clone(),
            (None, Some(d)) => Value::String(d.to_string()),
            (None, None) => continue,
        };
        let value = match (f.kind, value) {
            (FieldKind::Bool, Value::String(s)) => match parse_bool(&s) {
                Some(b) => Value::Bool(b),
                None => Value::String(s),
            },
            (FieldKind::Number, Value::String(s)) => match s.trim().parse::<f64>() {
                Ok(n) => number_value(n),
                Err(_) => Value::String(s),
            },
            (FieldKind::Number, Value::Number(n)) => number_value(n.as_f64().unwrap_or(0.0)),
            (FieldKind::Text | FieldKind::Secret | FieldKind::Url | FieldKind::Choice, v) => {
                match v {
                    Value::String(s) => Value::String(s.trim().to_string()),
                    Value::Number(_) | Value::Bool(_) => Value::String(v.to_string()),
                    v => v,
                }
            }
            (_, v) => v,
        };
        map.insert(f.key.to_string(), value);
    }
    serde_json::from_value(Value::Object(map)).map_err(|e| {
        Error::Input(msg!(
            "the {} config {:?} has a setting of the wrong type: {e}",
            cfg.kind,
            cfg.name
        ))
    })
}

/// Turn the text a user typed for `key` into the stored value, checking its type.
pub fn parse_value(kind: &str, key: &str, raw: &str) -> Result<Value> {
    let field = field(info(kind)?, key)?;
    Ok(match field.kind {
        FieldKind::Number => number_value(
            raw.trim()
                .parse::<f64>()
                .map_err(|_| Error::Input(msg!("{key} must be a number, not {raw:?}")))?,
        ),
        FieldKind::Bool => Value::Bool(parse_bool(raw).ok_or_else(|| {
            Error::Input(msg!("{key} is a switch: use true or false, not {raw:?}"))
        })?),
        FieldKind::Json | FieldKind::SecretJson => {
            let v: Value = serde_json::from_str(raw)
                .map_err(|e| Error::Input(msg!("{key} is not valid JSON: {e}")))?;
            if !v.is_object() {
                return Err(Error::Input(msg!(
                    "{key} must be a JSON object like {{\"name\": \"value\"}}"
                )));
            }
            v
        }
        FieldKind::Hosts => Value::Array(
            crate::host_config::split_names(raw)
                .into_iter()
                .map(Value::String)
                .collect(),
        ),
        // A choice in any case (`method=put`), stored as the kind spells it.
        FieldKind::Choice => Value::String(
            field
                .options
                .iter()
                .find(|o| o.eq_ignore_ascii_case(raw.trim()))
                .map_or_else(|| raw.to_string(), |o| o.to_string()),
        ),
        _ => Value::String(raw.to_string()),
    })
}

/// Every `KEY=text` typed for a config of `kind`, parsed; a blank text is `None` (unset).
pub fn parse_values(
    kind: &str,
    typed: impl IntoIterator<Item = (String, String)>,
) -> Result<Vec<(String, Option<Value>)>> {
    typed
        .into_iter()
        .map(|(key, raw)| {
            let value = if raw.trim().is_empty() {
                None
            } else {
                Some(parse_value(kind, &key, &raw)?)
            };
            Ok((key, value))
        })
        .collect()
}

/// The set values of [`parse_values`], as a config stores them.
pub fn parse_settings(
    kind: &str,
    typed: impl IntoIterator<Item = (String, String)>,
) -> Result<BTreeMap<String, Value>> {
    Ok(parse_values(kind, typed)?
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .collect())
}

fn field(info: &'static KindInfo, key: &str) -> Result<&'static FieldSpec> {
    info.fields.iter().find(|f| f.key == key).ok_or_else(|| {
        let known: Vec<_> = info.fields.iter().map(|f| f.key).collect();
        Error::Input(msg!(
            "{} hosts have no setting {key:?}; their settings: {}",
            info.kind,
            known.join(", ")
        ))
    })
}

/// A field's label as a message names it: the form's words in the user's language.
fn label(info: &KindInfo, f: &FieldSpec) -> Msg {
    Msg::term(format!("{}.{}.label", info.kind, f.key), f.label)
}

/// Check a config against its kind's fields: no unknown keys, required ones present, values of
/// the right type. Called before anything is written.
pub fn validate(cfg: &HostConfig) -> Result<()> {
    let info = info(&cfg.kind)?;
    for key in cfg.settings.keys() {
        field(info, key)?;
    }
    for f in &info.fields {
        let value = cfg.settings.get(f.key).filter(|v| !v.is_null());
        let text = value.map(|v| {
            v.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string())
        });
        let blank = text.as_deref().map(|t| t.trim().is_empty()).unwrap_or(true);
        if blank {
            if f.required && f.default.is_none() {
                return Err(Error::Input(msg!(
                    "the {} config {:?} needs {} ({})",
                    info.kind,
                    cfg.name,
                    f.key,
                    label(info, f)
                )));
            }
            continue;
        }
        let (value, text) = (value.unwrap(), text.unwrap());
        // Messages name the field as the form labels it, with the key the CLI uses.
        let named = msg!("{} ({})", label(info, f), f.key);
        match f.kind {
            FieldKind::Url => {
                let u = url::Url::parse(&text)
                    .map_err(|e| Error::Input(msg!("{} {text:?} is not a URL: {e}", named)))?;
                if !matches!(u.scheme(), "http" | "https") {
                    return Err(Error::Input(msg!(
                        "{} must be an http:// or https:// URL, not {text:?}",
                        named
                    )));
                }
            }
            FieldKind::Choice if !f.options.contains(&text.as_str()) => {
                return Err(Error::Input(msg!(
                    "{} must be one of {}, not {text:?}",
                    named,
                    f.options.join(", ")
                )));
            }
            FieldKind::Json | FieldKind::SecretJson if !value.is_object() => {
                // A string holding a JSON object (as PicGo keeps them) is accepted.
                let parsed = match value {
                    Value::String(s) => serde_json::from_str::<Value>(s)
                        .map_err(|e| Error::Input(msg!("{} is not valid JSON: {e}", named)))?,
                    _ => Value::Null,
                };
                if !parsed.is_object() {
                    return Err(Error::Input(msg!("{} must be a JSON object", named)));
                }
            }
            // Every number a host takes (a size limit) is more than 0.
            FieldKind::Number if !value.as_f64().is_some_and(|n| n > 0.0) => {
                return Err(Error::Input(msg!(
                    "{} must be a number above 0, not {text:?}",
                    named
                )));
            }
            FieldKind::Hosts => {
                let names = value.as_array().filter(|a| a.iter().all(Value::is_string));
                let Some(names) = names else {
                    return Err(Error::Input(msg!(
                        "{named} must be a list of config names, not {text:?}"
                    )));
                };
                if names.iter().any(|n| n.as_str() == Some(cfg.name.as_str())) {
                    return Err(Error::Input(msg!(
                        "{named}: {:?} cannot be its own mirror",
                        cfg.name
                    )));
                }
            }
            FieldKind::Bool if !value.is_boolean() => {
                return Err(Error::Input(msg!(
                    "{} must be true or false, not {text:?}",
                    named
                )));
            }
            _ => {}
        }
    }
    (registered(&cfg.kind)?.build)(cfg).map(|_| ())
}

/// Build the host a config describes. A secret the keyring could not give is refused in words
/// (never sent as it stands).
pub fn build(cfg: &HostConfig) -> Result<Box<dyn Host>> {
    if let Some(key) = crate::host_config::unreadable_secret(cfg) {
        let field = key.split('/').next().unwrap_or(&key);
        return Err(Error::Config(msg!(
            "the config \"{}\" keeps its {key} in the system keyring, which cannot give it now (it is locked or not running in this session, or the item was removed there); unlock the keyring, or set it again in Image hosts or with: pixdrop hosts set {} {field}=…",
            cfg.name,
            crate::host_config::shell_word(&cfg.name)
        )));
    }
    validate(cfg)?;
    (registered(&cfg.kind)?.build)(cfg)
}

/// Whether a header or form-field name is likely to hold a secret.
pub fn secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "auth",
        "token",
        "key",
        "secret",
        "pass",
        "cookie",
        "sign",
        "session",
        "credential",
    ]
    .iter()
    .any(|s| n.contains(s))
}

/// The text a form shows for one setting, secrets masked (see [`display_settings`]); `None` when
/// the setting is not set.
pub fn shown_text(cfg: &HostConfig, key: &str, reveal: bool) -> Option<String> {
    let v = display_settings(cfg, reveal).remove(key)?;
    Some(match v {
        Value::String(s) => s,
        Value::Object(_) => serde_json::to_string_pretty(&v).unwrap_or_default(),
        Value::Array(a) => a
            .iter()
            .map(|n| n.as_str().map_or_else(|| n.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    })
}

/// Texts typed in a form that was filled with `stored`'s settings masked: where a secret still
/// reads as its mask (the user did not change it), the stored secret is put back, so a form
/// saves secrets it never held. In a JSON object of headers, each secret-looking value is put
/// back the same way.
pub fn unmask(
    stored: &HostConfig,
    typed: impl IntoIterator<Item = (String, String)>,
) -> Vec<(String, String)> {
    let kinds: BTreeMap<&str, FieldKind> = info(&stored.kind)
        .map(|i| i.fields.iter().map(|f| (f.key, f.kind)).collect())
        .unwrap_or_default();
    let text = |v: &Value| {
        v.as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string())
    };
    typed
        .into_iter()
        .map(|(key, raw)| {
            let Some(old) = stored.settings.get(&key) else {
                return (key, raw);
            };
            let restored = match kinds.get(key.as_str()) {
                Some(FieldKind::Secret) if raw == crate::host_config::mask(&text(old)) => text(old),
                Some(FieldKind::SecretJson) => {
                    let old_obj = match old {
                        Value::String(s) => serde_json::from_str::<Value>(s).ok(),
                        v => Some(v.clone()),
                    };
                    match (serde_json::from_str::<Value>(&raw), old_obj) {
                        (Ok(Value::Object(mut new)), Some(Value::Object(old))) => {
                            for (name, v) in new.iter_mut() {
                                if let Some(was) = old.get(name) {
                                    if secret_name(name)
                                        && *v == Value::String(crate::host_config::mask(&text(was)))
                                    {
                                        *v = was.clone();
                                    }
                                }
                            }
                            serde_json::to_string(&Value::Object(new)).unwrap_or(raw)
                        }
                        _ => raw,
                    }
                }
                _ => raw,
            };
            (key, restored)
        })
        .collect()
}

/// A copy of the settings fit to show: secrets masked unless `reveal`.
pub fn display_settings(cfg: &HostConfig, reveal: bool) -> BTreeMap<String, Value> {
    let kinds: BTreeMap<&str, FieldKind> = info(&cfg.kind)
        .map(|i| i.fields.iter().map(|f| (f.key, f.kind)).collect())
        .unwrap_or_default();
    let mask = |v: &Value| {
        Value::String(crate::host_config::mask(
            &v.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string()),
        ))
    };
    cfg.settings
        .iter()
        .map(|(k, v)| {
            let shown = match (reveal, kinds.get(k.as_str()), v) {
                (false, Some(FieldKind::Secret), v) => mask(v),
                (false, Some(FieldKind::SecretJson), Value::Object(m)) => Value::Object(
                    m.iter()
                        .map(|(name, v)| {
                            let v = if secret_name(name) {
                                mask(v)
                            } else {
                                v.clone()
                            };
                            (name.clone(), v)
                        })
                        .collect(),
                ),
                _ => v.clone(),
            };
            (k.clone(), shown)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_secrets_typed_back_are_the_stored_ones() {
        let stored = HostConfig {
            name: "c".into(),
            kind: "custom".into(),
            settings: [
                ("url".to_string(), Value::from("https://x.example/up")),
                (
                    "headers".to_string(),
                    serde_json::json!({"Authorization": "TOK123", "X-Client": "me"}),
                ),
            ]
            .into(),
        };
        let shown = shown_text(&stored, "headers", false).unwrap();
        assert!(!shown.contains("TOK123"), "{shown}");
        let back = unmask(&stored, [("headers".to_string(), shown.clone())]);
        let v: Value = serde_json::from_str(&back[0].1).unwrap();
        assert_eq!(v["Authorization"], "TOK123");
        // A changed value is the user's.
        let edited = shown.replace("X-Client\": \"me", "X-Client\": \"you");
        let v: Value =
            serde_json::from_str(&unmask(&stored, [("headers".to_string(), edited)])[0].1).unwrap();
        assert_eq!(
            (v["Authorization"].as_str(), v["X-Client"].as_str()),
            (Some("TOK123"), Some("you"))
        );
        let smms = HostConfig {
            name: "s".into(),
            kind: "smms".into(),
            settings: [("token".to_string(), Value::from("a-long-secret-token-1234"))].into(),
        };
        let masked = shown_text(&smms, "token", false).unwrap();
        assert_eq!(
            unmask(&smms, [("token".to_string(), masked)])[0].1,
            "a-long-secret-token-1234"
        );
        assert_eq!(
            unmask(&smms, [("token".to_string(), "new".to_string())])[0].1,
            "new"
        );
    }

    #[test]
    fn choices_are_taken_in_any_case() {
        assert_eq!(parse_value("custom", "method", "put").unwrap(), "PUT");
        assert_eq!(parse_value("smms", "api", "SEE").unwrap(), "see");
        // Not a choice: still refused, by the config check, with the options named.
        let v = parse_value("custom", "method", "fetch").unwrap();
        assert_eq!(v, "fetch");
    }
}
