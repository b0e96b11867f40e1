//! How machines exchange changes through the sync place, with no lock and no file written by
//! two machines.
//!
//! The folder holds the key file (`key`, the one object in clear; see [`seal`](super::seal))
//! and, for each machine, a numbered run of sealed objects named by the machine's random id and
//! a sequence number: `<machine>-<seq>.pxs`, each a batch of at most [`BATCH_CHANGES`] changes.
//! A machine only ever creates objects of its own id and never overwrites one, so two machines
//! syncing at the same moment cannot lose each other's writes. Every other machine keeps, per
//! machine, the last number it read (its cursor) and reads only the objects after it: the bytes
//! moved grow with the changes, not with the album.
//!
//! **Compaction**: a machine whose run grew long writes its whole own state again as new
//! batches, then a marker `<machine>-<seq>.base` naming the first of them, then removes the
//! older objects. A reader whose cursor is before the newest base starts at the base (the
//! batches from there hold all of that machine's changes); one already past it goes on from its
//! cursor. A reader that meets an object removed while it read starts again from the listing.
//!
//! Names carry no content: what the storage sees is how many machines there are and how often
//! each sends. The name is sealed into each object, so an object moved to another name, or an
//! older object put back under a newer name, does not open.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::merge::Change;
use super::seal::{KeyFile, SyncKey};
use crate::error::{Error, Result};
use crate::hosts::storage::SyncPlace;
use crate::hosts::Http;
use crate::msg::msg;

/// The key file's name in the folder.
pub const KEY_FILE: &str = "key";
/// The most changes one object carries (a few MB of sealed JSON at the most).
pub const BATCH_CHANGES: usize = 5_000;
/// The largest object a machine reads (far above what [`BATCH_CHANGES`] changes take).
pub const MAX_OBJECT: u64 = 64 * 1024 * 1024;
/// How many taken numbers in a row a send skips before it says something is wrong.
const TAKEN_TRIES: usize = 64;
/// How often reading starts again when objects are removed under it (compaction elsewhere).
const READ_TRIES: usize = 4;

/// A new machine's id: 16 random hex digits (nothing about the computer).
pub fn new_machine_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..16].to_string()
}

fn is_machine_id(id: &str) -> bool {
    id.len() == 16
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// What one of the folder's names is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Object<'a> {
    Batch(&'a str, u64),
    Base(&'a str, u64),
}

fn parse_name(name: &str) -> Option<Object<'_>> {
    let (stem, ext) = name.rsplit_once('.')?;
    let (machine, seq) = stem.split_once('-')?;
    if !is_machine_id(machine) || seq.len() != 12 || !seq.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let seq = seq.parse().ok()?;
    match ext {
        "pxs" => Some(Object::Batch(machine, seq)),
        "base" => Some(Object::Base(machine, seq)),
        _ => None,
    }
}

fn batch_name(machine: &str, seq: u64) -> String {
    format!("{machine}-{seq:012}.pxs")
}

fn base_name(machine: &str, seq: u64) -> String {
    format!("{machine}-{seq:012}.base")
}

/// What a batch holds, sealed. The machine and number are the name's again, checked.
#[derive(Serialize, Deserialize)]
struct Batch {
    machine: String,
    seq: u64,
    changes: Vec<Change>,
}

/// A base marker, sealed: where a machine's full state starts.
#[derive(Serialize, Deserialize)]
struct Base {
    machine: String,
    from: u64,
}

/// This machine's place in the exchange, kept beside its album (and saved with what it
/// merged): its id, the number its next object gets, and each other machine's cursor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursors {
    pub machine: String,
    pub next_seq: u64,
    /// The last object read of each other machine.
    pub read: BTreeMap<String, u64>,
}

impl Cursors {
    pub fn new(machine: String) -> Self {
        Cursors {
            machine,
            next_seq: 1,
            read: BTreeMap::new(),
        }
    }
}

/// A sync folder in a storage config's place.
pub struct Place<'a> {
    pub store: &'a dyn SyncPlace,
    pub http: &'a Http,
    folder: String,
}

/// What a reading brought.
#[derive(Debug, Default)]
pub struct Received {
    pub changes: Vec<Change>,
    /// Every machine that has sent anything, this one included.
    pub machines: Vec<String>,
    /// Bytes read.
    pub bytes: u64,
    /// Objects that were refused (changed, cut short, sealed under another key), in words:
    /// their machine's run is read up to them, the other machines' runs on.
    pub refused: Vec<Error>,
    /// Reading stopped at its bound with more to read: merge these, then read on.
    pub more: bool,
}

fn tampered(name: &str, why: crate::msg::Msg) -> Error {
    Error::BadResponse(msg!(
        "the sync object {name} on the storage is not what its name says ({why}); nothing of it was used (the rest synced)",
        name = name.to_string()
    ))
}

