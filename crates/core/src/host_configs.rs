//! Changing host configs where the album is concerned: a rename that the album's records follow
//! (so they stay listed, filtered and deletable on the host under the new name), and a removal
//! that says what it leaves behind. The CLI and the app both call these.

use serde::Serialize;

use crate::album::ListQuery;
use crate::config::HostConfig;
use crate::error::Result;
use crate::pipeline::Engine;

/// What removing a config did.
#[derive(Debug, Clone, Serialize)]
pub struct Removed {
    /// The config as it was (secrets included), for an undo.
    #[serde(skip)]
    pub config: HostConfig,
    pub was_default: bool,
    /// The config that became the default in its place, if it was the default.
    pub new_default: Option<String>,
    /// Album records made with it: they stay, but cannot be deleted on the host until a
    /// config of that name exists again.
    pub records: u64,
    /// The configs that had it among their mirrors (they no longer do).
    pub mirror_of: Vec<String>,
}

/// What removing a config would do, to ask before doing it.
#[derive(Debug, Clone, Serialize)]
pub struct RemovalPreview {
    pub name: String,
    pub is_default: bool,
    pub new_default: Option<String>,
    pub records: u64,
    /// The configs that have it among their mirrors.
    pub mirror_of: Vec<String>,
}

impl Engine {
    fn records_of(&self, name: &str) -> Result<u64> {
        self.album().count(&ListQuery {
            config: Some(name.to_string()),
            ..Default::default()
        })
    }

    /// Save `host` in place of config `original`, renaming it when the names differ; its album
    /// records follow the new name. Checked in full before anything is written; the records
    /// are renamed first and put back if the config cannot be saved.
    pub fn replace_host(&self, original: &str, host: HostConfig, make_default: bool) -> Result<()> {
        let new_name = host.name.clone();
        let apply = |c: &mut crate::config::Config| {
            c.replace_host(original, host.clone())?;
            if make_default {
                c.set_default(&new_name)?;
            }
            Ok(())
        };
        // A dry run on a copy: a refused change touches neither file.
        apply(&mut self.config().load()?)?;
        let renamed = new_name != original;
        if renamed {
            self.album().rename_config(original, &new_name)?;
        }
        if let Err(e) = self.config().update(apply) {
            if renamed {
                self.album().rename_config(&new_name, original)?;
            }
            return Err(e);
        }
        Ok(())
    }

    /// What [`Engine::remove_host`] would do.
    pub fn removal_preview(&self, name: &str) -> Result<RemovalPreview> {
        let mut config = self.config().load()?;
        let is_default = config.default_host.as_deref() == Some(name);
        let mirror_of = config.mirrored_by(name);
        config.remove_host(name)?;
        Ok(RemovalPreview {
            name: name.to_string(),
            is_default,
            new_default: config.default_host.filter(|_| is_default),
            records: self.records_of(name)?,
            mirror_of,
        })
    }

    /// Remove a config. Its album records stay (they can be deleted on the host again once a
    /// config of that name exists, e.g. after [`Engine::restore_host`]).
    pub fn remove_host(&self, name: &str) -> Result<Removed> {
        let (config, was_default, new_default, mirror_of) = self.config().update(|c| {
            let was_default = c.default_host.as_deref() == Some(name);
            let mirror_of = c.mirrored_by(name);
            let removed = c.remove_host(name)?;
            Ok((
                removed,
                was_default,
                c.default_host.clone().filter(|_| was_default),
                mirror_of,
            ))
        })?;
        Ok(Removed {
            config,
            was_default,
            new_default,
            records: self.records_of(name)?,
            mirror_of,
        })
    }

    /// Undo a removal: the config comes back as it was, the default again if it was, and a
    /// mirror again of the configs (still there) that had it.
    pub fn restore_host(&self, removed: &Removed) -> Result<()> {
        self.config().update(|c| {
            c.add_host(removed.config.clone(), removed.was_default)?;
            for name in &removed.mirror_of {
                if let Some(h) = c.hosts.iter_mut().find(|h| &h.name == name) {
                    let mut mirrors = h.mirrors();
                    if !mirrors.contains(&removed.config.name) {
                        mirrors.push(removed.config.name.clone());
                        h.set_mirrors(mirrors);
                    }
                }
            }
            Ok(())
        })
    }
}
