//! One sync of the album: what changed here is stamped, the other machines' changes are read
//! and merged, then this machine's are sent. Each step commits before the next begins, so a
//! sync killed anywhere is completed by the next one with nothing lost or doubled: stamped
//! changes wait in the outbox until sent; what was read counts as read only when merged (the
//! cursors commit with the album); a batch sent twice merges once.

use std::collections::BTreeMap;

use serde::Serialize;

use super::exchange::{new_machine_id, Place, Received};
use super::local::{Applied, Local};
use super::seal::SyncKey;
use super::shared;
use crate::album::Album;
use crate::config::ConfigStore;
use crate::error::{Error, Result};
use crate::msg::msg;

/// The changes merged in one part when reading (a few objects' worth).
pub const RECEIVE_PART: usize = 4 * super::exchange::BATCH_CHANGES;

/// Objects of its own above which a machine compacts its run.
pub const COMPACT_AFTER: usize = 64;

/// What one sync did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Report {
    /// Changes sent.
    pub sent: usize,
    pub sent_bytes: u64,
    pub received: Applied,
    pub read_bytes: u64,
    /// Machines seen in the sync folder, this one included.
    pub machines: usize,
    /// This machine rewrote its run into one.
    pub compacted: bool,
    /// Objects refused, in words (changed or cut short on the storage, sealed under another
    /// key): nothing was taken from them; the rest synced.
    pub refused: Vec<String>,
}

/// Sync `album`, and the configs and settings of `config` when given, through `place` under
/// `key`. When the keyring cannot give the configs' secrets now, the album syncs alone and the
/// report says why.
pub async fn sync_album(
    album: &Album,
    config: Option<&ConfigStore>,
    place: &Place<'_>,
    key: &SyncKey,
) -> Result<Report> {
    let local = Local::new(album);
    let mut cursors = local.cursors()?.ok_or_else(|| {
        Error::Config(msg!(
            "sync is not set up on this computer: pixdrop sync setup NAME"
        ))
    })?;
    let mut refused = Vec::new();
    let shared_now = || -> Result<_> {
        Ok(config
            .map(ConfigStore::load_revealed)
            .transpose()?
            .map(|c| shared::items(&c)))
    };
    let items = match shared_now() {
        Ok(items) => items,
        Err(e) => {
            refused.push(
                msg!(
                    "configs and settings were not synced: {e}",
                    e = e.to_string()
                )
                .to_string(),
            );
            None
        }
    };
    let wanted = config.is_some();
    let config = config.filter(|_| items.is_some());
    // A copied data folder syncs as a computer of its own (its configs must be at hand to send
    // again what it made under the id it shared).
    if items.is_some() || !wanted {
        let shared = items.clone().unwrap_or_default();
        if local
            .part_from_original(&new_machine_id(), &shared)?
            .is_some()
        {
            cursors = local.cursors()?.expect("sync is on");
        }
    }
    let mut clock = local.clock(&cursors.machine)?;
    local.stamp_pending(&mut clock, items.as_ref(), false)?;

    // Merged a part at a time (each part commits with its cursors): memory holds one part,
    // however large the sync a computer joins.
    let mut applied = Applied::default();
    let mut read_bytes = 0;
    let machines = loop {
        let Received {
            changes,
            machines,
            bytes,
            refused: part_refused,
            more,
        } = place.receive_some(key, &mut cursors, RECEIVE_PART).await?;
        for e in part_refused {
            let e = e.to_string();
            if !refused.contains(&e) {
                refused.push(e);
            }
        }
        read_bytes += bytes;
        let got = local.apply(&changes, &cursors, &mut clock, config)?;
        applied.configs += got.configs;
        applied.settings += got.settings;
        applied.records += got.records;
        applied.deleted += got.deleted;
        if !more {
            break machines;
        }
    };

    // What this computer had before it joined, now that it knows what the sync has; and
    // what was changed here while it read.
    let items = match config {
        Some(_) => shared_now().ok().flatten(),
        None => None,
    };
    local.stamp_pending(&mut clock, items.as_ref(), true)?;
    let (outbox, upto) = local.outbox(items.as_ref())?;
    let sent_bytes = place.send(key, &mut cursors, &outbox).await?;
    local.sent(upto, &cursors)?;

    let mut report = Report {
        sent: outbox.len(),
        sent_bytes,
        received: applied,
        read_bytes,
        // This one counts even before its first object is listed.
        machines: machines.len() + usize::from(!machines.contains(&cursors.machine)),
        compacted: false,
        refused,
    };
    // A run is compacted only with every item it holds at hand (not while the keyring keeps
    // the configs' secrets out of reach).
    let held = match config {
        Some(_) => items,
        None => (!wanted).then(BTreeMap::new),
    };
    if let Some(held) = held {
        if place.own_objects(&cursors).await? > COMPACT_AFTER {
            let live = place.machines().await?;
            let own = local.own_changes(&cursors.machine, &live, &held)?;
            report.sent_bytes += place.compact(key, &mut cursors, &own).await?;
            local.sent(0, &cursors)?;
            report.compacted = true;
        }
    }
    local.note_last(crate::album::now_ms())?;
    Ok(report)
}
