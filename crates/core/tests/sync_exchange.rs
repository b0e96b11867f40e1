//! Two and three machines exchanging changes through one sync folder (`sync::exchange`), on a
//! local folder and on the real servers (SeaweedFS, wsgidav) that `scripts/test.sh` starts.
//! Each "machine" is its own cursors and merged state, as two data folders would keep them.

mod support;

use std::path::Path;
use std::time::Duration;

use pixdrop_core::error::ErrorKind;
use pixdrop_core::hosts::{self, Http};
use pixdrop_core::sync::exchange::new_machine_id;
use pixdrop_core::sync::{Change, Clock, Content, Cursors, Item, Place, State, SyncKey};
use serde_json::{json, Value};
use support::servers;

const PASSPHRASE: &str = "correct horse battery staple";
const TOKEN: &str = "sk-live-TOKEN-4f9a1c";
const FILE_NAME: &str = "猫 holiday-photo.png";
const URL: &str = "https://img.example.com/2026/12/cat-url-marker.png";

struct Machine {
    cursors: Cursors,
    clock: Clock,
    state: State,
    key: SyncKey,
}

impl Machine {
    async fn join(place: &Place<'_>) -> (Machine, bool) {
        let (key, started) = place.unlock_or_start(PASSPHRASE).await.unwrap();
        let id = new_machine_id();
        let m = Machine {
            cursors: Cursors::new(id.clone()),
            clock: Clock::new(id),
            state: State::default(),
            key,
        };
        (m, started)
    }

    /// A change made here now, applied here and returned to send.
    fn change(&mut self, item: Item, value: Option<Value>, wall_ms: u64) -> Change {
        let c = Change {
            item,
            stamp: self.clock.stamp(wall_ms),
            content: value.map_or(Content::Removed, Content::Set),
        };
        self.state.apply(c.clone());
        c
    }

    async fn send(&mut self, place: &Place<'_>, changes: &[Change]) -> u64 {
        place
            .send(&self.key, &mut self.cursors, changes)
            .await
            .unwrap()
    }

    /// Receive and merge; how many bytes were read.
    async fn receive(&mut self, place: &Place<'_>) -> u64 {
        let got = place.receive(&self.key, &mut self.cursors).await.unwrap();
        assert!(got.refused.is_empty(), "{:?}", got.refused);
        for c in &got.changes {
            self.clock.observe(&c.stamp, c.stamp.ms);
        }
        self.state.merge(got.changes);
        got.bytes
    }

    /// The changes this machine made that still stand (what it compacts).
    fn own(&self) -> Vec<Change> {
        self.state
            .changes()
            .filter(|c| c.stamp.machine == self.cursors.machine)
            .cloned()
            .collect()
    }
}

fn config(token: &str) -> Value {
    json!({"name": "work", "kind": "smms", "settings": {"token": token}})
}

fn record(name: &str, url: &str) -> Value {
    json!({"file_name": name, "url": url, "host": "work"})
}

