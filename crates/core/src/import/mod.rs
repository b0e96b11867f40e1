//! Bringing configs and history from other uploaders: ShareX custom uploaders (`.sxcu`) and
//! PicGo / PicGo-Core data folders. Each import checks everything first and then writes in one
//! step (one config update, one album transaction), so nothing is ever half-imported.

pub mod picgo;
pub mod sxcu;

use crate::config::Config;

/// A name no config has yet: `wanted`, else `wanted (suffix)`, else `wanted (suffix 2)`, …
pub fn free_name(config: &Config, wanted: &str, suffix: &str) -> String {
    let wanted: String = wanted
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(48)
        .collect();
    let wanted = if wanted.is_empty() {
        suffix.to_string()
    } else {
        wanted
    };
    if config.host(&wanted).is_none() {
        return wanted;
    }
    let mut candidate = format!("{wanted} ({suffix})");
    let mut n = 2;
    while config.host(&candidate).is_some() {
        candidate = format!("{wanted} ({suffix} {n})");
        n += 1;
    }
    candidate
}
