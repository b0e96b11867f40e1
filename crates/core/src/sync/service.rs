//! Sync as the CLI and the app use it: set up on a storage config, sync now, say where it
//! stands, turn it off. The settings `sync_config`, `sync_path` and `sync_passphrase` (a
//! secret: keyring, else the 0600 config file) say where this computer syncs; the album keeps
//! the rest ([`Local`]).

use serde::Serialize;

use super::exchange::{new_machine_id, Cursors, Place};
use super::local::Local;
use super::round::{sync_album, Report};
use crate::config::DEFAULT_SYNC_PATH;
use crate::error::{Error, Result};
use crate::hosts::{self, Host, Http};
use crate::msg::msg;
use crate::pipeline::Engine;

/// Where this computer stands.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// Sync is set up on this computer.
    pub on: bool,
    /// The storage config, empty when sync is off.
    pub config: String,
    pub path: String,
    /// This computer's id in the sync.
    pub machine: Option<String>,
    /// Machines that have sent anything (only asked of the storage when `machines` is asked).
    pub machines: Option<usize>,
    /// When the last sync ended (Unix ms).
    pub last_sync: Option<i64>,
    /// Changes made here and not sent yet.
    pub pending: u64,
}

/// The storage config `name` built, refused in words when its kind cannot hold a sync.
fn storage(engine: &Engine, name: &str) -> Result<(Box<dyn Host>, Http)> {
    let config = engine.config().load()?;
    let cfg = config.pick_host(Some(name))?;
    if !hosts::info(&cfg.kind)?.can_hold_sync {
        let kinds: Vec<&str> = hosts::kinds()
            .iter()
            .filter(|k| k.can_hold_sync)
            .map(|k| k.kind)
            .collect();
        return Err(Error::Input(msg!(
            "the config {name} is of kind {kind}, which cannot hold a sync; use a config of one of these kinds: {kinds}",
            name = name.to_string(),
            kind = cfg.kind.clone(),
            kinds = kinds.join(", ")
        )));
    }
    Ok((hosts::build(cfg)?, Engine::http(&config.settings)?))
}

fn place<'a>(host: &'a dyn Host, http: &'a Http, path: &str) -> Result<Place<'a>> {
    Place::new(
        host.sync_place().expect("checked: the kind holds a sync"),
        http,
        path,
    )
}

/// Sync through the storage config `name`, in its folder `path` (default `pixdrop-sync`):
/// join the sync there, or start one. `true` when this computer started it. The first
/// `sync now` sends the whole album.
pub async fn setup(
    engine: &Engine,
    name: &str,
    path: Option<&str>,
    passphrase: &str,
) -> Result<bool> {
    let path = path
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .unwrap_or(DEFAULT_SYNC_PATH)
        .to_string();
    let current = engine.config().load()?.settings.sync_config;
    if !current.is_empty() {
        return Err(Error::Config(msg!(
            "sync is already set up on this computer, through {current}; to sync elsewhere, run pixdrop sync off first (changes not sent yet would be dropped: run pixdrop sync now before)"
        )));
    }
    let (host, http) = storage(engine, name)?;
    let place = place(host.as_ref(), &http, &path)?;
    let (_key, started) = place.unlock_or_start(passphrase).await?;
    Local::new(engine.album()).start(&Cursors::new(new_machine_id()))?;
    engine.config().update(|c| {
        c.settings.sync_config = name.to_string();
        c.settings.sync_path = path.clone();
        c.settings.sync_passphrase = passphrase.to_string();
        Ok(())
    })?;
    Ok(started)
}

/// This computer's sync settings, refused in words when sync is not set up here.
fn set_up(engine: &Engine) -> Result<crate::config::Settings> {
    let settings = engine.config().load()?.settings;
    if settings.sync_config.is_empty() || Local::new(engine.album()).cursors()?.is_none() {
        return Err(Error::Config(msg!(
            "sync is not set up on this computer: pixdrop sync setup NAME"
        )));
    }
    Ok(settings)
}

fn no_sync_there(settings: &crate::config::Settings) -> Error {
    Error::Config(msg!(
        "there is no sync in {path} of the config {name} now: is the storage mounted and reachable, and the folder there? Nothing was changed here; sync again once it is back. Only if that sync is gone for good, start anew: pixdrop sync off, then pixdrop sync setup {name} --path {path}",
        path = settings.sync_path.clone(),
        name = settings.sync_config.clone()
    ))
}

/// Send this computer's changes and merge the others'.
pub async fn now(engine: &Engine) -> Result<Report> {
    let settings = set_up(engine)?;
    let (host, http) = storage(engine, &settings.sync_config)?;
    let place = place(host.as_ref(), &http, &settings.sync_path)?;
    let key = match place.unlock(&settings.sync_passphrase).await {
        Ok(Some(key)) => key,
        Ok(None) => return Err(no_sync_there(&settings)),
        Err(e) if e.kind() == crate::error::ErrorKind::Auth => {
            return Err(Error::Auth(msg!(
                "the passphrase kept on this computer no longer opens the sync: it was changed on another computer (or the sync's key file was changed); nothing was changed here. Give the new one: in the app, Settings → Sync → Passphrase; or pixdrop sync passphrase"
            )))
        }
        Err(e) => return Err(e),
    };
    sync_album(engine.album(), Some(engine.config()), &place, &key).await
}