impl<'a> Place<'a> {
    /// The folder `folder` (e.g. `pixdrop-sync`) of a place.
    pub fn new(store: &'a dyn SyncPlace, http: &'a Http, folder: &str) -> Result<Self> {
        let folder = folder.trim().trim_matches('/').to_string();
        if !crate::hosts::storage::is_key(&folder) {
            return Err(Error::Input(msg!(
                "the sync folder {folder:?} is not a folder name inside the storage (no .., no leading /)"
            )));
        }
        Ok(Place {
            store,
            http,
            folder,
        })
    }

    fn key_of(&self, name: &str) -> String {
        format!("{}/{name}", self.folder)
    }

    /// The key of the sync in this folder from the passphrase: the folder's key file's when
    /// there is one (joining), else a new one (`true`: this machine started the sync). Two
    /// machines starting at once end with one key file, the first written.
    pub async fn unlock_or_start(&self, passphrase: &str) -> Result<(SyncKey, bool)> {
        for _ in 0..2 {
            if let Some(key) = self.unlock(passphrase).await? {
                return Ok((key, false));
            }
            let (file, key) = KeyFile::create(passphrase)?;
            let bytes = Bytes::from(file.to_bytes());
            if self
                .store
                .create(self.http, &self.key_of(KEY_FILE), bytes)
                .await?
            {
                return Ok((key, true));
            }
        }
        Err(Error::Storage(msg!(
            "the sync's key file in {folder} keeps appearing and disappearing; try again",
            folder = self.folder.clone()
        )))
    }

    /// The key of the sync in this folder, or `None` when no sync was started there.
    pub async fn unlock(&self, passphrase: &str) -> Result<Option<SyncKey>> {
        let Some(bytes) = self
            .store
            .read(self.http, &self.key_of(KEY_FILE), 64 * 1024)
            .await?
        else {
            return Ok(None);
        };
        let file = KeyFile::parse(&bytes)?;
        // Deriving takes a fraction of a second of one core: off the async threads.
        let passphrase = zeroize::Zeroizing::new(passphrase.to_string());
        let key = tokio::task::spawn_blocking(move || file.unlock(&passphrase))
            .await
            .map_err(|e| {
                Error::Internal(msg!("deriving the sync key failed: {e}", e = e.to_string()))
            })??;
        Ok(Some(key))
    }

    /// Send `changes` as this machine's next objects; the cursors' `next_seq` moves past them.
    /// Returns the bytes written. A number already taken (this machine's record of it was lost)
    /// is skipped, never overwritten.
    pub async fn send(&self, key: &SyncKey, me: &mut Cursors, changes: &[Change]) -> Result<u64> {
        // This machine's numbers as the folder has them: a record restored from a backup, or
        // lost, must not write below its newest base, where readers no longer look.
        for f in self.store.list(self.http, &self.folder).await? {
            if let Some(Object::Batch(m, s) | Object::Base(m, s)) = parse_name(&f.name) {
                if m == me.machine {
                    me.next_seq = me.next_seq.max(s + 1);
                }
            }
        }
        let mut written = 0;
        for chunk in changes.chunks(BATCH_CHANGES) {
            written += self.put_batch(key, me, chunk.to_vec()).await?;
        }
        Ok(written)
    }

    async fn put_batch(
        &self,
        key: &SyncKey,
        me: &mut Cursors,
        changes: Vec<Change>,
    ) -> Result<u64> {
        let mut batch = Batch {
            machine: me.machine.clone(),
            seq: me.next_seq,
            changes,
        };
        for _ in 0..TAKEN_TRIES {
            let name = batch_name(&me.machine, batch.seq);
            let plain = serde_json::to_vec(&batch).expect("a batch serialises");
            let sealed = Bytes::from(key.seal(&name, &plain));
            let size = sealed.len() as u64;
            let made = self
                .store
                .create(self.http, &self.key_of(&name), sealed)
                .await?;
            batch.seq += 1;
            me.next_seq = batch.seq;
            if made {
                return Ok(size);
            }
        }
        Err(Error::Storage(msg!(
            "{tries} numbers in a row of this computer's sync objects were taken in {folder}: another computer uses this computer's sync id (a copied data folder?); set sync up again on one of them",
            tries = TAKEN_TRIES,
            folder = self.folder.clone()
        )))
    }

    /// Read what the other machines sent after the cursors; the cursors move past what was read.
    pub async fn receive(&self, key: &SyncKey, me: &mut Cursors) -> Result<Received> {
        self.receive_some(key, me, usize::MAX).await
    }

