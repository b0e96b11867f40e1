//! The shared configuration: named host configs and app settings, in one JSON file with a
//! schema version. Every change is a locked read-modify-write ending in an atomic replace, so
//! the app and the CLI can both change it and a crash never leaves half a file.

use crate::{msg, Msg};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::fsutil::write_atomic;
use crate::host_config::UNREADABLE_SECRET;
pub use crate::host_config::{mask, mask_password, parse_bool, HostConfig};
use crate::hosts;
use crate::rename::RenameMode;
pub use crate::secrets::Location;
use crate::secrets::Secrets;
use crate::template::{LinkFormat, DEFAULT_CUSTOM_LINK};

/// The schema this build writes. Older files are migrated on load; newer ones are refused for
/// writing so an old Pixdrop never destroys what a newer one wrote.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Config {
    pub schema: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_host: Option<String>,
    #[serde(default)]
    pub hosts: Vec<HostConfig>,
    #[serde(default)]
    pub settings: Settings,
    /// Keys this build does not know, kept as they were.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            schema: SCHEMA_VERSION,
            default_host: None,
            hosts: Vec::new(),
            settings: Settings::default(),
            extra: Map::new(),
        }
    }
}

/// The error's words when no host config exists. The app offers its Image hosts page; the CLI
/// adds its own command.
/// The error of a command that needs a host when none is configured.
pub fn no_host() -> Msg {
    msg!("no image host is configured yet; add one first")
}

/// The interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Language {
    /// Follow the system.
    #[default]
    #[serde(rename = "")]
    System,
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-CN", alias = "zh-cn")]
    ZhCn,
}

/// The interface theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

/// The app's default global shortcut (PicGo's since 2.5).
pub const DEFAULT_SHORTCUT: &str = "CommandOrControl+Shift+U";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Format of printed and copied links.
    pub link_format: LinkFormat,
    /// Template for the `custom` format ($url, $fileName, $extName).
    pub custom_link: String,
    /// Copy links to the clipboard after an upload (app; the CLI copies with --copy).
    pub auto_copy: bool,
    /// Show a desktop notification after an upload.
    pub notify: bool,
    /// Rename files before upload.
    pub rename: RenameMode,
    /// Pattern used when `rename` is `pattern`.
    pub rename_pattern: String,
    /// Remove location (GPS) and camera data (EXIF, XMP, IPTC, comments) from JPEG, PNG and
    /// WebP before upload, without re-encoding; a config's `strip_metadata` overrides it.
    pub strip_metadata: bool,
    /// Convert images before upload: `none`, `webp`, `avif`, `jpeg` or `png`.
    pub convert_to: crate::process::ConvertTo,
    /// Quality of lossy output (JPEG, WebP, AVIF) when an image is re-encoded, 1–100.
    pub quality: u8,
    /// Downscale images wider or taller than this (0: no limit), aspect kept.
    pub max_width: u32,
    pub max_height: u32,
    /// A file over the host's size limit is re-encoded (lower quality, then smaller) to fit.
    pub fit_host_limit: bool,
    /// Text drawn on every uploaded image (empty: none; images are then re-encoded).
    pub watermark_text: String,
    /// Where: `top-left`, `top-right`, `bottom-left`, `bottom-right` or `center`.
    pub watermark_position: crate::process::Position,
    /// How opaque the watermark is, 1–100.
    pub watermark_opacity: u8,
    /// A TrueType/OpenType font file for the watermark; empty: the bundled DejaVu Sans Bold.
    pub watermark_font: String,
    /// Largest size of the album's thumbnail cache, in MB (least recently shown go first).
    pub thumbnail_cache_mb: u32,
    /// Keep a local copy of the exact bytes each upload sent, one per SHA-256 in the data
    /// folder (so images whose every host died can still be moved).
    pub keep_originals: bool,
    /// Largest size of those copies, in MB (least recently uploaded go first).
    pub originals_cap_mb: u32,
    /// Seconds to wait for a host's answer.
    pub timeout_secs: u64,
    /// Attempts per upload, counting the first (timeouts, resets, 5xx and 429 are retried).
    pub retries: u32,
    /// Uploads running at once in a batch (per host).
    pub concurrency: u32,
    /// HTTP(S) proxy for uploads, e.g. `http://127.0.0.1:7890`; empty for none. A password in
    /// it is a secret (shown masked, kept in the keyring).
    pub proxy: String,
    /// Run the PicGo-compatible upload server (in the app).
    pub server_enabled: bool,
    /// Its port on 127.0.0.1 and ::1 (PicGo's is 36677).
    pub server_port: u16,
    /// When set, requests must carry it as `Authorization: Bearer …` or `X-PicGo-Secret: …`.
    /// A secret (shown masked, kept in the keyring).
    pub server_secret: String,
    /// Web origins allowed to call the server, comma-separated (e.g. `app://obsidian.md`); empty: none.
    pub server_allowed_origins: String,
    /// The server's `POST /delete` also deletes on the host (not only the album record), as
    /// when a request says `"deleteRemote": true`.
    pub server_delete_remote: bool,
    /// Global shortcut that uploads the clipboard image (app), in Tauri's accelerator syntax;
    /// empty: none.
    pub shortcut: String,
    /// Closing the window hides it to the tray (app); off: closing quits.
    pub close_to_tray: bool,
    /// Start the app at login (app).
    pub autostart: bool,
    /// Interface language: `en`, `zh-CN`, or empty to follow the system.
    pub language: Language,
    /// Interface theme: `system`, `light` or `dark`.
    pub theme: Theme,
    /// The storage config this computer syncs through (`pixdrop sync setup`); empty: off.
    pub sync_config: String,
    /// The folder of the sync in that storage.
    pub sync_path: String,
    /// The sync's passphrase, kept so later syncs need no prompt. A secret (shown masked, kept
    /// in the keyring).
    pub sync_passphrase: String,
    /// Sync by itself (app): at start, a little after each upload, delete or config change, and
    /// every 10 minutes.
    pub sync_auto: bool,
    /// Rules that rewrite a link before it is recorded and copied (PicGo's URL rewrite): the
    /// first enabled rule that matches wins ([`crate::url_rules`]).
    pub url_rewrite: Vec<crate::url_rules::UrlRule>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            link_format: LinkFormat::Markdown,
            custom_link: DEFAULT_CUSTOM_LINK.to_string(),
            auto_copy: true,
            notify: true,
            rename: RenameMode::None,
            rename_pattern: "{Y}{m}{d}{h}{i}{s}-{filename}".to_string(),
            strip_metadata: true,
            convert_to: crate::process::ConvertTo::None,
            quality: 82,
            max_width: 0,
            max_height: 0,
            fit_host_limit: true,
            watermark_text: String::new(),
            watermark_position: crate::process::Position::BottomRight,
            watermark_opacity: 60,
            watermark_font: String::new(),
            thumbnail_cache_mb: 500,
            keep_originals: false,
            originals_cap_mb: 2048,
            timeout_secs: 60,
            retries: 3,
            concurrency: 3,
            proxy: String::new(),
            server_enabled: true,
            server_port: 36677,
            server_secret: String::new(),
            server_allowed_origins: String::new(),
            server_delete_remote: false,
            shortcut: DEFAULT_SHORTCUT.to_string(),
            close_to_tray: true,
            autostart: false,
            language: Language::System,
            theme: Theme::System,
            sync_config: String::new(),
            sync_path: DEFAULT_SYNC_PATH.to_string(),
            sync_passphrase: String::new(),
            sync_auto: true,
            url_rewrite: Vec::new(),
            extra: Map::new(),
        }
    }
}