/// Use the passphrase `new` for the sync. When the sync still has the one kept here, it is
/// changed: this computer syncs first, seals the sync anew under `new` (a new key file, every
/// object under the old key removed) and writes everything it knows again; the other
/// computers are then asked for it. When the sync already has `new` (changed on another
/// computer, or a change here that was cut off), this computer takes it and sends everything
/// it knows again, so nothing it had not sent is lost. `true`: changed here.
pub async fn passphrase(engine: &Engine, new: &str) -> Result<bool> {
    let settings = set_up(engine)?;
    let (host, http) = storage(engine, &settings.sync_config)?;
    let place = place(host.as_ref(), &http, &settings.sync_path)?;
    let changed_here = match place.unlock(new).await {
        Ok(Some(_)) if new == settings.sync_passphrase => {
            return Err(Error::Input(msg!(
                "this is the passphrase the sync already has, and this computer uses it; nothing was changed"
            )))
        }
        Ok(Some(key)) => {
            rejoin(engine, &place, &key).await?;
            false
        }
        Ok(None) => return Err(no_sync_there(&settings)),
        Err(e) if e.kind() == crate::error::ErrorKind::Auth => {
            let old = match place.unlock(&settings.sync_passphrase).await {
                Ok(Some(key)) => key,
                Ok(None) => return Err(no_sync_there(&settings)),
                Err(e) if e.kind() == crate::error::ErrorKind::Auth => {
                    return Err(Error::Auth(msg!(
                        "neither the passphrase given nor the one kept here opens the sync: it was changed on another computer; give that passphrase. Nothing was changed"
                    )))
                }
                Err(e) => return Err(e),
            };
            // Everything the others sent is merged here first: the sync sealed anew holds it.
            sync_album(engine.album(), Some(engine.config()), &place, &old).await?;
            let key = place.rekey(new).await?;
            rejoin(engine, &place, &key).await?;
            true
        }
        Err(e) => return Err(e),
    };
    engine.config().update(|c| {
        c.settings.sync_passphrase = new.to_string();
        Ok(())
    })?;
    Ok(changed_here)
}

/// Write everything this computer knows into the sync under `key`, as a machine with a new id
/// (its old numbers may be gone or taken), and remove what its old id left there.
async fn rejoin(engine: &Engine, place: &Place<'_>, key: &super::SyncKey) -> Result<()> {
    let local = Local::new(engine.album());
    let old = local.cursors()?.ok_or_else(|| {
        Error::Config(msg!(
            "sync is not set up on this computer: pixdrop sync setup NAME"
        ))
    })?;
    let items = super::shared::items(&engine.config().load_revealed()?);
    let mut clock = local.clock(&old.machine)?;
    local.stamp_pending(&mut clock, Some(&items), true)?;
    let all = local.all_changes(&items)?;
    let (_, upto) = local.outbox(Some(&items))?;
    let mut cursors = Cursors::new(new_machine_id());
    place.send(key, &mut cursors, &all).await?;
    local.sent(upto, &cursors)?;
    place.remove_objects(Some(&old.machine)).await
}

/// Where this computer stands; `machines`: also ask the storage how many machines sync.
pub async fn status(engine: &Engine, machines: bool) -> Result<Status> {
    let settings = engine.config().load()?.settings;
    let local = Local::new(engine.album());
    let cursors = local.cursors()?;
    let mut status = Status {
        on: !settings.sync_config.is_empty() && cursors.is_some(),
        config: settings.sync_config.clone(),
        path: settings.sync_path.clone(),
        machine: cursors.map(|c| c.machine),
        machines: None,
        last_sync: local.last()?,
        pending: local.pending(
            engine
                .config()
                .load_revealed()
                .ok()
                .map(|c| super::shared::items(&c))
                .as_ref(),
        )?,
    };
    if machines && !settings.sync_config.is_empty() {
        let (host, http) = storage(engine, &settings.sync_config)?;
        let place = place(host.as_ref(), &http, &settings.sync_path)?;
        let seen = place.machines().await?;
        // This computer counts before its first object is there.
        let here = status.machine.as_ref().is_some_and(|m| !seen.contains(m));
        status.machines = Some(seen.len() + usize::from(here));
    }
    Ok(status)
}

/// Stop syncing on this computer: nothing on the storage is deleted, the album keeps every
/// record, the passphrase is forgotten here.
pub fn off(engine: &Engine) -> Result<()> {
    Local::new(engine.album()).stop()?;
    engine.config().update(|c| {
        c.settings.sync_config.clear();
        c.settings.sync_passphrase.clear();
        Ok(())
    })?;
    Ok(())
}
