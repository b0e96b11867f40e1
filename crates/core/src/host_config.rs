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

impl HostConfig {
    /// A setting as text ("" when absent); numbers and booleans are shown as JSON.
    pub fn get_str(&self, key: &str) -> String {
        match self.settings.get(key) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
        }
    }
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
    if n == 0 {
        String::new()
    } else if n >= 12 {
        let tail: String = secret.chars().skip(n - 4).collect();
        format!("••••••••{tail}")
    } else {
        "••••••••".to_string()
    }
}
