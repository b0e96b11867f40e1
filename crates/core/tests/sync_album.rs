//! The album synced between homes (`sync::sync_album`): two (and three) album files, each
//! its own machine, through one sync folder on a local folder. Records added before and after
//! sync was set up, deletes, a config rename against a delete made offline, a sync cut off
//! between its steps, and compaction.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use pixdrop_core::album::{Album, ListQuery, NewRecord};
use pixdrop_core::hosts::{self, Http};
use pixdrop_core::sync::exchange::new_machine_id;
use pixdrop_core::sync::{sync_album, Cursors, Local, Place, SyncKey};
use serde_json::json;

const PASSPHRASE: &str = "correct horse battery staple";

fn record(config: &str, name: &str, at: i64) -> NewRecord {
    NewRecord {
        host_kind: "smms".into(),
        config_name: config.into(),
        file_name: name.into(),
        stored_name: name.into(),
        url: format!("https://i.example.com/{at}/{name}"),
        delete_handle: Some(format!("h{at}")),
        size: 1000 + at as u64,
        width: Some(40),
        height: Some(30),
        sha256: Some(format!("{at:064x}")),
        created_at: 1_790_000_000_000 + at,
        sent_sha256: None,
        origin_url: None,
    }
}

struct Home {
    album: Album,
    key: SyncKey,
    _dir: tempfile::TempDir,
}

impl Home {
    async fn join(place: &Place<'_>) -> Home {
        let dir = tempfile::tempdir().unwrap();
        let album = Album::open(&dir.path().join("album.db")).unwrap();
        let (key, _) = place.unlock_or_start(PASSPHRASE).await.unwrap();
        Home {
            album,
            key,
            _dir: dir,
        }
    }

    fn start(&self) {
        Local::new(&self.album)
            .start(&Cursors::new(new_machine_id()))
            .unwrap();
    }

    async fn sync(&self, place: &Place<'_>) -> pixdrop_core::sync::Report {
        sync_album(&self.album, None, place, &self.key)
            .await
            .unwrap()
    }

