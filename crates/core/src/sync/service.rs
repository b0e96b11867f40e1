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

/// Send this computer's changes and merge the others'.
pub async fn now(engine: &Engine) -> Result<Report> {
    let settings = engine.config().load()?.settings;
    if settings.sync_config.is_empty() || Local::new(engine.album()).cursors()?.is_none() {
        return Err(Error::Config(msg!(
            "sync is not set up on this computer: pixdrop sync setup NAME"
        )));
    }
    let (host, http) = storage(engine, &settings.sync_config)?;
    let place = place(host.as_ref(), &http, &settings.sync_path)?;
    let key = place.unlock(&settings.sync_passphrase).await?.ok_or_else(|| {
        Error::Config(msg!(
            "there is no sync in {path} of the config {name} any more (its folder was removed?); set it up again: pixdrop sync off, then pixdrop sync setup {name} --path {path}",
            path = settings.sync_path.clone(),
            name = settings.sync_config.clone()
        ))
    })?;
    sync_album(engine.album(), Some(engine.config()), &place, &key).await
}

/// Where this computer stands; `machines`: also ask the storage how many machines sync.
pub async fn status(engine: &Engine, machines: bool) -> Result<Status> {
    let settings = engine.config().load()?.settings;
    let local = Local::new(engine.album());
    let cursors = local.cursors()?;
    let mut status = Status {
        config: settings.sync_config.clone(),
        path: settings.sync_path.clone(),
        machine: cursors.map(|c| c.machine),
        machines: None,
        last_sync: local.last()?,
        pending: local.pending()?,
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