impl Settings {
    /// The known keys, in the order they are listed.
    pub fn keys() -> Vec<String> {
        match serde_json::to_value(Settings::default()) {
            Ok(Value::Object(m)) => m.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// The keys that sync between a person's computers (all but [`MACHINE_SETTINGS`]).
    pub fn synced_keys() -> Vec<String> {
        Self::keys()
            .into_iter()
            .filter(|k| !MACHINE_SETTINGS.contains(&k.as_str()))
            .collect()
    }

    pub fn validate(&self) -> Result<()> {
        let ranges: [(&str, u64, u64, u64, &str); 7] = [
            ("timeout_secs", self.timeout_secs, 1, 600, " seconds"),
            ("retries", u64::from(self.retries), 1, 10, " attempts"),
            ("concurrency", u64::from(self.concurrency), 1, 16, ""),
            ("quality", u64::from(self.quality), 1, 100, ""),
            (
                "watermark_opacity",
                u64::from(self.watermark_opacity),
                1,
                100,
                "",
            ),
            (
                "thumbnail_cache_mb",
                u64::from(self.thumbnail_cache_mb),
                10,
                100_000,
                " MB",
            ),
            (
                "originals_cap_mb",
                u64::from(self.originals_cap_mb),
                10,
                1_000_000,
                " MB",
            ),
        ];
        for (key, value, low, high, unit) in ranges {
            if !(low..=high).contains(&value) {
                return Err(Error::Input(msg!(
                    "{key} must be {low}–{high}{unit}, not {value}"
                )));
            }
        }
        if let Some(w) = self.watermark() {
            crate::process::check_watermark(&w)?;
        }
        if self.rename == RenameMode::Pattern {
            crate::rename::check_pattern(&self.rename_pattern)?;
        }
        if self.server_port == 0 {
            return Err(Error::Input(msg!("server_port must be 1–65535, not 0")));
        }
        for origin in self.allowed_origins() {
            // Exactly an origin: scheme://host[:port], nothing after it.
            let ok = url::Url::parse(&origin)
                .map(|u| {
                    let bare =
                        u.query().is_none() && u.fragment().is_none() && u.host_str().is_some();
                    bare && (u.origin().ascii_serialization() == origin
                        || (!u.origin().is_tuple() && u.path().is_empty()))
                })
                .unwrap_or(false);
            if !ok {
                return Err(Error::Input(msg!(
                    "server_allowed_origins: {origin:?} is not an origin like app://obsidian.md or https://example.com (no path, no wildcard)"
                )));
            }
        }
        crate::shortcut::check(&self.shortcut)?;
        // URL rewrite rules are checked when one is added or turned on (`url_rules::Edit`), not
        // here: one edited in by hand must not stop every other change from being saved.
        // A proxy the keyring cannot give now (a placeholder) was checked when it was set.
        if !self.proxy.is_empty() && !self.proxy.starts_with(UNREADABLE_SECRET) {
            let shown = mask_password(&self.proxy);
            let u = url::Url::parse(&self.proxy)
                .map_err(|e| Error::Input(msg!("proxy {shown:?} is not a URL: {e}")))?;
            if !matches!(u.scheme(), "http" | "https" | "socks5" | "socks5h") {
                return Err(Error::Input(msg!(
                    "proxy must be http://, https:// or socks5://, not {shown:?}"
                )));
            }
        }
        Ok(())
    }

    /// The proxy to send through; refused in words when it is kept in the system keyring and
    /// the keyring cannot give it now.
    pub fn usable_proxy(&self) -> Result<&str> {
        if self.proxy.starts_with(UNREADABLE_SECRET) {
            return Err(Error::Config(
                msg!("the setting proxy (it holds a password) is kept in the system keyring, which cannot give it now (it is locked or not running in this session, or the item was removed there); unlock the keyring, or set it again in Settings or with: pixdrop settings set proxy …"),
            ));
        }
        Ok(&self.proxy)
    }

    /// The text a secret setting is shown as: the server's secret masked, the proxy with its
    /// password masked; other settings as they are.
    fn shown_text(key: &str, text: &str) -> String {
        match key {
            "server_secret" => mask(text),
            // Not even the tail of a passphrase is shown.
            "sync_passphrase" if !text.is_empty() => "••••••••".to_string(),
            "proxy" => mask_password(text),
            _ => text.to_string(),
        }
    }

    /// A copy fit to show: secrets masked (see [`SECRET_SETTINGS`]).
    pub fn masked(&self) -> Settings {
        let mut s = self.clone();
        s.server_secret = Self::shown_text("server_secret", &s.server_secret);
        s.proxy = Self::shown_text("proxy", &s.proxy);
        s.sync_passphrase = Self::shown_text("sync_passphrase", &s.sync_passphrase);
        s
    }

    /// The secret settings that hold a secret now (a proxy without a password holds none), as
    /// the keyring code takes them.
    fn secrets(&self) -> HostConfig {
        crate::secrets::settings_config(
            [
                ("proxy", self.proxy.as_str()),
                ("server_secret", self.server_secret.as_str()),
                ("sync_passphrase", self.sync_passphrase.as_str()),
            ]
            .into_iter()
            .filter(|(key, text)| Self::shown_text(key, text) != *text),
        )
    }

    /// Put back the texts of [`Settings::secrets`] (resolved, or references).
    fn set_secrets(&mut self, secrets: &HostConfig) {
        for (key, text) in crate::secrets::settings_texts(secrets) {
            match key.as_str() {
                "proxy" => self.proxy = text,
                "server_secret" => self.server_secret = text,
                "sync_passphrase" => self.sync_passphrase = text,
                _ => {}
            }
        }
    }

    /// What the prepare stage does with these settings; `host_limit` is the host's size limit
    /// (made to fit when `fit_host_limit` is on).
    pub fn process_options(&self, host_limit: Option<u64>) -> crate::process::Options {
        crate::process::Options {
            strip_metadata: self.strip_metadata,
            convert_to: self.convert_to,
            quality: self.quality,
            max_width: self.max_width,
            max_height: self.max_height,
            fit_limit: host_limit.filter(|_| self.fit_host_limit),
            watermark: self.watermark(),
        }
    }

    /// The cap of the local copies of what was sent, in bytes.
    pub fn originals_cap(&self) -> u64 {
        u64::from(self.originals_cap_mb) * 1024 * 1024
    }

    /// The thumbnail cache's cap in bytes.
    pub fn thumbnail_cap(&self) -> u64 {
        u64::from(self.thumbnail_cache_mb) * 1024 * 1024
    }

    /// The watermark to draw, when there is text.
    pub fn watermark(&self) -> Option<crate::process::Watermark> {
        (!self.watermark_text.trim().is_empty()).then(|| crate::process::Watermark {
            text: self.watermark_text.clone(),
            position: self.watermark_position,
            opacity: self.watermark_opacity,
            font: self.watermark_font.clone(),
        })
    }

    /// These settings with a config's own image settings in place of the global ones (the
    /// [`PER_CONFIG`] keys it sets; blank ones follow the global setting).
    pub fn for_config(&self, cfg: &HostConfig) -> Result<Settings> {
        let mut s = self.clone();
        for key in PER_CONFIG {
            let value = cfg.get_str(key);
            if !value.trim().is_empty() {
                s.set(key, &value)
                    .map_err(|e| Error::Input(msg!("the config {:?}: {e}", cfg.name)))?;
            }
        }
        Ok(s)
    }

    /// The origins in `server_allowed_origins`.
    pub fn allowed_origins(&self) -> Vec<String> {
        self.server_allowed_origins
            .split([',', ' ', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// One setting as JSON.
    pub fn get(&self, key: &str) -> Result<Value> {
        let v =
            serde_json::to_value(self).map_err(|e| Error::Storage(Msg::plain(e.to_string())))?;
        v.get(key).cloned().ok_or_else(|| unknown_setting(key))
    }

    /// Set one setting from text, checking its type and range. `value` is parsed as the type
    /// of the setting: `true/false/on/off/yes/no/1/0` for switches, digits for numbers.
    /// A secret typed as it is shown (masked) keeps the stored one, as host configs' secrets do.
    pub fn set(&mut self, key: &str, value: &str) -> Result<()> {
        let obj = match serde_json::to_value(&*self) {
            Ok(Value::Object(m)) => m,
            _ => return Err(Error::Storage(msg!("settings are not an object"))),
        };
        let current = obj.get(key).ok_or_else(|| unknown_setting(key))?;
        if SET_BY_SYNC.contains(&key) {
            return Err(Error::Input(msg!(
                "{key} is set when sync is set up on this computer, together with what the storage holds: use pixdrop sync setup NAME [--path P], sync passphrase or sync off (in the app: Settings → Sync)"
            )));
        }
        if current.is_array() {
            return Err(Error::Input(msg!(
                "{key} is a list of rules: use pixdrop url-rewrite add, remove, enable or disable (in the app: Settings → Rewrite links)"
            )));
        }
        let stored = current.as_str().unwrap_or_default();
        let value = if SECRET_SETTINGS.contains(&key) && value == Self::shown_text(key, stored) {
            stored
        } else {
            value
        };
        let new =
            match current {
                Value::Bool(_) => Value::Bool(parse_bool(value).ok_or_else(|| {
                    Error::Input(msg!("{key} is a switch: use true or false, not {value:?}"))
                })?),
                Value::Number(_) => {
                    Value::Number(value.trim().parse::<u64>().map(Into::into).map_err(|_| {
                        Error::Input(msg!("{key} is a whole number, not {value:?}"))
                    })?)
                }
                _ => Value::String(value.to_string()),
            };
        let with = |v: Value| {
            let mut obj = obj.clone();
            obj.insert(key.to_string(), v);
            serde_json::from_value::<Settings>(Value::Object(obj))
        };
        // Choices are taken in any case (`HTML`, `Dark`, `ZH-CN`).
        let parsed = match with(new.clone()) {
            Ok(p) => p,
            Err(_) if new.is_string() => {
                with(Value::String(value.trim().to_lowercase())).map_err(|_| {
                    let hint = match key {
                        "link_format" => "markdown, html, url, ubb or custom",
                        "rename" => "none, timestamp or pattern",
                        "theme" => "system, light or dark",
                        "language" => "en, zh-CN, or empty to follow the system",
                        "convert_to" => "none, webp, avif, jpeg or png",
                        "watermark_position" => {
                            "top-left, top-right, bottom-left, bottom-right or center"
                        }
                        _ => "another value",
                    };
                    Error::Input(msg!("{key} cannot be {value:?}; use {hint}"))
                })?
            }
            Err(_) => {
                return Err(Error::Input(match key {
                    "server_port" => msg!("server_port must be 1–65535, not {value:?}"),
                    "quality" | "watermark_opacity" => {
                        msg!("{key} must be 1–100, not {value:?}")
                    }
                    _ => msg!("{key} cannot be {value:?}"),
                }))
            }
        };
        parsed.validate()?;
        *self = parsed;
        Ok(())
    }
}

/// The settings that are secrets, or hold one (the proxy's password): shown masked, kept where
/// host configs' secrets are (the system keyring when one runs).
pub const SECRET_SETTINGS: [&str; 3] = ["proxy", "server_secret", "sync_passphrase"];

/// The settings that belong to one computer and do not sync: its keys, its window, its local
/// server, its network, its language and theme, its sync, and file paths. Every other setting
/// (how the person works: link format, rename, image processing, limits) syncs.
pub const MACHINE_SETTINGS: [&str; 16] = [
    "shortcut",
    "autostart",
    "close_to_tray",
    "server_enabled",
    "server_port",
    "server_secret",
    "server_allowed_origins",
    "server_delete_remote",
    "proxy",
    "language",
    "theme",
    "watermark_font",
    "sync_config",
    "sync_path",
    "sync_passphrase",
    "sync_auto",
];

/// The settings only `sync setup`, `sync passphrase` and `sync off` change (each must agree
/// with what the storage and the album hold).
pub const SET_BY_SYNC: [&str; 3] = ["sync_config", "sync_path", "sync_passphrase"];

/// The sync's folder in its storage when none is given.
pub const DEFAULT_SYNC_PATH: &str = "pixdrop-sync";

/// The image settings a config can set for itself (blank: the global setting).
pub const PER_CONFIG: [&str; 7] = [
    crate::host_config::STRIP_METADATA,
    "convert_to",
    "quality",
    "max_width",
    "max_height",
    "fit_host_limit",
    "watermark_text",
];

fn unknown_setting(key: &str) -> Error {
    Error::Input(msg!(
        "unknown setting {key:?}; known settings: {}",
        Settings::keys().join(", ")
    ))
}

impl Config {
    pub fn host(&self, name: &str) -> Option<&HostConfig> {
        self.hosts.iter().find(|h| h.name == name)
    }

    fn host_mut(&mut self, name: &str) -> Result<&mut HostConfig> {
        self.hosts
            .iter_mut()
            .find(|h| h.name == name)
            .ok_or_else(|| no_such_host(name))
    }

    /// The config named `name`, or the default one when `name` is `None`. With no config at all
    /// the error is [`no_host`] (kind `config`): each shell says where to add one.
    pub fn pick_host(&self, name: Option<&str>) -> Result<&HostConfig> {
        match name {
            Some(n) => self.host(n).ok_or_else(|| self.no_such_host_hint(n)),
            None => {
                let n = self
                    .default_host
                    .as_deref()
                    .ok_or_else(|| Error::Config(no_host()))?;
                self.host(n).ok_or_else(|| self.no_such_host_hint(n))
            }
        }
    }

    fn no_such_host_hint(&self, name: &str) -> Error {
        let known: Vec<&str> = self.hosts.iter().map(|h| h.name.as_str()).collect();
        if known.is_empty() {
            Error::NotFound(msg!(
                "there is no host config named {name:?}; none are configured yet"
            ))
        } else {
            Error::NotFound(msg!(
                "there is no host config named {name:?}; configured: {}",
                known.join(", ")
            ))
        }
    }

    /// Add a named config. Names are unique across all kinds. The first config becomes the default.
    pub fn add_host(&mut self, host: HostConfig, make_default: bool) -> Result<()> {
        check_name(&host.name)?;
        if self.host(&host.name).is_some() {
            return Err(Error::Input(msg!(
                "a host config named {:?} already exists",
                host.name
            )));
        }
        hosts::validate(&host)?;
        self.check_mirrors(&host)?;
        self.settings.for_config(&host)?;
        let name = host.name.clone();
        self.hosts.push(host);
        if make_default || self.default_host.is_none() {
            self.default_host = Some(name);
        }
        Ok(())
    }

    /// Change settings of a config; `None` removes a key. The result must still be valid.
    pub fn set_host_values(
        &mut self,
        name: &str,
        values: Vec<(String, Option<Value>)>,
    ) -> Result<()> {
        let mut changed = self.host_mut(name)?.clone();
        for (k, v) in values {
            match v {
                Some(v) => changed.settings.insert(k, v),
                None => changed.settings.remove(&k),
            };
        }
        hosts::validate(&changed)?;
        self.check_mirrors(&changed)?;
        self.settings.for_config(&changed)?;
        *self.host_mut(name)? = changed;
        Ok(())
    }

    /// Every mirror `host` names is another config that exists.
    fn check_mirrors(&self, host: &HostConfig) -> Result<()> {
        for m in host.mirrors() {
            if m == host.name {
                return Err(Error::Input(msg!(
                    "mirrors: {m:?} cannot be its own mirror"
                )));
            }
            if self.host(&m).is_none() {
                return Err(Error::Input(msg!(
                    "mirrors: there is no host config named {m:?} (add it first)"
                )));
            }
        }
        Ok(())
    }

    /// The configs that name `name` among their mirrors.
    pub fn mirrored_by(&self, name: &str) -> Vec<String> {
        self.hosts
            .iter()
            .filter(|h| h.mirrors().iter().any(|m| m == name))
            .map(|h| h.name.clone())
            .collect()
    }

    /// Where a config named `from` is a mirror, name `to` instead (`None`: leave it out).
    fn rename_mirror(&mut self, from: &str, to: Option<&str>) {
        for h in &mut self.hosts {
            let mirrors = h.mirrors();
            if mirrors.iter().any(|m| m == from) {
                let renamed = mirrors
                    .into_iter()
                    .filter_map(|m| {
                        if m == from {
                            to.map(str::to_string)
                        } else {
                            Some(m)
                        }
                    })
                    .collect();
                h.set_mirrors(renamed);
            }
        }
    }

    pub fn replace_host(&mut self, name: &str, new: HostConfig) -> Result<()> {
        check_name(&new.name)?;
        if new.name != name && self.host(&new.name).is_some() {
            return Err(Error::Input(msg!(
                "a host config named {:?} already exists",
                new.name
            )));
        }
        hosts::validate(&new)?;
        let new_name = new.name.clone();
        *self.host_mut(name)? = new;
        if new_name != name {
            self.rename_mirror(name, Some(&new_name));
        }
        let new = self
            .host(&new_name)
            .cloned()
            .ok_or_else(|| no_such_host(&new_name))?;
        self.check_mirrors(&new)?;
        if self.default_host.as_deref() == Some(name) {
            self.default_host = Some(new_name.clone());
        }
        // The sync goes on through the renamed config.
        if self.settings.sync_config == name {
            self.settings.sync_config = new_name;
        }
        Ok(())
    }

    pub fn remove_host(&mut self, name: &str) -> Result<HostConfig> {
        if self.settings.sync_config == name {
            return Err(Error::Input(msg!(
                "the config {name:?} is where this computer syncs; run pixdrop sync off first"
            )));
        }
        let i = self
            .hosts
            .iter()
            .position(|h| h.name == name)
            .ok_or_else(|| no_such_host(name))?;
        let removed = self.hosts.remove(i);
        self.rename_mirror(name, None);
        if self.default_host.as_deref() == Some(name) {
            self.default_host = self.hosts.first().map(|h| h.name.clone());
        }
        Ok(removed)
    }

    pub fn set_default(&mut self, name: &str) -> Result<()> {
        self.host_mut(name)?;
        self.default_host = Some(name.to_string());
        Ok(())
    }
}

fn no_such_host(name: &str) -> Error {
    Error::NotFound(msg!("there is no host config named {name:?}"))
}

fn check_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::Input(msg!("a host config needs a name")));
    }
    if name.len() > 64 || name.chars().any(|c| c.is_control()) || name != name.trim() {
        return Err(Error::Input(msg!(
            "{name:?} is not a usable config name (1–64 characters, no control characters or outer spaces)"
        )));
    }
    Ok(())
}

/// Everything in `config` that holds secrets, as the keyring code takes it: the host configs,
/// then the settings' secrets (see [`crate::secrets::settings_config`]).
fn secret_holders(config: &Config) -> Vec<HostConfig> {
    let mut all = config.hosts.clone();
    all.push(config.settings.secrets());
    all
}

/// Put [`secret_holders`] (changed: resolved, placeheld or stashed) back into `config`.
fn set_secret_holders(config: &mut Config, mut all: Vec<HostConfig>) {
    if let Some(settings) = all.pop() {
        config.settings.set_secrets(&settings);
    }
    config.hosts = all;
}

/// Reads and writes `config.json`; secrets (host configs', the settings' [`SECRET_SETTINGS`])
/// go where [`Secrets`] says.
#[derive(Debug, Clone)]
pub struct ConfigStore {
    path: PathBuf,
    secrets: Arc<Secrets>,
}

impl ConfigStore {
    /// A store keeping secrets in the file itself.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        ConfigStore {
            path: path.into(),
            secrets: Arc::new(Secrets::File),
        }
    }

