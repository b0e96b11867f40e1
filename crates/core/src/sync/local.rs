//! This machine's side of a sync, kept in the album's database so that what a sync merges and
//! where it stopped commit together (album migration 7): the exchange's cursors, each synced
//! item's last stamp, the changes made here not sent yet, and the journal of the album's own
//! changes that its triggers keep while sync is on.
//!
//! A record travels as its [`RecordValue`] under its global id (`gid`); its local id, link
//! checks and thumbnails stay on each machine.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::exchange::Cursors;
use super::merge::{Change, Clock, Content, Item, Stamp};
use super::shared;
use crate::album::Album;
use crate::config::ConfigStore;
use crate::error::{Error, Result};
use crate::msg::msg;

/// What of a record syncs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordValue {
    pub host_kind: String,
    pub config_name: String,
    pub file_name: String,
    pub stored_name: String,
    pub url: String,
    pub delete_handle: Option<String>,
    pub size: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub sha256: Option<String>,
    pub created_at: i64,
    pub mirror_group: Option<String>,
    pub sent_sha256: Option<String>,
    pub host_deleted_at: Option<i64>,
    /// The host's own link when a URL rewrite rule changed it (absent from older computers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_url: Option<String>,
}

const RECORD_COLUMNS: &str = "host_kind, config_name, file_name, stored_name, url, delete_handle, size, width, height, sha256, created_at, mirror_group, sent_sha256, host_deleted_at, origin_url";

fn record_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<RecordValue> {
    Ok(RecordValue {
        host_kind: r.get(0)?,
        config_name: r.get(1)?,
        file_name: r.get(2)?,
        stored_name: r.get(3)?,
        url: r.get(4)?,
        delete_handle: r.get(5)?,
        size: r.get::<_, i64>(6)? as u64,
        width: r.get(7)?,
        height: r.get(8)?,
        sha256: r.get(9)?,
        created_at: r.get(10)?,
        mirror_group: r.get(11)?,
        sent_sha256: r.get(12)?,
        host_deleted_at: r.get(13)?,
        origin_url: r.get(14)?,
    })
}

/// An item as `sync_items` names it.
fn item_key(item: &Item) -> String {
    match item {
        Item::Config(id) => format!("config:{id}"),
        Item::Setting(key) => format!("setting:{key}"),
        Item::Record(gid) => format!("record:{gid}"),
    }
}

/// The item `sync_items` names `key`.
fn item_of(key: &str) -> Result<Item> {
    let (kind, id) = key.split_once(':').unwrap_or_default();
    let id = id.to_string();
    match kind {
        "config" => Ok(Item::Config(id)),
        "setting" => Ok(Item::Setting(id)),
        "record" => Ok(Item::Record(id)),
        _ => Err(Error::Storage(msg!(
            "the album's sync data is damaged (an item {key:?}); turn sync off and on again"
        ))),
    }
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("sync data serialises")
}

fn corrupt(what: &str, e: serde_json::Error) -> Error {
    Error::Storage(msg!(
        "the album's sync data is damaged ({what}: {e}); turn sync off and on again",
        what = what.to_string(),
        e = e.to_string()
    ))
}

/// What merging brought into the album.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Applied {
    /// Host configs added, changed or removed.
    pub configs: usize,
    /// Settings changed.
    pub settings: usize,
    /// Records added or changed.
    pub records: usize,
    /// Records removed.
    pub deleted: usize,
}

/// The sync's side of one album.
pub struct Local<'a> {
    album: &'a Album,
}

impl<'a> Local<'a> {
    pub fn new(album: &'a Album) -> Self {
        Local { album }
    }

    /// Where this machine is in the exchange; `None` while sync is off.
    pub fn cursors(&self) -> Result<Option<Cursors>> {
        self.cursors_in(&self.album.conn())
    }

    fn cursors_in(&self, conn: &rusqlite::Connection) -> Result<Option<Cursors>> {
        meta(conn, "cursors")?
            .map(|t| serde_json::from_str(&t).map_err(|e| corrupt("cursors", e)))
            .transpose()
    }