/// Every file below `dir`, as bytes.
fn files_below(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            out.extend(files_below(&e.path()));
        } else {
            out.push((
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            ));
        }
    }
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// The whole story on one place; `on_disk`: the folder the place's files are in, for the checks
/// that look at (and change) the stored bytes.
async fn two_machines_and_a_third(store: &dyn hosts::Host, on_disk: &Path) {
    let http = Http::new(Duration::from_secs(30), None).unwrap();
    let place = Place::new(store.sync_place().unwrap(), &http, "pixdrop-sync").unwrap();
    let t = 1_800_000_000_000u64;

    // The first machine starts the sync; the second joins it with the same passphrase; a wrong
    // one is said plainly.
    let (mut a, started) = Machine::join(&place).await;
    assert!(started);
    let (mut b, started) = Machine::join(&place).await;
    assert!(!started);
    let e = place.unlock("not the passphrase").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth, "{e}");

    // A's config (with its token), a setting and a record reach B.
    let sent = vec![
        a.change(Item::Config("c1".into()), Some(config(TOKEN)), t),
        a.change(
            Item::Setting("link_format".into()),
            Some(json!("markdown")),
            t,
        ),
        a.change(Item::Record("r1".into()), Some(record(FILE_NAME, URL)), t),
    ];
    a.send(&place, &sent).await;
    b.receive(&place).await;
    assert_eq!(b.state, a.state);
    assert_eq!(
        b.state.get(&Item::Config("c1".into())),
        Some(&config(TOKEN))
    );

    // Nothing readable on the storage: not the token, the file name, the URL, the host's name.
    let stored = files_below(on_disk);
    assert!(
        stored.len() >= 2,
        "{:?}",
        stored.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for (name, bytes) in &stored {
        for secret in [
            TOKEN,
            FILE_NAME,
            URL,
            "cat-url-marker",
            "markdown",
            "link_format",
            "smms",
        ] {
            assert!(
                !contains(bytes, secret) && !name.contains(secret),
                "{secret} in {name}"
            );
        }
    }

    // Both change the same setting offline, and each adds a record; whatever the order they
    // sync in, both end the same, with the later setting and both records.
    let a_sent = vec![
        a.change(
            Item::Setting("link_format".into()),
            Some(json!("html")),
            t + 10,
        ),
        a.change(
            Item::Record("r2".into()),
            Some(record("a.png", "https://x/a.png")),
            t + 10,
        ),
    ];
    let b_sent = vec![
        b.change(
            Item::Setting("link_format".into()),
            Some(json!("url")),
            t + 20,
        ),
        b.change(
            Item::Record("r3".into()),
            Some(record("b.png", "https://x/b.png")),
            t + 20,
        ),
        // B deletes A's first record.
        b.change(Item::Record("r1".into()), None, t + 20),
    ];
    b.send(&place, &b_sent).await;
    a.send(&place, &a_sent).await;
    a.receive(&place).await;
    b.receive(&place).await;
    assert_eq!(a.state, b.state);
    assert_eq!(
        a.state.get(&Item::Setting("link_format".into())),
        Some(&json!("url"))
    );
    assert!(a.state.get(&Item::Record("r2".into())).is_some());
    assert!(a.state.get(&Item::Record("r3".into())).is_some());
    assert_eq!(a.state.get(&Item::Record("r1".into())), None);

    // Incremental: nothing new reads nothing; one change reads one small object.
    assert_eq!(b.receive(&place).await, 0);
    let one = a.change(
        Item::Record("r4".into()),
        Some(record("c.png", "https://x/c.png")),
        t + 30,
    );
    let sent_bytes = a.send(&place, &[one]).await;
    let read = b.receive(&place).await;
    assert_eq!(read, sent_bytes);
    assert!(read < 2_000, "{read}");
    assert_eq!(a.state, b.state);

    // A tampered object (one byte flipped on the storage) is refused in words, and B's cursors
    // do not move past it: nothing is taken from it.
    let five = a.change(
        Item::Record("r5".into()),
        Some(record("d.png", "https://x/d.png")),
        t + 40,
    );
    a.send(&place, &[five]).await;
    let newest = std::fs::read_dir(on_disk.join("pixdrop-sync"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(&a.cursors.machine))
        .max()
        .unwrap();
    let good = std::fs::read(&newest).unwrap();
    let mut bad = good.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 0x01;
    std::fs::write(&newest, &bad).unwrap();
    let before = b.cursors.clone();
    let got = place.receive(&b.key, &mut b.cursors).await.unwrap();
    assert!(got.changes.is_empty());
    assert_eq!(got.refused.len(), 1);
    let e = &got.refused[0];
    assert_eq!(e.kind(), ErrorKind::BadResponse, "{e}");
    assert!(e.to_string().contains("changed or cut short"), "{e}");
    assert_eq!(b.cursors, before);
    // Cut short: refused the same way.
    std::fs::write(&newest, &good[..good.len() - 5]).unwrap();
    let got = place.receive(&b.key, &mut b.cursors).await.unwrap();
    assert_eq!((got.changes.len(), got.refused.len()), (0, 1));
    assert_eq!(b.cursors, before);
    std::fs::write(&newest, &good).unwrap();
    b.receive(&place).await;
    assert_eq!(a.state, b.state);

    // An object copied over another name (the storage replaying an old change as new) does not
    // open either.
    let six = a.change(Item::Setting("rename".into()), Some(json!(true)), t + 50);
    a.send(&place, &[six]).await;
    let names: Vec<_> = std::fs::read_dir(on_disk.join("pixdrop-sync"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(&a.cursors.machine))
        .collect();
    let mut names = names;
    names.sort();
    let (older, newest) = (&names[0], names.last().unwrap());
    let kept = std::fs::read(newest).unwrap();
    std::fs::copy(older, newest).unwrap();
    let got = place.receive(&b.key, &mut b.cursors).await.unwrap();
    assert_eq!((got.changes.len(), got.refused.len()), (0, 1));
    std::fs::write(newest, &kept).unwrap();
    b.receive(&place).await;
    assert_eq!(a.state, b.state);

    // A compacts: its many objects become its standing state; older objects go. B, already
    // up to date, reads only the small base marker and what is new; C, a third machine
    // joining now, gets everything.
    let before_compact = std::fs::read_dir(on_disk.join("pixdrop-sync"))
        .unwrap()
        .count();
    let own = a.own();
    place.compact(&a.key, &mut a.cursors, &own).await.unwrap();
    assert_eq!(place.own_objects(&a.cursors).await.unwrap(), 1);
    assert!(
        std::fs::read_dir(on_disk.join("pixdrop-sync"))
            .unwrap()
            .count()
            < before_compact
    );
    let seven = a.change(
        Item::Record("r7".into()),
        Some(record("e.png", "https://x/e.png")),
        t + 60,
    );
    let seven_bytes = a.send(&place, &[seven]).await;
    let read = b.receive(&place).await;
    assert!(
        read < seven_bytes + 300,
        "{read} read for {seven_bytes} sent"
    );
    assert_eq!(a.state, b.state);
    let (mut c, started) = Machine::join(&place).await;
    assert!(!started);
    c.receive(&place).await;
    assert_eq!(c.state, a.state);

    // A machine that lost its record of its numbers (its data restored from a backup) does not
    // overwrite its own objects: it goes on after them.
    let mut lost = Cursors::new(a.cursors.machine.clone());
    let eight = a.change(
        Item::Record("r8".into()),
        Some(record("f.png", "https://x/f.png")),
        t + 70,
    );
    place.send(&a.key, &mut lost, &[eight]).await.unwrap();
    assert!(lost.next_seq > 1);
    c.receive(&place).await;
    assert_eq!(c.state, a.state);
}

#[tokio::test(flavor = "multi_thread")]
async fn machines_sync_through_a_local_folder() {
    let dir = tempfile::tempdir().unwrap();
    let store = servers::host_of(
        "local",
        json!({"path": dir.path().to_str().unwrap(), "url_prefix": "https://img.example.com"}),
    );
    two_machines_and_a_third(store.as_ref(), dir.path()).await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs wsgidav from .venv (scripts/test.sh installs it)"]
async fn machines_sync_through_wsgidav() {
    let server = tokio::task::spawn_blocking(servers::wsgidav).await.unwrap();
    let (store, dir) = servers::dav_folder(&server, "notes");
    two_machines_and_a_third(store.as_ref(), &dir).await;
}

/// A large run is read in parts: each reading stops at its bound and says there is more, the
/// cursors where it stopped; the parts together are the whole run, once.
#[tokio::test(flavor = "multi_thread")]
async fn a_large_run_is_read_in_parts() {
    let dir = tempfile::tempdir().unwrap();
    let store = servers::host_of(
        "local",
        json!({"path": dir.path().to_str().unwrap(), "url_prefix": "https://img.example.com"}),
    );
    let http = Http::new(Duration::from_secs(30), None).unwrap();
    let place = Place::new(store.sync_place().unwrap(), &http, "pixdrop-sync").unwrap();
    let (mut a, _) = Machine::join(&place).await;
    let (mut b, _) = Machine::join(&place).await;
    for batch in 0..3u64 {
        let changes: Vec<Change> = (0..10)
            .map(|i| {
                a.change(
                    Item::Record(format!("r{batch}-{i}")),
                    Some(record(&format!("{batch}-{i}.png"), URL)),
                    1_000 + batch,
                )
            })
            .collect();
        a.send(&place, &changes).await;
    }
    let mut parts = Vec::new();
    loop {
        let got = place
            .receive_some(&b.key, &mut b.cursors, 10)
            .await
            .unwrap();
        parts.push(got.changes.len());
        b.state.merge(got.changes);
        if !got.more {
            break;
        }
    }
    assert_eq!(parts, [10, 10, 10]);
    assert_eq!(b.state, a.state);
}