    /// A store keeping secrets in the system keyring when one is running (see
    /// [`Secrets::detect`]), else in the file.
    pub fn open(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let secrets = Arc::new(Secrets::detect(&path));
        ConfigStore { path, secrets }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where new secrets are kept.
    pub fn secret_store(&self) -> Location {
        self.secrets.location()
    }

    /// Where each secret of config `name` is kept now, by slot (`token`, `headers/Authorization`).
    pub fn secret_locations(&self, name: &str) -> Result<Vec<(String, Location)>> {
        let config = self.load_stored()?;
        Ok(config
            .host(name)
            .map(crate::secrets::locations)
            .unwrap_or_default())
    }

    /// Move secrets still in the file to the keyring (when one is running), and remove keyring
    /// items of this file that nothing refers to (left by an interrupted change). Returns how
    /// many secrets moved. Each secret is written and read back before the file drops it.
    pub fn move_secrets_to_keyring(&self) -> Result<usize> {
        if self.secrets.location() != Location::Keyring {
            return Ok(0);
        }
        let stored = secret_holders(&self.load_stored()?);
        if crate::secrets::any_in_file(&stored) {
            let moved = stored
                .iter()
                .flat_map(crate::secrets::locations)
                .filter(|(_, at)| *at == Location::File)
                .count();
            self.update(|_| Ok(()))?;
            return Ok(moved);
        }
        let _lock = self.lock()?;
        self.secrets.sweep(&secret_holders(&self.load_stored()?))?;
        Ok(0)
    }

    /// The current config; defaults when the file does not exist yet. Secrets the keyring cannot
    /// give now (locked, not running, an item removed there) stand as placeholders: settings,
    /// lists and masked forms work, and a host built from such a config is refused in words.
    pub fn load(&self) -> Result<Config> {
        Ok(self.with_secrets(&self.load_stored()?).0)
    }

    /// `stored` with its secrets resolved, or, when the keyring cannot give them, with
    /// placeholders and the reason.
    fn with_secrets(&self, stored: &Config) -> (Config, Option<Error>) {
        let mut config = stored.clone();
        let mut holders = secret_holders(stored);
        let unresolved = match self.secrets.resolve(&mut holders) {
            Ok(()) => None,
            Err(e) => {
                holders = secret_holders(stored);
                crate::secrets::placehold(&mut holders);
                Some(e)
            }
        };
        set_secret_holders(&mut config, holders);
        (config, unresolved)
    }

    /// The configs' names, as the file holds them, without asking the keyring for anything (for
    /// shell completion, which runs at every Tab).
    pub fn names(&self) -> Result<Vec<String>> {
        Ok(self
            .load_stored()?
            .hosts
            .into_iter()
            .map(|h| h.name)
            .collect())
    }

    /// The current config with every secret in clear (to show one on request); fails when the
    /// keyring cannot give one, saying why.
    pub fn load_revealed(&self) -> Result<Config> {
        let mut config = self.load_stored()?;
        let mut holders = secret_holders(&config);
        self.secrets.resolve(&mut holders)?;
        set_secret_holders(&mut config, holders);
        Ok(config)
    }

    /// The config as the file holds it: secrets kept in the keyring are references.
    fn load_stored(&self) -> Result<Config> {
        let bytes = match std::fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(Error::io(msg!("reading {}", self.path.display()), e)),
        };
        let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
            Error::Config(msg!(
                "{} is not valid JSON (line {}, column {}): {e}. Fix it or move it away; Pixdrop will not overwrite it.",
                self.path.display(),
                e.line(),
                e.column()
            ))
        })?;
        let schema = value.get("schema").and_then(Value::as_u64).unwrap_or(0) as u32;
        let mut value = migrate(value, schema)?;
        if let Some(settings) = value.get_mut("settings") {
            crate::secrets::settings_in_file(settings, false);
        }
        serde_json::from_value(value).map_err(|e| {
            Error::Config(msg!("{} has an unexpected shape: {e}", self.path.display()))
        })
    }

    /// Change the URL rewrite rules (`settings.url_rewrite`) and save them; the rules as saved.
    pub fn change_url_rules(
        &self,
        edit: crate::url_rules::Edit,
    ) -> Result<Vec<crate::url_rules::UrlRule>> {
        self.update(|c| {
            edit.apply(&mut c.settings.url_rewrite)?;
            Ok(c.settings.url_rewrite.clone())
        })
    }

    /// Load, change and save under an exclusive lock. If `f` fails nothing is written.
    pub fn update<R>(&self, f: impl FnOnce(&mut Config) -> Result<R>) -> Result<R> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io(msg!("creating {}", dir.display()), e))?;
        }
        let lock = self.lock()?;
        let stored = self.load_stored()?;
        // A keyring that cannot be reached (locked, not running) does not block changes that
        // leave the secrets alone: they stay references (see `secrets::placehold`).
        let (mut config, unresolved) = self.with_secrets(&stored);
        if config.schema > SCHEMA_VERSION {
            return Err(Error::Config(msg!(
                "{} was written by a newer Pixdrop (schema {}, this one knows {SCHEMA_VERSION}); update Pixdrop to change it",
                self.path.display(),
                config.schema
            )));
        }
        let out = f(&mut config)?;
        let mut holders = secret_holders(&config);
        if let Some(e) = unresolved {
            if !crate::secrets::placeholders_unshared(&holders) {
                return Err(e);
            }
        }
        config.schema = SCHEMA_VERSION;
        config.settings.validate()?;
        // Secrets first (each written and read back), then the file that refers to them, then
        // the removal of what only the old file used.
        let before = secret_holders(&stored);
        let created = self.secrets.stash(&mut holders, &before)?;
        set_secret_holders(&mut config, holders);
        let written = serde_json::to_value(&config)
            .and_then(|mut value| {
                if let Some(settings) = value.get_mut("settings") {
                    crate::secrets::settings_in_file(settings, true);
                }
                serde_json::to_vec_pretty(&value)
            })
            .map_err(|e| Error::Storage(Msg::plain(e.to_string())))
            .and_then(|mut bytes| {
                bytes.push(b'\n');
                write_atomic(&self.path, &bytes)
            });
        if let Err(e) = written {
            self.secrets.discard(&created);
            return Err(e);
        }
        self.secrets.release(&before, &secret_holders(&config));
        drop(lock);
        Ok(out)
    }

    fn lock(&self) -> Result<File> {
        let lock_path = self.path.with_extension("lock");
        let f = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::io(msg!("opening {}", lock_path.display()), e))?;
        f.lock()
            .map_err(|e| Error::io(msg!("locking {}", lock_path.display()), e))?;
        Ok(f)
    }
}

