//! A named host config as it is stored, and the small text helpers every layer shares. It
//! depends on nothing else in the engine, so the host kinds (which read configs) and the config
//! store (which asks the host kinds to check configs) both build on it without depending on
//! each other.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One named configuration of a host kind (`smms`, `custom`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostConfig {
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub settings: BTreeMap<String, Value>,
}

/// What stands in a loaded config for a secret the system keyring holds but could not give
/// (locked, not running, the item removed there): text no real secret starts with. Forms show
/// it masked and saving keeps it as the keyring reference it stands for; building a host from
/// it is refused in words (`hosts::build`).
pub const UNREADABLE_SECRET: &str = "\u{1}pixdrop-keyring:";

/// The first setting of `cfg` (a key, or `key/name` inside a JSON setting) that is a secret the
/// keyring could not give.
pub fn unreadable_secret(cfg: &HostConfig) -> Option<String> {
    let unreadable = |v: &Value| v.as_str().is_some_and(|s| s.starts_with(UNREADABLE_SECRET));
    cfg.settings.iter().find_map(|(k, v)| match v {
        Value::Object(m) => m
            .iter()
            .find(|(_, v)| unreadable(v))
            .map(|(name, _)| format!("{k}/{name}")),
        v if unreadable(v) => Some(k.clone()),
        _ => None,
    })
}

/// `text` as one word for a POSIX shell (in messages that suggest a command): as it is when
/// that is safe, else in single quotes.
pub fn shell_word(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.,:@%+=/".contains(c))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// The setting of every config that names the configs an upload also goes to.
pub const MIRRORS: &str = "mirrors";
/// The setting of every config that overrides the global `strip_metadata` (`on`, `off`); the
/// other image settings a config may set are listed in `config::PER_CONFIG`.
pub const STRIP_METADATA: &str = "strip_metadata";

impl HostConfig {
    /// The configs an upload with this one also goes to, in order (`mirrors`: a list of names,
    /// or their text separated by commas).
    pub fn mirrors(&self) -> Vec<String> {
        match self.settings.get(MIRRORS) {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            Some(Value::String(s)) => split_names(s),
            _ => Vec::new(),
        }
    }

    /// Replace the mirrors; none removes the setting.
    pub fn set_mirrors(&mut self, names: Vec<String>) {
        if names.is_empty() {
            self.settings.remove(MIRRORS);
        } else {
            self.settings.insert(
                MIRRORS.to_string(),
                Value::Array(names.into_iter().map(Value::String).collect()),
            );
        }
    }

    /// A setting as text ("" when absent); numbers and booleans are shown as JSON.
    pub fn get_str(&self, key: &str) -> String {
        match self.settings.get(key) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
        }
    }
}

/// Names typed as one text, separated by commas: trimmed, blanks and repeats left out.
pub fn split_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for n in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if !names.iter().any(|m| m == n) {
            names.push(n.to_string());
        }
    }
    names
}

/// A switch typed as text: `true/false/on/off/yes/no/1/0`, any case.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "on" | "yes" | "1" => Some(true),
        "false" | "off" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// Show a secret without giving it away: the last four characters of long ones, nothing of short ones.
pub fn mask(secret: &str) -> String {
    let n = secret.chars().count();
    // A keyring secret that could not be read (see `secrets::placehold`) shows no tail: the
    // tail would be its id's, not the secret's.
    if secret.starts_with(UNREADABLE_SECRET) {
        return "••••••••".to_string();
    }
    if n == 0 {
        String::new()
    } else if n >= 12 {
        let tail: String = secret.chars().skip(n - 4).collect();
        format!("••••••••{tail}")
    } else {
        "••••••••".to_string()
    }
}

/// A URL (a proxy's) with the password of its user info masked as [`mask`] masks secrets,
/// `http://me:••••••••@proxy:8080`: how it is shown and named in messages. Text without a
/// password is as it is.
pub fn mask_password(url: &str) -> String {
    if url.starts_with(UNREADABLE_SECRET) {
        return mask(url);
    }
    let start = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[start..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    match authority[..at].split_once(':') {
        Some((user, password)) if !password.is_empty() => {
            format!("{}{user}:{}{}", &url[..start], mask(password), &rest[at..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_urls_are_masked() {
        assert_eq!(
            mask_password("http://me:pa55@proxy:8080/x"),
            "http://me:••••••••@proxy:8080/x"
        );
        assert_eq!(
            mask_password("socks5://me:a-long-p@ss-word@proxy"),
            "socks5://me:••••••••word@proxy"
        );
        assert_eq!(
            mask_password("me:pa55@proxy:8080"),
            "me:••••••••@proxy:8080"
        );
        for plain in [
            "http://me@proxy:8080",
            "http://proxy:8080/a@b",
            "",
            "not a url",
        ] {
            assert_eq!(mask_password(plain), plain);
        }
    }
}