    /// As [`receive`](Self::receive), stopping after the object that brings the changes read
    /// to `max_changes` or more (`more` says so): a computer joining a large sync merges it
    /// in parts, holding a part in memory at a time.
    pub async fn receive_some(
        &self,
        key: &SyncKey,
        me: &mut Cursors,
        max_changes: usize,
    ) -> Result<Received> {
        for _ in 0..READ_TRIES {
            let mut trial = me.clone();
            if let Some(got) = self.receive_once(key, &mut trial, max_changes).await? {
                *me = trial;
                return Ok(got);
            }
        }
        Err(Error::Storage(msg!(
            "objects in the sync folder {folder} kept disappearing while they were read (another computer compacting?); try again",
            folder = self.folder.clone()
        )))
    }

    /// One reading; `None` when an object listed was gone when read.
    async fn receive_once(
        &self,
        key: &SyncKey,
        me: &mut Cursors,
        max_changes: usize,
    ) -> Result<Option<Received>> {
        let files = self.store.list(self.http, &self.folder).await?;
        // Per machine: its batches and its bases.
        let mut runs: BTreeMap<&str, (Vec<u64>, Vec<u64>)> = BTreeMap::new();
        for f in &files {
            match parse_name(&f.name) {
                Some(Object::Batch(m, s)) => runs.entry(m).or_default().0.push(s),
                Some(Object::Base(m, s)) => runs.entry(m).or_default().1.push(s),
                None => {}
            }
        }
        let mut got = Received::default();
        for (machine, (mut seqs, mut bases)) in runs {
            got.machines.push(machine.to_string());
            if got.more {
                continue;
            }
            if machine == me.machine {
                // This machine's own numbers, in case its record of them was lost.
                if let Some(max) = seqs.iter().chain(&bases).max() {
                    me.next_seq = me.next_seq.max(max + 1);
                }
                continue;
            }
            seqs.sort_unstable();
            bases.sort_unstable();
            let mut start = me.read.get(machine).copied().unwrap_or(0) + 1;
            if let Some(&base_seq) = bases.last().filter(|b| **b >= start) {
                let name = base_name(machine, base_seq);
                let Some(bytes) = self.read(&name).await? else {
                    return Ok(None);
                };
                got.bytes += bytes.len() as u64;
                let base: Base = match self.open(key, &name, &bytes) {
                    Ok(b) => b,
                    Err(e) => {
                        got.refused.push(e);
                        continue;
                    }
                };
                if base.machine != machine || base.from > base_seq {
                    got.refused.push(tampered(
                        &name,
                        msg!("its contents name another place in the run"),
                    ));
                    continue;
                }
                // The batches from `from` to the base hold that machine's whole state again:
                // one that read all before them skips them, one behind starts there (what it
                // missed may be gone).
                start = if start >= base.from {
                    base_seq + 1
                } else {
                    base.from
                };
                me.read.insert(machine.to_string(), start - 1);
            }
            let mut expected = start;
            for seq in seqs.into_iter().filter(|s| *s >= start) {
                if got.changes.len() >= max_changes {
                    got.more = true;
                    break;
                }
                while bases.binary_search(&expected).is_ok() {
                    expected += 1;
                }
                if seq != expected {
                    // A gap: an object not there yet (still being written elsewhere) or gone.
                    break;
                }
                let name = batch_name(machine, seq);
                let Some(bytes) = self.read(&name).await? else {
                    return Ok(None);
                };
                got.bytes += bytes.len() as u64;
                let checked = self.open::<Batch>(key, &name, &bytes).and_then(|batch| {
                    if batch.machine != machine || batch.seq != seq {
                        Err(tampered(
                            &name,
                            msg!("its contents carry another machine or number"),
                        ))
                    } else {
                        // A run may carry others' changes with their own stamps: what a
                        // computer writes again when the sync is sealed anew, and what
                        // compaction keeps of machines whose runs went with the old key.
                        Ok(batch)
                    }
                });
                let batch = match checked {
                    Ok(b) => b,
                    Err(e) => {
                        // This machine's run stops here until the object opens; the others go on.
                        got.refused.push(e);
                        break;
                    }
                };
                got.changes.extend(batch.changes);
                me.read.insert(machine.to_string(), seq);
                expected = seq + 1;
            }
        }
        Ok(Some(got))
    }