    /// Turn sync on for this album as machine `cursors.machine`: from now on its changes are
    /// noted, and every record it has is noted now as older than any synced change (the first
    /// sync sends them all; changes made while sync was off count as that old).
    pub fn start(&self, cursors: &Cursors) -> Result<()> {
        let here = self.file_identity();
        let mut conn = self.album.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(
            "DELETE FROM sync_journal; DELETE FROM sync_outbox; DELETE FROM sync_items;
             DELETE FROM sync_applying; DELETE FROM sync_parked;
             DELETE FROM sync_meta WHERE key = 'shared';
             INSERT OR REPLACE INTO sync_meta (key, value) VALUES ('journal', '1');",
        )?;
        // The album as it is, stamped older than any change a sync has made: what this
        // computer alone has is sent, and where the others changed a record since (this one
        // joining again after being behind) their change stands.
        tx.execute_batch(
            "INSERT INTO sync_journal (gid, at) SELECT gid, 0 FROM uploads WHERE gid IS NOT NULL ORDER BY id",
        )?;
        if let Some(here) = here {
            set_meta(&tx, "file", &here)?;
        }
        save_cursors(&tx, cursors)?;
        tx.commit()?;
        Ok(())
    }

    /// Turn sync off here: nothing is noted any more, and what was not sent is dropped (nothing
    /// on the storage changes). The album keeps every record.
    pub fn stop(&self) -> Result<()> {
        self.album.conn().execute_batch(
            "BEGIN IMMEDIATE; DELETE FROM sync_meta; DELETE FROM sync_journal;
             DELETE FROM sync_outbox; DELETE FROM sync_items; DELETE FROM sync_parked; COMMIT;",
        )?;
        Ok(())
    }

    /// Where this album's file is (device and inode on Unix): a copy of the data folder, or one
    /// restored from a backup, has another. `None` where it cannot be told (in memory, Windows).
    fn file_identity(&self) -> Option<String> {
        let path = self.album.conn().path()?.to_string();
        if path.is_empty() {
            return None;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let m = std::fs::metadata(&path).ok()?;
            Some(format!("{}:{}", m.dev(), m.ino()))
        }
        #[cfg(not(unix))]
        {
            None
        }
    }

    /// When this album is a copy of one that synced (its data folder copied to another computer,
    /// or restored from a backup), the computer it was copied from syncs under the same id, and
    /// each would take the other's objects for its own and never read them. The copy then
    /// becomes a computer of its own: it takes the id `new`, reads the old id's objects as
    /// another computer's, and sends again every change it made under the old id (`shared`:
    /// the configs and settings now). Returns the old id when it did.
    pub fn part_from_original(
        &self,
        new: &str,
        shared: &BTreeMap<Item, Value>,
    ) -> Result<Option<String>> {
        let Some(here) = self.file_identity() else {
            return Ok(None);
        };
        let noted = meta(&self.album.conn(), "file")?;
        let Some(cursors) = self.cursors()? else {
            return Ok(None);
        };
        if noted.as_deref() == Some(here.as_str()) {
            return Ok(None);
        }
        let copied = noted.is_some();
        let again = if copied {
            self.standing(|m| m == cursors.machine, shared)?
        } else {
            Vec::new()
        };
        let mut conn = self.album.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        set_meta(&tx, "file", &here)?;
        if !copied {
            tx.commit()?;
            return Ok(None);
        }
        for change in &again {
            queue(&tx, change)?;
        }
        let mut parted = Cursors::new(new.to_string());
        parted.read = cursors.read.clone();
        parted.read.insert(cursors.machine.clone(), 0);
        save_cursors(&tx, &parted)?;
        tx.commit()?;
        Ok(Some(cursors.machine))
    }

    /// A clock for this machine that is past every stamp it has stored.
    pub fn clock(&self, machine: &str) -> Result<Clock> {
        let mut clock = Clock::new(machine);
        let conn = self.album.conn();
        let mut st = conn.prepare("SELECT stamp FROM sync_items")?;
        let now = crate::album::now_ms() as u64;
        for text in st.query_map([], |r| r.get::<_, String>(0))? {
            let stamp: Stamp = serde_json::from_str(&text?).map_err(|e| corrupt("stamp", e))?;
            clock.observe(&stamp, now);
        }
        Ok(clock)
    }

