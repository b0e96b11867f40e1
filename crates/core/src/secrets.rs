//! Where the secrets of host configs are kept: in the desktop's secret store (the Secret
//! Service: GNOME Keyring, KWallet) when one is running, else in `config.json` itself (written
//! readable by its owner only).
//!
//! A secret is a field of kind secret (tokens, passwords, secret keys) or a secret-looking entry
//! of a JSON field (an `Authorization` header). In the keyring each secret is an item of its own,
//! labelled with the config's name and found by an id that `config.json` keeps in its place:
//! `"token": {"$keyring": "<id>"}`. An id is never reused: a changed value, a renamed or a
//! duplicated config gets a new item, and the old one is removed only after `config.json` no
//! longer refers to it. So an interrupted change leaves at worst an unused item (removed the next
//! time Pixdrop starts), never a config whose secret is gone; and ids can be cached for as long
//! as a process lives.
//!
//! The app settings' secrets (the local server's secret, the proxy's password) are kept the same
//! way: they pass through here as one more config, named "" (which no host config can be), see
//! [`settings_config`]. In `config.json` the setting holds the reference; in the loaded
//! settings, whose fields are text, a reference stands as a placeholder until resolved.

use crate::{msg, Msg};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::host_config::{shell_word, HostConfig};
use crate::hosts::{self, FieldKind};

/// The key of the object that stands in `config.json` for a secret kept in the keyring.
pub const REFERENCE: &str = "$keyring";

/// Where a secret is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    /// The Secret Service (GNOME Keyring, KWallet).
    Keyring,
    /// `config.json`, readable by its owner only.
    File,
}

impl Location {
    pub fn describe(self) -> &'static str {
        match self {
            Location::Keyring => "the system keyring (Secret Service)",
            Location::File => "config.json (readable only by you)",
        }
    }
}

/// The id a value stands for, when it is a reference to a keyring item.
pub fn reference(v: &Value) -> Option<&str> {
    match v {
        Value::Object(m) if m.len() == 1 => m.get(REFERENCE)?.as_str(),
        _ => None,
    }
}

/// What stands in memory for a secret the keyring holds but could not give (it is locked or not
/// running): text no real secret contains, turned back into the reference when written.
const PLACEHOLDER: &str = crate::host_config::UNREADABLE_SECRET;

/// Replace references by placeholders, so a change that leaves the secrets alone can be made
/// (and checked) without the keyring.
pub fn placehold(hosts: &mut [HostConfig]) {
    for h in hosts.iter_mut() {
        let _ = for_each_secret(h, &mut |_, v| {
            if let Some(id) = reference(v) {
                *v = Value::String(format!("{PLACEHOLDER}{id}"));
            }
            Ok(())
        });
    }
}

fn placeholder(v: &Value) -> Option<&str> {
    v.as_str()?.strip_prefix(PLACEHOLDER)
}

/// The kind of the config that carries the app settings' secrets (see [`settings_config`]).
const SETTINGS_KIND: &str = "$settings";

/// The app settings' secrets (`setting → text`, references standing as placeholders) as a
/// config the functions here take like a host config's: named "", each text a slot.
pub fn settings_config<'a>(secrets: impl IntoIterator<Item = (&'a str, &'a str)>) -> HostConfig {
    HostConfig {
        name: String::new(),
        kind: SETTINGS_KIND.to_string(),
        settings: secrets
            .into_iter()
            .map(|(key, text)| {
                let v = Value::String(text.to_string());
                let v = placeholder(&v).map_or(v.clone(), make_reference);
                (key.to_string(), v)
            })
            .collect(),
    }
}

/// The texts of a [`settings_config`] by setting, references as placeholders.
pub fn settings_texts(cfg: &HostConfig) -> Vec<(String, String)> {
    cfg.settings
        .iter()
        .map(|(key, v)| {
            let text = match reference(v) {
                Some(id) => format!("{PLACEHOLDER}{id}"),
                None => v.as_str().map_or_else(|| v.to_string(), str::to_string),
            };
            (key.clone(), text)
        })
        .collect()
}