    /// Write this machine's whole state (`own`: every change it made that still stands) again
    /// as new batches, mark where they start, and remove its older objects. Returns the bytes
    /// written.
    pub async fn compact(&self, key: &SyncKey, me: &mut Cursors, own: &[Change]) -> Result<u64> {
        let from = me.next_seq;
        let mut written = self.send(key, me, own).await?;
        // Even an empty state gets its base, so the older batches can go.
        let base_seq = me.next_seq.max(from);
        let name = base_name(&me.machine, base_seq);
        let plain = serde_json::to_vec(&Base {
            machine: me.machine.clone(),
            from,
        })
        .expect("a base serialises");
        let sealed = Bytes::from(key.seal(&name, &plain));
        written += sealed.len() as u64;
        if !self
            .store
            .create(self.http, &self.key_of(&name), sealed)
            .await?
        {
            return Err(Error::Storage(msg!(
                "{name} is already in the sync folder: another computer uses this computer's sync id; set sync up again here",
                name = name.clone()
            )));
        }
        me.next_seq = base_seq + 1;
        // Only now the older objects go: a reader before this point still finds them.
        for f in self.store.list(self.http, &self.folder).await? {
            let old = match parse_name(&f.name) {
                Some(Object::Batch(m, s)) => m == me.machine && s < from,
                Some(Object::Base(m, s)) => m == me.machine && s < base_seq,
                None => false,
            };
            if old {
                self.store
                    .delete_key(self.http, &self.key_of(&f.name))
                    .await?;
            }
        }
        Ok(written)
    }

    /// Seal the sync anew under `passphrase`: a new key file in place of the old one, and
    /// every machine's objects (sealed under the old key) removed. The caller then writes the
    /// whole state under the returned key; the others are asked for the new passphrase.
    pub async fn rekey(&self, passphrase: &str) -> Result<SyncKey> {
        let passphrase = zeroize::Zeroizing::new(passphrase.to_string());
        // Deriving takes a fraction of a second of one core: off the async threads.
        let (file, key) = tokio::task::spawn_blocking(move || KeyFile::create(&passphrase))
            .await
            .map_err(|e| {
                Error::Internal(msg!("deriving the sync key failed: {e}", e = e.to_string()))
            })??;
        self.store
            .delete_key(self.http, &self.key_of(KEY_FILE))
            .await?;
        if !self
            .store
            .create(
                self.http,
                &self.key_of(KEY_FILE),
                Bytes::from(file.to_bytes()),
            )
            .await?
        {
            return Err(Error::Storage(msg!(
                "another computer set a sync up in {folder} at the same moment; run the change again",
                folder = self.folder.clone()
            )));
        }
        self.remove_objects(None).await?;
        Ok(key)
    }

    /// Remove the objects of machine `machine` (a run this computer left when it joined anew
    /// under another id), or every machine's with `None`.
    pub async fn remove_objects(&self, machine: Option<&str>) -> Result<()> {
        for f in self.store.list(self.http, &self.folder).await? {
            let of = match parse_name(&f.name) {
                Some(Object::Batch(m, _) | Object::Base(m, _)) => m,
                None => continue,
            };
            if machine.is_none_or(|m| m == of) {
                self.store
                    .delete_key(self.http, &self.key_of(&f.name))
                    .await?;
            }
        }
        Ok(())
    }

    async fn read(&self, name: &str) -> Result<Option<Vec<u8>>> {
        self.store
            .read(self.http, &self.key_of(name), MAX_OBJECT)
            .await
    }

    fn open<T: serde::de::DeserializeOwned>(
        &self,
        key: &SyncKey,
        name: &str,
        sealed: &[u8],
    ) -> Result<T> {
        let plain = key.open(name, sealed)?;
        serde_json::from_slice(&plain).map_err(|e| {
            tampered(
                name,
                msg!(
                    "it opens but is not Pixdrop's sync data: {e}",
                    e = e.to_string()
                ),
            )
        })
    }

    /// The machines that have sent anything to the folder.
    pub async fn machines(&self) -> Result<Vec<String>> {
        let mut ids: Vec<String> = self
            .store
            .list(self.http, &self.folder)
            .await?
            .iter()
            .filter_map(|f| match parse_name(&f.name) {
                Some(Object::Batch(m, _) | Object::Base(m, _)) => Some(m.to_string()),
                None => None,
            })
            .collect();
        ids.dedup();
        Ok(ids)
    }

    /// How many objects this machine has in the folder (to know when to compact).
    pub async fn own_objects(&self, me: &Cursors) -> Result<usize> {
        Ok(self
            .store
            .list(self.http, &self.folder)
            .await?
            .iter()
            .filter(|f| matches!(parse_name(&f.name), Some(Object::Batch(m, _)) if m == me.machine))
            .count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read_back_and_nothing_else_counts() {
        let m = "0123456789abcdef";
        assert_eq!(parse_name(&batch_name(m, 7)), Some(Object::Batch(m, 7)));
        assert_eq!(parse_name(&base_name(m, 12)), Some(Object::Base(m, 12)));
        for other in [
            "key",
            "0123456789abcdef-000000000007.pxs.part",
            "0123456789ABCDEF-000000000007.pxs",
            "0123456789abcdef-7.pxs",
            "../0123456789abcdef-000000000007.pxs",
            "0123456789abcdef-00000000000x.pxs",
        ] {
            assert_eq!(parse_name(other), None, "{other}");
        }
        let id = new_machine_id();
        assert!(is_machine_id(&id), "{id}");
        assert_ne!(id, new_machine_id());
    }
}