    /// Stamp what the journal noted, and the configs and settings that differ from what was
    /// last synced (`shared`: each one's value now, `None` when they cannot be read now), and
    /// move them to the outbox, in one commit. Returns how many changes were stamped.
    ///
    /// `joined`: this computer has merged what the sync had (after its first reading): only
    /// then are the configs and settings it had before it joined stamped, those the sync does
    /// not have (see [`shared_changes`]).
    pub fn stamp_pending(
        &self,
        clock: &mut Clock,
        shared: Option<&BTreeMap<Item, Value>>,
        joined: bool,
    ) -> Result<usize> {
        let mut conn = self.album.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut n = stamp_journal(&tx, clock)?;
        if let Some(items) = shared {
            n += stamp_shared(&tx, clock, items, joined)?;
        }
        tx.commit()?;
        Ok(n)
    }

    /// The changes stamped here and not sent yet, and the outbox position they reach.
    ///
    /// A config's value is read from `shared` (the configs as they are now: what it holds
    /// when sent, secrets included, is its latest); without it (the keyring cannot give the
    /// secrets now) the outbox is taken up to its first config, the rest waits.
    pub fn outbox(&self, shared: Option<&BTreeMap<Item, Value>>) -> Result<(Vec<Change>, i64)> {
        let conn = self.album.conn();
        let mut st = conn.prepare("SELECT seq, change FROM sync_outbox ORDER BY seq")?;
        let mut changes = Vec::new();
        let mut upto = 0;
        for row in st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
            let (seq, text) = row?;
            let mut change: Change =
                serde_json::from_str(&text).map_err(|e| corrupt("outbox", e))?;
            if let (Item::Config(_), Content::Set(Value::Null)) = (&change.item, &change.content) {
                let Some(shared) = shared else { break };
                change.content = shared
                    .get(&change.item)
                    .cloned()
                    .map_or(Content::Removed, Content::Set);
            }
            changes.push(change);
            upto = seq;
        }
        Ok((changes, upto))
    }

    /// The outbox up to `upto` was sent: drop it, and keep where the exchange is.
    pub fn sent(&self, upto: i64, cursors: &Cursors) -> Result<()> {
        let mut conn = self.album.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM sync_outbox WHERE seq <= ?1", [upto])?;
        save_cursors(&tx, cursors)?;
        tx.commit()?;
        Ok(())
    }

    /// Merge changes from the other machines into the album, and keep `cursors`, in one commit:
    /// a crash leaves both as they were, and the next sync reads the same changes again.
    ///
    /// What was changed here since the sync began (an upload, a delete in the app) is stamped
    /// first in the same commit, so it competes with the arriving changes by the rule rather
    /// than being overwritten by them.
    ///
    /// Configs and settings go into `config` (when given: `None` keeps them aside for a sync
    /// that can write it), written before the album commits: a crash between the two leaves
    /// the changes unread, and the next sync puts the same values in again.
    pub fn apply(
        &self,
        changes: &[Change],
        cursors: &Cursors,
        clock: &mut Clock,
        config: Option<&ConfigStore>,
    ) -> Result<Applied> {
        let mut conn = self.album.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        stamp_journal(&tx, clock)?;
        // What this transaction changes is not noted as this machine's own change.
        tx.execute("INSERT INTO sync_applying (one) VALUES (1)", [])?;
        let mut applied = Applied::default();
        let mut shared_changes = Vec::new();
        for change in changes {
            let Item::Record(gid) = &change.item else {
                match config {
                    Some(_) => shared_changes.push(change.clone()),
                    None => park(&tx, change)?,
                }
                continue;
            };
            if let Some((stamp, removed)) = stored_stamp(&tx, &change.item)? {
                if !change.beats(&stamp, removed) {
                    continue;
                }
            }
            store_item(&tx, change)?;
            match &change.content {
                Content::Removed => {
                    applied.deleted += tx
                        .prepare_cached("DELETE FROM uploads WHERE gid = ?1")?
                        .execute([gid])?;
                }
                Content::Set(v) => {
                    let r: RecordValue = serde_json::from_value(v.clone()).map_err(|e| {
                        Error::BadResponse(msg!(
                            "a record from another computer is not one this Pixdrop reads ({e}); update Pixdrop here",
                            e = e.to_string()
                        ))
                    })?;
                    upsert_record(&tx, gid, &r)?;
                    applied.records += 1;
                }
            }
        }
        if let Some(store) = config {
            apply_shared(&tx, clock, store, shared_changes, &mut applied)?;
        }
        tx.execute("DELETE FROM sync_applying", [])?;
        save_cursors(&tx, cursors)?;
        tx.commit()?;
        Ok(applied)
    }

    /// Every change this machine's run must hold, as it stands now (what compaction writes
    /// again): the ones it made, and the ones of machines with no objects in the folder any
    /// more (`live`: the machines that have), whose own runs were removed when the sync was
    /// sealed anew. A machine with objects holds its own changes in its run.
    pub fn own_changes(
        &self,
        machine: &str,
        live: &[String],
        shared: &BTreeMap<Item, Value>,
    ) -> Result<Vec<Change>> {
        self.standing(|by| by == machine || !live.iter().any(|m| m == by), shared)
    }

    /// Every item's last change known here, as it stands now, whichever machine made it (what
    /// a computer writes when the sync is sealed anew).
    pub fn all_changes(&self, shared: &BTreeMap<Item, Value>) -> Result<Vec<Change>> {
        self.standing(|_| true, shared)
    }

    fn standing(
        &self,
        keep: impl Fn(&str) -> bool,
        shared: &BTreeMap<Item, Value>,
    ) -> Result<Vec<Change>> {
        let conn = self.album.conn();
        let mut st = conn.prepare("SELECT item, stamp, removed FROM sync_items")?;
        let rows: Vec<(String, String, bool)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::new();
        for (item, stamp, removed) in rows {
            let stamp: Stamp = serde_json::from_str(&stamp).map_err(|e| corrupt("stamp", e))?;
            // A baseline was never sent: nothing to write again.
            if stamp == baseline() || !keep(&stamp.machine) {
                continue;
            }
            let Some(gid) = item.strip_prefix("record:") else {
                let item = item_of(&item)?;
                let value = if removed {
                    None
                } else {
                    shared.get(&item).cloned()
                };
                out.push(Change {
                    item,
                    stamp,
                    content: value.map_or(Content::Removed, Content::Set),
                });
                continue;
            };
            let value = if removed {
                None
            } else {
                conn.query_row(
                    &format!("SELECT {RECORD_COLUMNS} FROM uploads WHERE gid = ?1"),
                    [gid],
                    record_of,
                )
                .optional()?
            };
            out.push(Change {
                item: Item::Record(gid.to_string()),
                stamp,
                content: match value {
                    Some(v) => Content::Set(serde_json::to_value(v).expect("a record serialises")),
                    None => Content::Removed,
                },
            });
        }
        Ok(out)
    }

    /// Keep when the last sync ended (Unix ms).
    pub fn note_last(&self, at: i64) -> Result<()> {
        set_meta(&self.album.conn(), "last", &at.to_string())
    }

    /// When the last sync ended (Unix ms), if one did.
    pub fn last(&self) -> Result<Option<i64>> {
        Ok(meta(&self.album.conn(), "last")?.and_then(|t| t.parse().ok()))
    }

    /// How many changes wait: noted and not stamped, or stamped and not sent, and the configs
    /// and settings changed since last synced (`shared`: each one's value now).
    pub fn pending(&self, shared: Option<&BTreeMap<Item, Value>>) -> Result<u64> {
        let mut conn = self.album.conn();
        let n: i64 = conn.query_row(
            "SELECT (SELECT count(DISTINCT gid) FROM sync_journal) + (SELECT count(*) FROM sync_outbox)",
            [],
            |r| r.get(0),
        )?;
        let mut changed = 0;
        if let (Some(items), Some(cursors)) = (shared, self.cursors_in(&conn)?) {
            // Only counted: the transaction is rolled back.
            let tx = conn.transaction()?;
            let mut clock = Clock::new(cursors.machine);
            changed = shared_changes(&tx, &mut clock, items, false)?.0.len();
        }
        Ok(n as u64 + changed as u64)
    }
}