/// `config.json`'s settings object as read (references) made fit for the typed settings
/// (placeholders), or, with `to_file`, back.
pub fn settings_in_file(settings: &mut Value, to_file: bool) {
    let Some(m) = settings.as_object_mut() else {
        return;
    };
    for v in m.values_mut() {
        if to_file {
            if let Some(id) = placeholder(v).map(str::to_string) {
                *v = make_reference(&id);
            }
        } else if let Some(id) = reference(v).map(str::to_string) {
            *v = Value::String(format!("{PLACEHOLDER}{id}"));
        }
    }
}

/// How messages name a secret: the setting `proxy`, or the `token` of the config "c".
fn naming(config: &str, slot: &str) -> Msg {
    if config.is_empty() {
        msg!("the setting {slot}")
    } else {
        msg!("the {slot} of the config \"{config}\"")
    }
}

/// The command that sets a secret again.
fn set_again(config: &str, slot: &str) -> Msg {
    if config.is_empty() {
        msg!("set it again in Settings, or with: pixdrop settings set {slot} …")
    } else {
        msg!(
            "set it again in Image hosts, or with: pixdrop hosts set {config} {key}=…",
            config = shell_word(config),
            key = slot.split('/').next().unwrap_or(slot)
        )
    }
}

/// Whether each placeholder is used once (a copied config would share its keyring item).
pub fn placeholders_unshared(hosts: &[HostConfig]) -> bool {
    let mut seen = HashSet::new();
    let mut unshared = true;
    for h in &mut hosts.to_vec() {
        let _ = for_each_secret(h, &mut |_, v| {
            if let Some(id) = placeholder(v) {
                unshared &= seen.insert(id.to_string());
            }
            Ok(())
        });
    }
    unshared
}

fn make_reference(id: &str) -> Value {
    let mut m = Map::new();
    m.insert(REFERENCE.to_string(), Value::String(id.to_string()));
    Value::Object(m)
}