    /// The album as every machine must agree on it: each record's synced content by URL.
    fn content(&self) -> BTreeMap<String, (String, String, Option<String>)> {
        self.album
            .list(&ListQuery {
                limit: 0,
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .map(|r| (r.url, (r.config_name, r.file_name, r.mirror_group)))
            .collect()
    }

    fn id_of(&self, name: &str) -> i64 {
        self.album
            .list(&ListQuery {
                limit: 0,
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .find(|r| r.file_name == name)
            .unwrap_or_else(|| panic!("{name} is not in the album"))
            .id
    }
}

fn local_place(dir: &Path) -> Box<dyn hosts::Host> {
    hosts::build(&pixdrop_core::host_config::HostConfig {
        name: "place".into(),
        kind: "local".into(),
        settings: serde_json::from_value(json!({
            "path": dir.to_str().unwrap(),
            "url_prefix": "https://img.example.com",
        }))
        .unwrap(),
    })
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_homes_end_with_one_album() {
    let shared = tempfile::tempdir().unwrap();
    let store = local_place(shared.path());
    let http = Http::new(Duration::from_secs(30), None).unwrap();
    let place = Place::new(store.sync_place().unwrap(), &http, "pixdrop-sync").unwrap();

    // Each home has records from before sync was set up.
    let a = Home::join(&place).await;
    a.album.insert(&record("work", "猫 cat.png", 1)).unwrap();
    a.album.insert(&record("work", "a b#c.png", 2)).unwrap();
    a.start();
    let b = Home::join(&place).await;
    b.album.insert(&record("home", "desk.jpg", 3)).unwrap();
    b.start();

    // The first syncs send everything; after both have synced twice, both albums are one.
    let first = a.sync(&place).await;
    assert_eq!(first.sent, 2);
    let got = b.sync(&place).await;
    assert_eq!(got.received.records, 2);
    a.sync(&place).await;
    assert_eq!(a.content(), b.content());
    assert_eq!(a.content().len(), 3);

    // An upload made while sync is on travels, with the host's own link beside a rewritten
    // one; nothing new moves nothing.
    let mut rewritten = record("work", "新しい.png", 4);
    rewritten.origin_url = Some(std::mem::replace(
        &mut rewritten.url,
        "https://cdn.example.net/4.png".into(),
    ));
    a.album.insert(&rewritten).unwrap();
    assert_eq!(a.sync(&place).await.sent, 1);
    assert_eq!(b.sync(&place).await.received.records, 1);
    let on_b = b.album.get(b.id_of("新しい.png")).unwrap().unwrap();
    assert_eq!(
        (on_b.url.as_str(), on_b.origin_url.as_deref()),
        (
            "https://cdn.example.net/4.png",
            Some("https://i.example.com/4/新しい.png")
        )
    );
    let quiet = b.sync(&place).await;
    assert_eq!((quiet.sent, quiet.read_bytes), (0, 0));
    assert_eq!(a.content(), b.content());

    // A delete on B reaches A (and is not sent back as A's own change).
    assert!(b.album.delete(b.id_of("desk.jpg")).unwrap());
    b.sync(&place).await;
    let got = a.sync(&place).await;
    assert_eq!(got.received.deleted, 1);
    assert_eq!(got.sent, 0);
    assert_eq!(a.content(), b.content());

    // Offline, A renames the config "work" while B deletes one of its records: whatever the
    // order, the record stays deleted and the others carry the new name, on both.
    a.album.rename_config("work", "work-2026").unwrap();
    assert!(b.album.delete(b.id_of("a b#c.png")).unwrap());
    a.sync(&place).await;
    b.sync(&place).await;
    a.sync(&place).await;
    assert_eq!(a.content(), b.content());
    let names: Vec<_> = a.content().into_values().collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names.iter().all(|(config, _, _)| config == "work-2026"),
        "{names:?}"
    );

    // Mirror groups travel with their records.
    let ids = [a.id_of("猫 cat.png"), a.id_of("新しい.png")];
    a.album.link_mirrors(&ids).unwrap();
    a.sync(&place).await;
    b.sync(&place).await;
    assert_eq!(a.content(), b.content());
    assert!(b.content().values().all(|(_, _, g)| g.is_some()));

    // B falls behind, then leaves and joins again: A's newer rename stands on both (B's stale
    // copies count as older than any synced change), and what only B has is sent.
    a.album.rename_config("work-2026", "renamed-on-a").unwrap();
    a.sync(&place).await;
    Local::new(&b.album).stop().unwrap();
    b.album.insert(&record("home", "only-on-b.png", 7)).unwrap();
    b.start();
    b.sync(&place).await;
    a.sync(&place).await;
    assert_eq!(a.content(), b.content());
    let configs: Vec<String> = a.content().into_values().map(|(c, _, _)| c).collect();
    assert_eq!(
        configs.iter().filter(|c| *c == "renamed-on-a").count(),
        2,
        "{configs:?}"
    );
    assert!(configs.contains(&"home".to_string()), "{configs:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_cut_off_between_its_steps_completes_with_nothing_lost_or_doubled() {
    let shared = tempfile::tempdir().unwrap();
    let store = local_place(shared.path());
    let http = Http::new(Duration::from_secs(30), None).unwrap();
    let place = Place::new(store.sync_place().unwrap(), &http, "pixdrop-sync").unwrap();
    let a = Home::join(&place).await;
    a.start();
    let b = Home::join(&place).await;
    b.start();

    // Cut after stamping: the changes wait in the outbox and the next sync sends them.
    for i in 0..3 {
        a.album
            .insert(&record("work", &format!("cut-{i}.png"), i))
            .unwrap();
    }
    let local = Local::new(&a.album);
    let cursors = local.cursors().unwrap().unwrap();
    local
        .stamp_pending(&mut local.clock(&cursors.machine).unwrap(), None, false)
        .unwrap();
    assert_eq!(local.pending(None).unwrap(), 3);

    // Cut after sending, before the outbox was cleared: sent again next time, merged once.
    let (outbox, _) = local.outbox(None).unwrap();
    let mut cursors = cursors;
    place.send(&a.key, &mut cursors, &outbox).await.unwrap();
    let resent = a.sync(&place).await;
    assert_eq!(resent.sent, 3);
    assert_eq!(local.pending(None).unwrap(), 0);
    b.sync(&place).await;
    assert_eq!(b.content().len(), 3);
    assert_eq!(a.content(), b.content());

    // Cut after reading, before merging: the cursors did not move, so it is read again.
    a.album.insert(&record("work", "late.png", 9)).unwrap();
    a.sync(&place).await;
    let lb = Local::new(&b.album);
    let mut bc = lb.cursors().unwrap().unwrap();
    let got = place.receive(&b.key, &mut bc).await.unwrap();
    assert_eq!(got.changes.len(), 1);
    // (B is killed here.)
    assert_eq!(b.sync(&place).await.received.records, 1);
    assert_eq!(a.content(), b.content());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_run_is_compacted_and_a_new_home_gets_everything() {
    let shared = tempfile::tempdir().unwrap();
    let store = local_place(shared.path());
    let http = Http::new(Duration::from_secs(30), None).unwrap();
    let place = Place::new(store.sync_place().unwrap(), &http, "pixdrop-sync").unwrap();
    let a = Home::join(&place).await;
    a.start();
    let b = Home::join(&place).await;
    b.start();
    let mut compacted = false;
    for i in 0..(pixdrop_core::sync::round::COMPACT_AFTER as i64 + 2) {
        let id = a
            .album
            .insert(&record("work", &format!("n{i}.png"), i))
            .unwrap();
        if i % 5 == 4 {
            a.album.delete(id).unwrap();
        }
        compacted |= a.sync(&place).await.compacted;
        if i == 10 {
            b.sync(&place).await;
        }
    }
    assert!(compacted);
    let objects = std::fs::read_dir(shared.path().join("pixdrop-sync"))
        .unwrap()
        .count();
    assert!(objects < 20, "{objects} objects after compaction");
    // B, behind since the middle, and C, new, both end with A's album.
    b.sync(&place).await;
    assert_eq!(a.content(), b.content());
    let c = Home::join(&place).await;
    c.start();
    c.sync(&place).await;
    assert_eq!(a.content(), c.content());
    assert_eq!(c.content().len(), 66 - 13);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_made_here_while_a_sync_reads_is_not_overwritten() {
    use pixdrop_core::sync::{Change, Content, Item, Stamp};
    let shared = tempfile::tempdir().unwrap();
    let store = local_place(shared.path());
    let http = Http::new(Duration::from_secs(30), None).unwrap();
    let place = Place::new(store.sync_place().unwrap(), &http, "pixdrop-sync").unwrap();
    let a = Home::join(&place).await;
    a.album.insert(&record("work", "x.png", 1)).unwrap();
    a.start();
    let b = Home::join(&place).await;
    b.start();
    a.sync(&place).await;
    b.sync(&place).await;

    // B renames the config (so X changes there) and syncs.
    b.album.rename_config("work", "from-b").unwrap();
    b.sync(&place).await;
    // A's sync reads B's change; before it merges, the user renames it here too.
    let local = Local::new(&a.album);
    let mut cursors = local.cursors().unwrap().unwrap();
    let mut clock = local.clock(&cursors.machine).unwrap();
    let got = place.receive(&a.key, &mut cursors).await.unwrap();
    assert_eq!(got.changes.len(), 1);
    // The user's edit comes after B's by the clock (within one millisecond the two would tie,
    // and the tie is settled by the machines' ids).
    while pixdrop_core::album::now_ms() as u64 <= got.changes[0].stamp.ms {
        std::thread::yield_now();
    }
    a.album.rename_config("work", "from-a").unwrap();
    local
        .apply(&got.changes, &cursors, &mut clock, None)
        .unwrap();
    // The later edit, A's, stands here and, after both sync, there.
    assert!(
        a.content().values().all(|(c, _, _)| c == "from-a"),
        "{:?}",
        a.content()
    );
    a.sync(&place).await;
    b.sync(&place).await;
    assert_eq!(a.content(), b.content());

    // A change of an item this version does not apply (a config, from a newer Pixdrop) is
    // kept aside, not lost, and the album is untouched.
    let mut cursors = local.cursors().unwrap().unwrap();
    let config = Change {
        item: Item::Config("c-1".into()),
        stamp: Stamp {
            ms: 1,
            n: 0,
            machine: cursors.machine.clone(),
        },
        content: Content::Set(json!({"name": "nas"})),
    };
    place.send(&a.key, &mut cursors, &[config]).await.unwrap();
    let before = b.content();
    b.sync(&place).await;
    assert_eq!(b.content(), before);
    let db = rusqlite::Connection::open(b._dir.path().join("album.db")).unwrap();
    let parked: i64 = db
        .query_row(
            "SELECT count(*) FROM sync_parked WHERE item = 'config:c-1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(parked, 1);
}