/// Stamp what the journal noted (each record's last note: its value now) into the outbox and
/// `sync_items`, and empty the journal. A stamp is never below the one stored for the item (a
/// machine whose clock ran ahead changed it last): it comes just after it, so this change wins
/// here and everywhere alike.
fn stamp_journal(tx: &Transaction<'_>, clock: &mut Clock) -> Result<usize> {
    let noted: Vec<(i64, String, i64)> = {
        let mut st = tx.prepare("SELECT seq, gid, at FROM sync_journal ORDER BY seq")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut seen = std::collections::HashSet::new();
    let mut stamped = 0;
    for (_, gid, at) in noted.iter().rev() {
        if !seen.insert(gid.clone()) {
            continue;
        }
        let item = Item::Record(gid.clone());
        let value: Option<RecordValue> = tx
            .query_row(
                &format!("SELECT {RECORD_COLUMNS} FROM uploads WHERE gid = ?1"),
                [gid],
                record_of,
            )
            .optional()?;
        let stored = stored_stamp(tx, &item)?;
        let stamp = stamp_after(clock, (*at).max(0) as u64, stored.as_ref().map(|s| &s.0));
        let change = Change {
            item,
            stamp,
            content: match value {
                Some(v) => Content::Set(serde_json::to_value(v).expect("a record serialises")),
                None => Content::Removed,
            },
        };
        store_item(tx, &change)?;
        queue(tx, &change)?;
        stamped += 1;
    }
    if let Some((last, _, _)) = noted.last() {
        tx.execute("DELETE FROM sync_journal WHERE seq <= ?1", [last])?;
    }
    Ok(stamped)
}

/// A change's stamp made now (`wall`), never below the one stored for the item (a machine
/// whose clock ran ahead changed it last): just after it, so this change wins here and
/// everywhere alike.
fn stamp_after(clock: &mut Clock, wall: u64, stored: Option<&Stamp>) -> Stamp {
    let stamp = clock.stamp(wall);
    match stored {
        Some(stored) if *stored >= stamp => Stamp {
            ms: stored.ms,
            n: stored.n.saturating_add(1),
            machine: stamp.machine,
        },
        _ => stamp,
    }
}

/// The stamp of a value noted as this computer's starting point without being sent: below
/// every real stamp, so any change from elsewhere wins over it, and a later edit here is
/// stamped as a change.
fn baseline() -> Stamp {
    Stamp {
        ms: 0,
        n: 0,
        machine: String::new(),
    }
}

/// A change stamped here, with its value's digest (none for a removal).
type Stamped = (Change, Option<String>);

/// The configs and settings that changed here since last synced (`items`: each one's value
/// now), as changes with their values' digests; nothing before this computer's first merge
/// (`joined` false then), so that what it had before it joined does not compete with the sync.
/// At its first stamping after the first merge (`joined`), only what the sync does not have
/// yet and differs from a new Pixdrop's defaults is a change (stamped as older than any synced
/// change); the rest is this computer's baseline, noted and not sent.
fn shared_changes(
    tx: &Transaction<'_>,
    clock: &mut Clock,
    items: &BTreeMap<Item, Value>,
    joined: bool,
) -> Result<(Vec<Stamped>, bool)> {
    let first = meta(tx, "shared")?.is_none();
    if first && !joined {
        return Ok((Vec::new(), false));
    }
    let wall = if first {
        0
    } else {
        crate::album::now_ms() as u64
    };
    let stored: HashMap<String, (Stamp, bool, Option<String>)> = {
        let mut st = tx.prepare(
            "SELECT item, stamp, removed, digest FROM sync_items WHERE item NOT LIKE 'record:%'",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?;
        let mut out = HashMap::new();
        for row in rows {
            let (key, stamp, removed, digest) = row?;
            let stamp: Stamp = serde_json::from_str(&stamp).map_err(|e| corrupt("stamp", e))?;
            out.insert(key, (stamp, removed, digest));
        }
        out
    };
    let defaults = crate::config::Config::default();
    let mut changes = Vec::new();
    for (item, value) in items {
        let digest = shared::digest(value);
        let known = stored.get(&item_key(item));
        if first && known.is_some() {
            continue;
        }
        if known.is_some_and(|(_, _, d)| d.as_deref() == Some(digest.as_str())) {
            continue;
        }
        // A default the sync never had (the first sync, or a setting new to this version that
        // another computer may have set first) is older than any change made on purpose.
        let stamp = if (first || known.is_none())
            && shared::value(&defaults, item).as_ref() == Some(value)
        {
            baseline()
        } else {
            stamp_after(clock, wall, known.map(|k| &k.0))
        };
        changes.push((
            Change {
                item: item.clone(),
                stamp,
                content: Content::Set(value.clone()),
            },
            Some(digest),
        ));
    }
    for (key, (stamp, removed, _)) in &stored {
        let item = item_of(key)?;
        if first || *removed || !matches!(item, Item::Config(_)) || items.contains_key(&item) {
            continue;
        }
        let stamp = stamp_after(clock, wall, Some(stamp));
        changes.push((
            Change {
                item,
                stamp,
                content: Content::Removed,
            },
            None,
        ));
    }
    Ok((changes, first))
}

/// Stamp what [`shared_changes`] finds into `sync_items` and the outbox (a baseline only into
/// `sync_items`; see [`queue`] for a config's value).
fn stamp_shared(
    tx: &Transaction<'_>,
    clock: &mut Clock,
    items: &BTreeMap<Item, Value>,
    joined: bool,
) -> Result<usize> {
    let (changes, first) = shared_changes(tx, clock, items, joined)?;
    let mut sent = 0;
    for (change, digest) in &changes {
        store_shared(tx, change, digest.as_deref())?;
        if change.stamp == baseline() {
            continue;
        }
        queue(tx, change)?;
        sent += 1;
    }
    if first {
        set_meta(tx, "shared", "1")?;
    }
    Ok(sent)
}

/// Put the configs and settings that win (`changes`, and what an earlier sync kept aside) into
/// the config file, in `store`'s own lock; what was changed here since this sync began is
/// stamped first, so it competes by the rule. What this Pixdrop cannot take is kept aside.
fn apply_shared(
    tx: &Transaction<'_>,
    clock: &mut Clock,
    store: &ConfigStore,
    changes: Vec<Change>,
    applied: &mut Applied,
) -> Result<()> {
    let mut state = super::merge::State::default();
    state.merge(changes);
    {
        let mut st = tx.prepare("SELECT change FROM sync_parked")?;
        for text in st.query_map([], |r| r.get::<_, String>(0))? {
            let change: Change = serde_json::from_str(&text?).map_err(|e| corrupt("parked", e))?;
            state.apply(change);
        }
    }
    let mut winners = Vec::new();
    for change in state.changes() {
        if let Some((stamp, removed)) = stored_stamp(tx, &change.item)? {
            if !change.beats(&stamp, removed) {
                tx.execute(
                    "DELETE FROM sync_parked WHERE item = ?1",
                    [item_key(&change.item)],
                )?;
                continue;
            }
        }
        winners.push(change.clone());
    }
    // What already stands here as it arrives is only stamped: the file is not rewritten (the
    // app reloads its pages when it is), and nothing is counted as received.
    let now = store.load_revealed()?;
    let mut differ = Vec::new();
    for change in winners {
        let here = shared::value(&now, &change.item);
        let same = match &change.content {
            Content::Set(v) => here.as_ref() == Some(v),
            Content::Removed => here.is_none(),
        };
        if same {
            store_shared(tx, &change, here.as_ref().map(shared::digest).as_deref())?;
            tx.execute(
                "DELETE FROM sync_parked WHERE item = ?1",
                [item_key(&change.item)],
            )?;
        } else {
            differ.push(change);
        }
    }
    let winners = differ;
    if winners.is_empty() {
        return Ok(());
    }
    store.update(|config| {
        if let Some(name) = config
            .hosts
            .iter()
            .find(|h| crate::host_config::unreadable_secret(h).is_some())
            .map(|h| h.name.clone())
        {
            return Err(Error::Config(msg!(
                "the system keyring cannot give the secrets of the config {name} now, so configs and settings were not synced; unlock the keyring and sync again"
            )));
        }
        stamp_shared(tx, clock, &shared::items(config), false)?;
        for change in &winners {
            if let Some((stamp, removed)) = stored_stamp(tx, &change.item)? {
                if !change.beats(&stamp, removed) {
                    continue;
                }
            }
            let key = item_key(&change.item);
            let before: Option<String> = tx
                .query_row(
                    "SELECT digest FROM sync_items WHERE item = ?1",
                    [&key],
                    |r| r.get(0),
                )
                .optional()?
                .flatten();
            match shared::put(config, &change.item, &change.content) {
                Ok(put) => {
                    let digest = if put {
                        shared::value(config, &change.item).map(|v| shared::digest(&v))
                    } else {
                        before
                    };
                    store_shared(tx, change, digest.as_deref())?;
                    tx.execute("DELETE FROM sync_parked WHERE item = ?1", [&key])?;
                    if put {
                        match change.item {
                            Item::Config(_) => applied.configs += 1,
                            _ => applied.settings += 1,
                        }
                    }
                }
                Err(_) => park(tx, change)?,
            }
        }
        Ok(())
    })
}

fn store_shared(tx: &Transaction<'_>, change: &Change, digest: Option<&str>) -> Result<()> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO sync_items (item, stamp, removed, digest) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        item_key(&change.item),
        json(&change.stamp),
        change.content == Content::Removed,
        digest
    ])?;
    Ok(())
}

