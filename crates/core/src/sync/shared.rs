//! Host configs and settings as sync items: what of a [`Config`] syncs, and how a change from
//! another machine is put into it.
//!
//! A host config is an item by its name (a rename removes the old name and adds the new one;
//! the album's records follow as their own changes) and carries its secrets: the sealed objects
//! hold them, and on each machine [`crate::config::ConfigStore`] keeps them where that machine
//! keeps secrets (its keyring, else the 0600 file). A setting is an item by its key; only
//! [`Settings::synced_keys`] sync, and the default config (`default_host`) does too. What a
//! machine keeps for itself ([`crate::config::MACHINE_SETTINGS`]) is never sent nor taken.

use std::collections::BTreeMap;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::merge::{Content, Item};
use crate::config::{Config, Settings};
use crate::error::{Error, Result};
use crate::host_config::HostConfig;
use crate::hosts;
use crate::msg::msg;

/// The setting item that names the default config.
pub const DEFAULT_HOST: &str = "default_host";

/// Every shared item of `config` with its value now.
pub fn items(config: &Config) -> BTreeMap<Item, Value> {
    let mut out = BTreeMap::new();
    for host in &config.hosts {
        out.insert(
            Item::Config(host.name.clone()),
            serde_json::to_value(host).expect("a host config serialises"),
        );
    }
    for key in Settings::synced_keys() {
        if let Ok(v) = config.settings.get(&key) {
            out.insert(Item::Setting(key), v);
        }
    }
    out.insert(
        Item::Setting(DEFAULT_HOST.to_string()),
        serde_json::to_value(&config.default_host).expect("a name serialises"),
    );
    out
}

/// One shared item's value now (`None`: a config not here, or not a shared item).
pub fn value(config: &Config, item: &Item) -> Option<Value> {
    match item {
        Item::Config(name) => config
            .host(name)
            .map(|h| serde_json::to_value(h).expect("a host config serialises")),
        Item::Setting(key) if key == DEFAULT_HOST => {
            Some(serde_json::to_value(&config.default_host).expect("a name serialises"))
        }
        Item::Setting(key) if Settings::synced_keys().contains(key) => {
            config.settings.get(key).ok()
        }
        _ => None,
    }
}

/// A value's fingerprint, to see whether it changed since it was last synced.
pub fn digest(value: &Value) -> String {
    // serde_json's maps are ordered by key: the same value gives the same bytes.
    hex::encode(Sha256::digest(
        serde_json::to_vec(value).unwrap_or_default(),
    ))
}

/// Whether `item` is a config or a setting (not a record).
pub fn is_shared(item: &Item) -> bool {
    !matches!(item, Item::Record(_))
}

/// Put another machine's change of a config or setting into `config`. `Ok(false)`: kept as it
/// is here on purpose (the config this computer syncs through is not removed under it). An
/// error: this Pixdrop cannot take it (a kind it does not know, a value out of range); nothing
/// of it was put in.
pub fn put(config: &mut Config, item: &Item, content: &Content) -> Result<bool> {
    match (item, content) {
        (Item::Config(name), Content::Removed) => {
            if config.host(name).is_none() || config.settings.sync_config == *name {
                return Ok(false);
            }
            config.remove_host(name)?;
            Ok(true)
        }
        (Item::Config(name), Content::Set(v)) => {
            let host: HostConfig = serde_json::from_value(v.clone()).map_err(|e| unreadable(item, e))?;
            if host.name != *name {
                return Err(Error::BadResponse(msg!(
                    "a host config from another computer does not carry its own name; update Pixdrop on both"
                )));
            }
            hosts::validate(&host)?;
            match config.hosts.iter_mut().find(|h| h.name == *name) {
                Some(h) => *h = host,
                None => config.hosts.push(host),
            }
            if config.default_host.is_none() {
                config.default_host = Some(name.clone());
            }
            Ok(true)
        }
        (Item::Setting(key), Content::Set(v)) if key == DEFAULT_HOST => {
            let name: Option<String> =
                serde_json::from_value(v.clone()).map_err(|e| unreadable(item, e))?;
            config.default_host = name;
            Ok(true)
        }
        (Item::Setting(key), Content::Set(v)) if Settings::synced_keys().contains(key) => {
            let mut obj = match serde_json::to_value(&config.settings) {
                Ok(Value::Object(m)) => m,
                _ => return Err(Error::Storage(msg!("settings are not an object"))),
            };
            obj.insert(key.clone(), v.clone());
            let settings: Settings =
                serde_json::from_value(Value::Object(obj)).map_err(|e| unreadable(item, e))?;
            settings.validate()?;
            config.settings = settings;
            Ok(true)
        }
        _ => Err(Error::BadResponse(msg!(
            "a change from another computer is of a kind this Pixdrop does not take; update Pixdrop here"
        ))),
    }
}

fn unreadable(item: &Item, e: serde_json::Error) -> Error {
    let what = match item {
        Item::Config(name) => name.clone(),
        Item::Setting(key) => key.clone(),
        Item::Record(_) => String::new(),
    };
    Error::BadResponse(msg!(
        "{what} from another computer is not one this Pixdrop reads ({e}); update Pixdrop here",
        e = e.to_string()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(name: &str) -> HostConfig {
        HostConfig {
            name: name.into(),
            kind: "local".into(),
            settings: [
                ("path".to_string(), Value::from("/tmp")),
                (
                    "url_prefix".to_string(),
                    Value::from("https://img.example.com"),
                ),
            ]
            .into(),
        }
    }

    #[test]
    fn machine_settings_are_not_items_and_are_not_taken() {
        let mut c = Config::default();
        c.hosts.push(host("a"));
        let all = items(&c);
        assert!(all.contains_key(&Item::Config("a".into())));
        assert!(all.contains_key(&Item::Setting("link_format".into())));
        assert!(all.contains_key(&Item::Setting(DEFAULT_HOST.into())));
        for key in crate::config::MACHINE_SETTINGS {
            assert!(!all.contains_key(&Item::Setting(key.into())), "{key}");
        }
        let theme = Item::Setting("theme".into());
        assert!(put(&mut c, &theme, &Content::Set(Value::from("dark"))).is_err());
        assert_eq!(c.settings.theme, crate::config::Theme::System);
    }

    #[test]
    fn a_setting_out_of_range_is_refused_and_nothing_changes() {
        let mut c = Config::default();
        let q = Item::Setting("quality".into());
        assert!(put(&mut c, &q, &Content::Set(Value::from(0))).is_err());
        assert_eq!(c.settings.quality, 82);
        assert!(put(&mut c, &q, &Content::Set(Value::from(50))).unwrap());
        assert_eq!(c.settings.quality, 50);
    }

    #[test]
    fn the_sync_config_is_not_removed_under_this_computer() {
        let mut c = Config::default();
        c.hosts.push(host("a"));
        c.hosts.push(host("b"));
        c.settings.sync_config = "a".into();
        assert!(!put(&mut c, &Item::Config("a".into()), &Content::Removed).unwrap());
        assert!(put(&mut c, &Item::Config("b".into()), &Content::Removed).unwrap());
        assert_eq!(c.hosts.len(), 1);
    }

    #[test]
    fn a_config_under_another_name_is_refused() {
        let mut c = Config::default();
        let v = serde_json::to_value(host("b")).unwrap();
        assert!(put(&mut c, &Item::Config("a".into()), &Content::Set(v.clone())).is_err());
        assert!(put(&mut c, &Item::Config("b".into()), &Content::Set(v)).unwrap());
        assert_eq!(c.default_host.as_deref(), Some("b"));
    }
}