/// Call `f(slot, value)` for each secret `cfg` holds: `token` for a secret field,
/// `headers/Authorization` for a secret-looking entry of a JSON field. A JSON field written as
/// text is turned into an object when it holds a secret (the forms and hosts read both).
pub fn for_each_secret(
    cfg: &mut HostConfig,
    f: &mut dyn FnMut(&str, &mut Value) -> Result<()>,
) -> Result<()> {
    if cfg.kind == SETTINGS_KIND {
        for (key, value) in cfg.settings.iter_mut() {
            f(key, value)?;
        }
        return Ok(());
    }
    let Ok(info) = hosts::info(&cfg.kind) else {
        return Ok(());
    };
    for field in info.fields.iter() {
        let Some(value) = cfg.settings.get_mut(field.key) else {
            continue;
        };
        match field.kind {
            FieldKind::Secret => {
                let empty = matches!(value, Value::Null) || value.as_str() == Some("");
                if !empty {
                    f(field.key, value)?;
                }
            }
            FieldKind::SecretJson => {
                if let Value::String(text) = value {
                    match serde_json::from_str::<Value>(text) {
                        Ok(parsed @ Value::Object(_)) => {
                            let holds_secret = parsed.as_object().is_some_and(|m| {
                                m.iter().any(|(k, v)| hosts::secret_name(k) && !v.is_null())
                            });
                            if holds_secret {
                                *value = parsed;
                            }
                        }
                        _ => continue,
                    }
                }
                if let Value::Object(entries) = value {
                    for (name, v) in entries.iter_mut() {
                        if hosts::secret_name(name) && !matches!(v, Value::Null) {
                            f(&format!("{}/{name}", field.key), v)?;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The keyring ids a set of configs refers to, by (config, slot).
fn references(hosts: &mut [HostConfig]) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for h in hosts.iter_mut() {
        let name = h.name.clone();
        let _ = for_each_secret(h, &mut |slot, v| {
            if let Some(id) = reference(v) {
                out.insert((name.clone(), slot.to_string()), id.to_string());
            }
            Ok(())
        });
    }
    out
}

/// Where each secret of `cfg` (as stored) is kept, by slot.
pub fn locations(cfg: &HostConfig) -> Vec<(String, Location)> {
    let mut cfg = cfg.clone();
    let mut out = Vec::new();
    let _ = for_each_secret(&mut cfg, &mut |slot, v| {
        let at = if reference(v).is_some() {
            Location::Keyring
        } else {
            Location::File
        };
        out.push((slot.to_string(), at));
        Ok(())
    });
    out
}

/// Whether any secret of these configs (as stored) is kept in the file.
pub fn any_in_file(hosts: &[HostConfig]) -> bool {
    hosts
        .iter()
        .any(|h| locations(h).iter().any(|(_, at)| *at == Location::File))
}

/// The store secrets are written to.
#[derive(Debug)]
pub enum Secrets {
    /// `config.json` holds them.
    File,
    /// The Secret Service holds them; `config.json` holds references.
    Keyring(Keyring),
}

impl Secrets {
    /// The system keyring when a Secret Service is running on the session bus, else the file.
    /// A service that is only installed (D-Bus could start it) is not started: on a desktop the
    /// session starts its keyring at login, and elsewhere (a server, CI) starting one would ask
    /// for a password nobody is there to type.
    pub fn detect(config_file: &std::path::Path) -> Secrets {
        match Keyring::running(config_file) {
            Some(k) => Secrets::Keyring(k),
            None => Secrets::File,
        }
    }

    /// Where new secrets go.
    pub fn location(&self) -> Location {
        match self {
            Secrets::File => Location::File,
            Secrets::Keyring(_) => Location::Keyring,
        }
    }

    /// Replace the references in `hosts` by the secrets they stand for.
    pub fn resolve(&self, hosts: &mut [HostConfig]) -> Result<()> {
        let refs = references(hosts);
        if refs.is_empty() {
            return Ok(());
        }
        let Secrets::Keyring(keyring) = self else {
            let (config, slot) = refs.keys().next().expect("not empty");
            let what = if config.is_empty() {
                msg!("the setting {slot} is kept")
            } else {
                msg!("the config \"{config}\" keeps its {slot}")
            };
            return Err(Error::Config(msg!(
                "{what} in the system keyring, and no Secret Service (GNOME Keyring, KWallet) is running in this session; start Pixdrop in your desktop session, or unlock its keyring"
            )));
        };
        let ids: Vec<&str> = refs.values().map(String::as_str).collect();
        let values = keyring.read(&ids)?;
        for h in hosts.iter_mut() {
            let name = h.name.clone();
            for_each_secret(h, &mut |slot, v| {
                if let Some(id) = reference(v) {
                    *v = Value::String(values.get(id).cloned().ok_or_else(|| {
                        Error::Config(msg!(
                            "the system keyring no longer holds {} (it was removed there); {}",
                            naming(&name, slot),
                            set_again(&name, slot)
                        ))
                    })?);
                }
                Ok(())
            })?;
        }
        Ok(())
    }

    /// Put the plain secrets of `hosts` in the keyring and references in their place (nothing
    /// to do for the file store). `before` are the configs as stored before the change: a
    /// secret whose config, slot and value are unchanged keeps its item. Returns the ids of the
    /// items written now (to remove if the file cannot be written).
    pub fn stash(&self, hosts: &mut [HostConfig], before: &[HostConfig]) -> Result<Vec<String>> {
        for h in hosts.iter_mut() {
            for_each_secret(h, &mut |_, v| {
                if let Some(id) = placeholder(v).map(str::to_string) {
                    *v = make_reference(&id);
                }
                Ok(())
            })?;
        }
        let Secrets::Keyring(keyring) = self else {
            return Ok(Vec::new());
        };
        let old = references(&mut before.to_vec());
        let mut created = Vec::new();
        let result = (|| {
            for h in hosts.iter_mut() {
                let name = h.name.clone();
                for_each_secret(h, &mut |slot, v| {
                    if reference(v).is_some() {
                        return Ok(());
                    }
                    let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                    let same = old
                        .get(&(name.clone(), slot.to_string()))
                        .filter(|id| keyring.cached(id).as_deref() == Some(text.as_str()));
                    let id = match same {
                        Some(id) => id.clone(),
                        None => {
                            let id = keyring.write(&name, slot, &text)?;
                            created.push(id.clone());
                            id
                        }
                    };
                    *v = make_reference(&id);
                    Ok(())
                })?;
            }
            Ok(())
        })();
        match result {
            Ok(()) => Ok(created),
            Err(e) => {
                keyring.remove(&created);
                Err(e)
            }
        }
    }

    /// Remove items written by a [`Secrets::stash`] whose file was then not written.
    pub fn discard(&self, created: &[String]) {
        if let Secrets::Keyring(keyring) = self {
            keyring.remove(created);
        }
    }

    /// After `after` was written in place of `before`: remove the items only `before` used.
    pub fn release(&self, before: &[HostConfig], after: &[HostConfig]) {
        if let Secrets::Keyring(keyring) = self {
            let kept: HashSet<String> = references(&mut after.to_vec()).into_values().collect();
            let gone: Vec<String> = references(&mut before.to_vec())
                .into_values()
                .filter(|id| !kept.contains(id))
                .collect();
            keyring.remove(&gone);
        }
    }

    /// Remove this config file's items that `hosts` (as stored) do not refer to: what an
    /// interrupted change left. Call with the config locked.
    pub fn sweep(&self, hosts: &[HostConfig]) -> Result<usize> {
        match self {
            Secrets::File => Ok(0),
            Secrets::Keyring(keyring) => {
                let kept: HashSet<String> = references(&mut hosts.to_vec()).into_values().collect();
                keyring.sweep(&kept)
            }
        }
    }
}

/// Items in the Secret Service, with what this process has read or written (ids never change
/// their value, so the cache is never stale).
pub struct Keyring {
    /// `config.json`'s path: items are tagged with it, so the sweep of one Pixdrop folder (a
    /// test's) never removes another's (the user's) items.
    file: String,
    cache: Mutex<HashMap<String, String>>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring").field("file", &self.file).finish()
    }
}

/// Attribute names of Pixdrop's items.
const ATTR_APP: &str = "application";
const APP: &str = "pixdrop";
const ATTR_FILE: &str = "pixdrop-config-file";
const ATTR_ID: &str = "pixdrop-id";
const ATTR_CONFIG: &str = "pixdrop-config";
const ATTR_SLOT: &str = "pixdrop-field";

fn keyring_error(what: Msg, e: impl std::fmt::Display) -> Error {
    Error::Config(msg!("{what}: {e}"))
}

/// [`keyring_error`], for a reason in our words.
fn keyring_refused(what: Msg, why: Msg) -> Error {
    Error::Config(msg!("{what}: {why}"))
}

impl Keyring {
    fn cached(&self, id: &str) -> Option<String> {
        self.cache.lock().ok()?.get(id).cloned()
    }

    fn remember(&self, id: &str, value: &str) {
        if let Ok(mut c) = self.cache.lock() {
            c.insert(id.to_string(), value.to_string());
        }
    }

    /// What finds an item: its id alone, so a data folder that moved still finds its secrets.
    fn tags(id: &str) -> HashMap<&str, &str> {
        HashMap::from([(ATTR_APP, APP), (ATTR_ID, id)])
    }
}

#[cfg(target_os = "linux")]
mod service {
    use std::time::Duration;

    use dbus_secret_service::{EncryptionType, SecretService};

    use super::*;

    /// How long an unlock prompt (the desktop asks for the keyring's password) may stay open.
    const PROMPT_SECONDS: u64 = 120;

    impl Keyring {
        /// A keyring for `config_file` when a Secret Service owns its name on the session bus.
        pub fn running(config_file: &std::path::Path) -> Option<Keyring> {
            // Only a session bus that exists: with none, libdbus would start one through
            // dbus-launch (X11 autolaunch) as a side effect.
            let bus_address =
                std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|a| !a.is_empty());
            let runtime_bus = std::env::var_os("XDG_RUNTIME_DIR")
                .is_some_and(|d| std::path::Path::new(&d).join("bus").exists());
            if !bus_address && !runtime_bus {
                return None;
            }
            let conn = dbus::blocking::Connection::new_session().ok()?;
            let proxy = conn.with_proxy(
                "org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                Duration::from_secs(5),
            );
            let (owned,): (bool,) = proxy
                .method_call(
                    "org.freedesktop.DBus",
                    "NameHasOwner",
                    ("org.freedesktop.secrets",),
                )
                .ok()?;
            // The folder's real path: a sweep must not take a second spelling of it (a symlink)
            // for another folder.
            let file = config_file
                .parent()
                .and_then(|d| std::fs::canonicalize(d).ok())
                .zip(config_file.file_name())
                .map_or_else(|| config_file.to_path_buf(), |(d, n)| d.join(n));
            owned.then(|| Keyring {
                file: file.to_string_lossy().into_owned(),
                cache: Mutex::new(HashMap::new()),
            })
        }

        fn connect() -> Result<SecretService> {
            SecretService::connect_with_max_prompt_timeout(EncryptionType::Dh, PROMPT_SECONDS)
                .map_err(|e| keyring_error(msg!("the system keyring could not be reached"), e))
        }

        /// The values of `ids` (those found; the caller names what is missing).
        pub(super) fn read(&self, ids: &[&str]) -> Result<HashMap<String, String>> {
            let mut out = HashMap::new();
            let mut missing = Vec::new();
            for id in ids {
                match self.cached(id) {
                    Some(v) => {
                        out.insert(id.to_string(), v);
                    }
                    None => missing.push(*id),
                }
            }
            if missing.is_empty() {
                return Ok(out);
            }
            let ss = Self::connect()?;
            for id in missing {
                let found = ss.search_items(Self::tags(id)).map_err(|e| {
                    keyring_error(msg!("the system keyring could not be searched"), e)
                })?;
                // Reading never asks to unlock: configs are read all the time (settings, lists),
                // and a prompt each time would freeze the app. A locked item is said to be so.
                let Some(item) = found.unlocked.first() else {
                    if found.locked.is_empty() {
                        continue;
                    }
                    return Err(keyring_refused(msg!("the system keyring could not give a secret"), msg!("it is locked (unlock it in the desktop's Passwords and Keys, or log in again)")));
                };
                let bytes = item.get_secret().map_err(|e| {
                    keyring_error(msg!("the system keyring could not give a secret"), e)
                })?;
                let value = String::from_utf8(bytes).map_err(|_| {
                    keyring_refused(
                        msg!("the system keyring could not give a secret"),
                        msg!("it is not text"),
                    )
                })?;
                self.remember(id, &value);
                out.insert(id.to_string(), value);
            }
            Ok(out)
        }

        /// Store `value` as a new item and check it reads back; returns its id.
        pub(super) fn write(&self, config: &str, slot: &str, value: &str) -> Result<String> {
            let ss = Self::connect()?;
            let collection = ss.get_default_collection().map_err(|e| {
                keyring_error(
                    msg!("the system keyring could not open its default collection"),
                    e,
                )
            })?;
            collection
                .ensure_unlocked()
                .map_err(|e| keyring_error(msg!("the system keyring could not be unlocked"), e))?;
            let id = uuid::Uuid::new_v4().to_string();
            let mut attrs = Self::tags(&id);
            attrs.insert(ATTR_FILE, &self.file);
            attrs.insert(ATTR_CONFIG, config);
            attrs.insert(ATTR_SLOT, slot);
            let item = collection
                .create_item(
                    &format!(
                        "Pixdrop: {} ({slot})",
                        if config.is_empty() {
                            "settings"
                        } else {
                            config
                        }
                    ),
                    attrs,
                    value.as_bytes(),
                    false,
                    "text/plain",
                )
                .map_err(|e| {
                    keyring_error(msg!("the system keyring could not store a secret"), e)
                })?;
            let back = item.get_secret().map_err(|e| {
                keyring_error(msg!("the system keyring could not read back a secret"), e)
            })?;
            if back != value.as_bytes() {
                let _ = item.delete();
                return Err(keyring_refused(
                    msg!("the system keyring could not store a secret"),
                    msg!("what it gave back differs from what was stored"),
                ));
            }
            self.remember(&id, value);
            Ok(id)
        }

        /// Remove items; what cannot be removed now is swept on a later start.
        pub(super) fn remove(&self, ids: &[String]) {
            if ids.is_empty() {
                return;
            }
            let Ok(ss) = Self::connect() else { return };
            for id in ids {
                if let Ok(found) = ss.search_items(Self::tags(id)) {
                    for item in found.unlocked.iter().chain(&found.locked) {
                        let _ = item.delete();
                    }
                }
                if let Ok(mut c) = self.cache.lock() {
                    c.remove(id);
                }
            }
        }

        pub(super) fn sweep(&self, kept: &HashSet<String>) -> Result<usize> {
            let ss = Self::connect()?;
            let found = ss
                .search_items(HashMap::from([
                    (ATTR_APP, APP),
                    (ATTR_FILE, self.file.as_str()),
                ]))
                .map_err(|e| keyring_error(msg!("the system keyring could not be searched"), e))?;
            let mut removed = 0;
            for item in found.unlocked.iter().chain(&found.locked) {
                let id = item
                    .get_attributes()
                    .ok()
                    .and_then(|mut a| a.remove(ATTR_ID));
                if id.is_some_and(|id| !kept.contains(&id)) && item.delete().is_ok() {
                    removed += 1;
                }
            }
            Ok(removed)
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod service {
    use super::*;

    /// Only the Secret Service (Linux, the BSDs' desktops) is supported so far.
    impl Keyring {
        pub fn running(_config_file: &std::path::Path) -> Option<Keyring> {
            None
        }
        pub(super) fn read(&self, _ids: &[&str]) -> Result<HashMap<String, String>> {
            Ok(HashMap::new())
        }
        pub(super) fn write(&self, _config: &str, _slot: &str, _value: &str) -> Result<String> {
            Err(keyring_refused(
                msg!("the system keyring could not be reached"),
                msg!("not supported on this system"),
            ))
        }
        pub(super) fn remove(&self, _ids: &[String]) {}
        pub(super) fn sweep(&self, _kept: &HashSet<String>) -> Result<usize> {
            Ok(0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(kind: &str, settings: Value) -> HostConfig {
        HostConfig {
            name: "c".into(),
            kind: kind.into(),
            settings: serde_json::from_value(settings).unwrap(),
        }
    }

    #[test]
    fn secrets_are_found_by_field_kind_and_header_name() {
        let mut c = cfg(
            "custom",
            serde_json::json!({
                "url": "https://x.example/up",
                "headers": "{\"Authorization\": \"Bearer T\", \"X-Client\": \"me\"}",
            }),
        );
        let mut seen = Vec::new();
        for_each_secret(&mut c, &mut |slot, v| {
            seen.push((slot.to_string(), v.clone()));
            Ok(())
        })
        .unwrap();
        assert_eq!(
            seen,
            vec![("headers/Authorization".to_string(), Value::from("Bearer T"))]
        );
        // The header text became an object, the other header kept.
        assert_eq!(c.settings["headers"]["X-Client"], "me");

        let c = cfg("smms", serde_json::json!({"token": "abc"}));
        assert_eq!(locations(&c), vec![("token".to_string(), Location::File)]);
        let c = cfg("smms", serde_json::json!({"token": {"$keyring": "id-1"}}));
        assert_eq!(
            locations(&c),
            vec![("token".to_string(), Location::Keyring)]
        );
        assert!(!any_in_file(&[c]));
        // An empty token is not a secret to keep anywhere.
        let c = cfg("smms", serde_json::json!({"token": ""}));
        assert!(locations(&c).is_empty());
    }

    #[test]
    fn references_without_a_keyring_are_refused_in_words() {
        let mut hosts = vec![cfg(
            "smms",
            serde_json::json!({"token": {"$keyring": "id-1"}}),
        )];
        let e = Secrets::File.resolve(&mut hosts).unwrap_err().to_string();
        assert!(
            e.contains("\"c\" keeps its token in the system keyring"),
            "{e}"
        );
        assert!(e.contains("no Secret Service"), "{e}");
        // The file store writes plain values as they are.
        let mut plain = vec![cfg("smms", serde_json::json!({"token": "abc"}))];
        assert!(Secrets::File.stash(&mut plain, &[]).unwrap().is_empty());
        assert_eq!(plain[0].settings["token"], "abc");
    }
}