/// An item's stored stamp and whether it was removed.
fn stored_stamp(tx: &Transaction<'_>, item: &Item) -> Result<Option<(Stamp, bool)>> {
    let stored: Option<(String, bool)> = tx
        .prepare_cached("SELECT stamp, removed FROM sync_items WHERE item = ?1")?
        .query_row([item_key(item)], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    stored
        .map(|(stamp, removed)| {
            serde_json::from_str(&stamp)
                .map(|s| (s, removed))
                .map_err(|e| corrupt("stamp", e))
        })
        .transpose()
}

/// Keep the latest change of an item this version does not apply (a config or a setting from
/// a newer Pixdrop), so the version that does finds it.
fn park(tx: &Transaction<'_>, change: &Change) -> Result<()> {
    let key = item_key(&change.item);
    let parked: Option<String> = tx
        .query_row(
            "SELECT change FROM sync_parked WHERE item = ?1",
            [&key],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(text) = parked {
        let old: Change = serde_json::from_str(&text).map_err(|e| corrupt("parked", e))?;
        if !change.beats(&old.stamp, old.content == Content::Removed) {
            return Ok(());
        }
    }
    tx.execute(
        "INSERT OR REPLACE INTO sync_parked (item, change) VALUES (?1, ?2)",
        params![key, json(change)],
    )?;
    Ok(())
}

/// Put a change stamped here in the outbox. A config's value is not kept there (its secrets
/// stay in the config's own place): it is read again when sent ([`Local::outbox`]).
fn queue(tx: &Transaction<'_>, change: &Change) -> Result<()> {
    let queued = match (&change.item, &change.content) {
        (Item::Config(_), Content::Set(_)) => Change {
            content: Content::Set(Value::Null),
            ..change.clone()
        },
        _ => change.clone(),
    };
    tx.execute(
        "INSERT INTO sync_outbox (change) VALUES (?1)",
        [json(&queued)],
    )?;
    Ok(())
}

fn save_cursors(tx: &Transaction<'_>, cursors: &Cursors) -> Result<()> {
    set_meta(tx, "cursors", &json(cursors))
}

/// One of `sync_meta`'s values.
fn meta(conn: &rusqlite::Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM sync_meta WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

fn set_meta(conn: &rusqlite::Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO sync_meta (key, value) VALUES (?1, ?2)",
        [key, value],
    )?;
    Ok(())
}

fn store_item(tx: &Transaction<'_>, change: &Change) -> Result<()> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO sync_items (item, stamp, removed) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![
        item_key(&change.item),
        json(&change.stamp),
        change.content == Content::Removed
    ])?;
    Ok(())
}

fn upsert_record(tx: &Transaction<'_>, gid: &str, r: &RecordValue) -> Result<()> {
    let args = params![
        gid,
        r.host_kind,
        r.config_name,
        r.file_name,
        r.stored_name,
        r.url,
        r.delete_handle,
        r.size as i64,
        r.width,
        r.height,
        r.sha256,
        r.created_at,
        r.mirror_group,
        r.sent_sha256,
        r.host_deleted_at,
        r.origin_url
    ];
    // origin_url is written once, when the record is made: a computer of an older version
    // sends records without it, which must not clear it here.
    let updated = tx
        .prepare_cached(
            "UPDATE uploads SET host_kind = ?2, config_name = ?3, file_name = ?4, stored_name = ?5,
             url = ?6, delete_handle = ?7, size = ?8, width = ?9, height = ?10, sha256 = ?11,
             created_at = ?12, mirror_group = ?13, sent_sha256 = ?14, host_deleted_at = ?15,
             origin_url = COALESCE(?16, origin_url)
         WHERE gid = ?1",
        )?
        .execute(args)?;
    if updated == 0 {
        tx.prepare_cached(&format!(
            "INSERT INTO uploads (gid, {RECORD_COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
        ))?
        .execute(args)?;
    }
    Ok(())
}