/// Bring an older file up to [`SCHEMA_VERSION`]. Schema 0 is a file without a version (hand-written).
fn migrate(mut value: Value, schema: u32) -> Result<Value> {
    if !value.is_object() {
        return Err(Error::Config(msg!("config.json must hold a JSON object")));
    }
    if schema == 0 {
        value["schema"] = Value::from(1);
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smms(name: &str) -> HostConfig {
        HostConfig {
            name: name.into(),
            kind: "smms".into(),
            settings: [("token".to_string(), Value::from("t0ken"))].into(),
        }
    }

    #[test]
    fn missing_file_gives_defaults_and_update_writes_schema() {
        let dir = tempfile::tempdir().unwrap();
        let store = ConfigStore::new(dir.path().join("config.json"));
        assert_eq!(store.load().unwrap(), Config::default());
        store.update(|c| c.add_host(smms("a"), false)).unwrap();
        let raw: Value = serde_json::from_slice(&std::fs::read(store.path()).unwrap()).unwrap();
        assert_eq!(raw["schema"], 1);
        assert_eq!(raw["default_host"], "a");
        assert_eq!(store.load().unwrap().hosts.len(), 1);
    }

    #[test]
    fn names_are_unique_across_kinds_and_default_moves_on_remove() {
        let mut c = Config::default();
        c.add_host(smms("a"), false).unwrap();
        c.add_host(smms("b"), false).unwrap();
        assert!(c
            .add_host(smms("a"), false)
            .unwrap_err()
            .to_string()
            .contains("already exists"));
        assert_eq!(c.default_host.as_deref(), Some("a"));
        c.set_default("b").unwrap();
        c.remove_host("b").unwrap();
        assert_eq!(c.default_host.as_deref(), Some("a"));
        assert!(c.set_default("zzz").is_err());
    }

    #[test]
    fn failed_update_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = ConfigStore::new(dir.path().join("config.json"));
        store.update(|c| c.add_host(smms("a"), false)).unwrap();
        let before = std::fs::read(store.path()).unwrap();
        let err = store.update(|c| c.add_host(smms("a"), false)).unwrap_err();
        assert!(err.to_string().contains("already exists"));
        assert_eq!(std::fs::read(store.path()).unwrap(), before);
    }

    #[test]
    fn broken_file_is_reported_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.json");
        std::fs::write(&p, "{\n  \"schema\": 1,\n  oops\n}").unwrap();
        let store = ConfigStore::new(&p);
        let err = store
            .update(|c| c.set_default("x"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 3"), "{err}");
        assert!(std::fs::read_to_string(&p).unwrap().contains("oops"));
    }

    #[test]
    fn newer_schema_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.json");
        std::fs::write(&p, r#"{"schema": 99, "future": true}"#).unwrap();
        let store = ConfigStore::new(&p);
        assert!(store.load().unwrap().extra.contains_key("future"));
        let err = store.update(|_| Ok(())).unwrap_err().to_string();
        assert!(err.contains("newer Pixdrop"), "{err}");
    }

    #[test]
    fn unknown_keys_survive_a_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.json");
        std::fs::write(
            &p,
            r#"{"schema": 1, "plugin": {"x": 1}, "settings": {"later_setting": "v"}}"#,
        )
        .unwrap();
        let store = ConfigStore::new(&p);
        store.update(|c| c.settings.set("notify", "off")).unwrap();
        let raw: Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
        assert_eq!(raw["plugin"]["x"], 1);
        assert_eq!(raw["settings"]["later_setting"], "v");
        assert_eq!(raw["settings"]["notify"], false);
    }

    #[test]
    fn settings_are_typed() {
        let mut s = Settings::default();
        s.set("link_format", "html").unwrap();
        assert_eq!(s.link_format, LinkFormat::Html);
        s.set("auto_copy", "no").unwrap();
        assert!(!s.auto_copy);
        s.set("concurrency", "8").unwrap();
        assert_eq!(s.concurrency, 8);
        let e = s.set("link_format", "rtf").unwrap_err().to_string();
        assert!(e.contains("link_format") && e.contains("markdown"), "{e}");
        let e = s.set("auto_copy", "maybe").unwrap_err().to_string();
        assert!(e.contains("switch"), "{e}");
        let e = s.set("concurrency", "0").unwrap_err().to_string();
        assert!(e.contains("1–16"), "{e}");
        let e = s.set("colour", "red").unwrap_err().to_string();
        assert!(
            e.contains("unknown setting") && e.contains("link_format"),
            "{e}"
        );
        let e = s.set("proxy", "not a url").unwrap_err().to_string();
        assert!(e.contains("proxy"), "{e}");
        assert_eq!(s.concurrency, 8, "a refused value changes nothing");
    }

    #[test]
    fn app_settings_are_checked() {
        let mut s = Settings::default();
        assert_eq!(s.shortcut, "CommandOrControl+Shift+U");
        assert_eq!(s.theme, Theme::System);
        s.set("theme", "dark").unwrap();
        s.set("language", "zh-CN").unwrap();
        s.set("shortcut", "").unwrap();
        s.set("close_to_tray", "off").unwrap();
        assert!(!s.close_to_tray);
        let e = s.set("theme", "blue").unwrap_err().to_string();
        assert!(e.contains("theme") && e.contains("dark"), "{e}");
        let e = s.set("language", "fr").unwrap_err().to_string();
        assert!(e.contains("language") && e.contains("zh-CN"), "{e}");
        let e = s.set("shortcut", "Ctrl + U").unwrap_err().to_string();
        assert!(e.contains("shortcut"), "{e}");
        assert_eq!((s.theme, s.language), (Theme::Dark, Language::ZhCn));
        // Choices in any case; the saved value is the canonical one.
        s.set("link_format", "HTML").unwrap();
        s.set("theme", "Light").unwrap();
        s.set("language", "ZH-cn").unwrap();
        s.set("rename", "Timestamp").unwrap();
        assert_eq!(s.get("link_format").unwrap(), "html");
        assert_eq!(s.get("language").unwrap(), "zh-CN");
        assert_eq!((s.theme, s.rename), (Theme::Light, RenameMode::Timestamp));
        let e = s.set("link_format", "bbcode").unwrap_err().to_string();
        assert_eq!(
            e,
            "link_format cannot be \"bbcode\"; use markdown, html, url, ubb or custom"
        );
        // A shortcut is checked as the app checks it, and the reason given.
        let e = s.set("shortcut", "foo").unwrap_err().to_string();
        assert!(e.contains("\"foo\" is not a key"), "{e}");
        assert_eq!(s.shortcut, "", "the refused value is not kept");
        // The port is a port.
        let e = s.set("server_port", "70000").unwrap_err().to_string();
        assert_eq!(e, "server_port must be 1–65535, not \"70000\"");
        assert!(s.set("server_port", "0").is_err());
        s.set("server_port", "36678").unwrap();
        assert_eq!(s.server_port, 36678);
    }

    #[test]
    fn allowed_origins_are_bare_origins() {
        let mut s = Settings::default();
        s.set(
            "server_allowed_origins",
            "app://obsidian.md, https://example.com:8443",
        )
        .unwrap();
        assert_eq!(
            s.allowed_origins(),
            ["app://obsidian.md", "https://example.com:8443"]
        );
        for bad in [
            "https://example.com/",
            "https://example.com/x",
            "*",
            "example.com",
            "app://obsidian.md/x",
        ] {
            assert!(s.set("server_allowed_origins", bad).is_err(), "{bad}");
        }
        assert!(s.set("server_port", "70000").is_err());
    }

    #[test]
    fn secret_settings_are_masked_and_kept_when_typed_back() {
        let mut s = Settings::default();
        s.set("proxy", "http://me:pa55@127.0.0.1:7890").unwrap();
        s.set("server_secret", "a-long-server-secret").unwrap();
        let shown = s.masked();
        assert_eq!(shown.proxy, "http://me:••••••••@127.0.0.1:7890");
        assert_eq!(shown.server_secret, "••••••••cret");
        s.set("proxy", &shown.proxy).unwrap();
        s.set("server_secret", &shown.server_secret).unwrap();
        assert_eq!(s.proxy, "http://me:pa55@127.0.0.1:7890");
        assert_eq!(s.server_secret, "a-long-server-secret");
        let e = s.set("proxy", "ftp://me:pa55@x").unwrap_err().to_string();
        assert!(e.contains("proxy must be") && !e.contains("pa55"), "{e}");
        // Only a proxy with a password holds a secret.
        assert_eq!(s.secrets().settings.len(), 2);
        s.set("proxy", "http://127.0.0.1:7890").unwrap();
        assert_eq!(s.secrets().settings.len(), 1);
    }

    #[test]
    fn secret_settings_the_keyring_cannot_give_stay_references() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.json");
        std::fs::write(
            &p,
            r#"{"schema": 1, "settings": {"proxy": {"$keyring": "id-1"}, "server_secret": {"$keyring": "id-2"}}}"#,
        )
        .unwrap();
        let store = ConfigStore::new(&p);
        let s = store.load().unwrap().settings;
        assert_eq!(s.masked().proxy, "••••••••");
        let e = s.usable_proxy().unwrap_err().to_string();
        assert!(e.contains("proxy") && e.contains("keyring"), "{e}");
        let e = store.load_revealed().unwrap_err().to_string();
        assert!(
            e.contains("the setting proxy is kept in the system keyring"),
            "{e}"
        );
        // Other changes are made; the references stay.
        store.update(|c| c.settings.set("notify", "off")).unwrap();
        let raw: Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
        assert_eq!(raw["settings"]["proxy"]["$keyring"], "id-1");
        assert_eq!(raw["settings"]["server_secret"]["$keyring"], "id-2");
        assert_eq!(raw["settings"]["notify"], false);
    }

    #[test]
    fn masking() {
        assert_eq!(mask(""), "");
        assert_eq!(mask("short"), "••••••••");
        assert_eq!(mask("abcdefghijklmnop"), "••••••••mnop");
    }
}
