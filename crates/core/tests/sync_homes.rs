//! Two homes (two data folders, as two computers) syncing host configs, settings and the album
//! with `sync::service`, through each storage kind's real server on 127.0.0.1: a local folder,
//! wsgidav (WebDAV) and SeaweedFS (S3). `scripts/test.sh` starts the servers.

mod support;

use std::time::Duration;

use pixdrop_core::config::Theme;
use pixdrop_core::error::ErrorKind;
use pixdrop_core::hosts::{self, Http};
use pixdrop_core::sync::service;
use pixdrop_core::LinkFormat;
use serde_json::{json, Value};
use support::engine::{env, Env};
use support::servers;

const PASSPHRASE: &str = "correct horse battery staple";
const SECRET: &str = "dav-password-7f3e9c";
const FILE_NAME: &str = "猫 holiday-marker.png";

fn set(home: &Env, key: &str, value: &str) {
    home.engine
        .config()
        .update(|c| c.settings.set(key, value))
        .unwrap();
}

fn names(home: &Env) -> Vec<String> {
    let mut n = home.engine.config().names().unwrap();
    n.sort();
    n
}

async fn now(home: &Env) -> pixdrop_core::sync::Report {
    let r = service::now(&home.engine).await.unwrap();
    assert!(r.refused.is_empty(), "{:?}", r.refused);
    r
}

/// A `local` config `disk` in `home`'s folder to upload to.
fn add_disk(home: &Env) {
    let disk = home.dir.path().join("disk");
    std::fs::create_dir_all(&disk).unwrap();
    home.add(
        "disk",
        "local",
        json!({"path": disk.to_str().unwrap(), "url_prefix": "https://img.example.com"}),
    )
    .unwrap();
}

/// What both homes must agree on: the configs with their secrets, the synced settings, and the
/// album's file names and links.
fn shared_state(home: &Env) -> (Value, Value, Vec<(String, String, String)>) {
    let c = home.engine.config().load_revealed().unwrap();
    let mut hosts = c.hosts.clone();
    hosts.sort_by(|a, b| a.name.cmp(&b.name));
    let settings: serde_json::Map<String, Value> = pixdrop_core::Settings::synced_keys()
        .into_iter()
        .map(|k| (k.clone(), c.settings.get(&k).unwrap()))
        .collect();
    let mut album: Vec<(String, String, String)> = home
        .engine
        .album()
        .list(&Default::default())
        .unwrap()
        .into_iter()
        .map(|r| (r.config_name, r.file_name, r.url))
        .collect();
    album.sort();
    (
        serde_json::to_value(hosts).unwrap(),
        Value::Object(settings),
        album,
    )
}

/// Two homes, each with `place` (the storage config `place` of `kind`) and its own configs.
async fn two_homes(kind: &str, place: Value) {
    let a = env();
    let b = env();
    a.add("place", kind, place.clone()).unwrap();
    b.add("place", kind, place.clone()).unwrap();

    // A: a config holding a password, a folder it uploads to, settings of how it works, and
    // ones of this computer only.
    a.add(
        "photos",
        "webdav",
        json!({"url": "https://dav.example.com/img", "username": "me", "password": SECRET}),
    )
    .unwrap();
    add_disk(&a);
    set(&a, "link_format", "html");
    set(&a, "quality", "70");
    set(&a, "theme", "dark");
    set(&a, "shortcut", "Ctrl+Alt+P");
    set(&b, "theme", "light");
    // B's own before it joins: a setting only it has set, and one A has set too.
    set(&b, "retries", "5");
    set(&b, "link_format", "ubb");
    a.upload_bytes("disk", FILE_NAME, &pixdrop_standin::tiny_png(7))
        .await
        .unwrap();

    // A starts the sync; B joins and gets A's configs (the secret too), settings and album.
    assert!(service::setup(&a.engine, "place", None, PASSPHRASE)
        .await
        .unwrap());
    now(&a).await;
    assert!(!service::setup(&b.engine, "place", None, PASSPHRASE)
        .await
        .unwrap());
    let got = now(&b).await;
    assert_eq!(got.received.configs, 2, "photos and disk");
    assert!(got.received.settings >= 2, "{:?}", got.received);
    assert_eq!(got.received.records, 1);
    let bc = b.engine.config().load_revealed().unwrap();
    assert_eq!(bc.host("photos").unwrap().settings["password"], SECRET);
    assert_eq!(bc.settings.link_format, LinkFormat::Html);
    assert_eq!(bc.settings.quality, 70);
    // What belongs to one computer stays there, both ways.
    assert_eq!(bc.settings.theme, Theme::Light);
    assert_eq!(bc.settings.shortcut, pixdrop_core::config::DEFAULT_SHORTCUT);
    // Where A had set it, A's stands; what only B had set comes to A.
    assert_eq!(bc.settings.retries, 5);
    now(&a).await;
    let ac = a.engine.config().load().unwrap();
    assert_eq!(ac.settings.retries, 5);
    assert_eq!(ac.settings.link_format, LinkFormat::Html);
    assert_eq!(ac.settings.theme, Theme::Dark);
    assert_eq!(ac.settings.shortcut, "Ctrl+Alt+P");
    assert_eq!(shared_state(&a), shared_state(&b));

    // The secrets synced are not kept in the album's database (only in the config's own
    // place), on either computer.
    for home in [&a, &b] {
        for file in ["album.db", "album.db-wal"] {
            let bytes = std::fs::read(home.dir.path().join("data").join(file)).unwrap_or_default();
            assert!(
                !bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
                "the secret is in {file}"
            );
        }
    }

    // A rename on B reaches A, with the album's records under the new name; a removal on A
    // reaches B.
    let mut renamed = b.host("disk");
    renamed.name = "本地 disk".into();
    b.engine.replace_host("disk", renamed, false).unwrap();
    a.engine
        .config()
        .update(|c| c.remove_host("photos").map(|_| ()))
        .unwrap();
    now(&b).await;
    now(&a).await;
    now(&b).await;
    assert_eq!(names(&a), ["place", "本地 disk"]);
    assert_eq!(shared_state(&a), shared_state(&b));
    assert_eq!(shared_state(&a).2[0].0, "本地 disk");

    // Both change one setting offline; whichever syncs last wins, on both, in either order.
    for (i, (first, second)) in [(&a, &b), (&b, &a)].into_iter().enumerate() {
        set(first, "quality", &format!("{}", 40 + i));
        set(second, "quality", &format!("{}", 50 + i));
        let pattern = format!("{{Y}}-{i}-{{filename}}");
        set(first, "rename_pattern", &pattern);
        now(first).await;
        now(second).await;
        now(first).await;
        assert_eq!(shared_state(&a), shared_state(&b));
        let q = a.engine.config().load().unwrap().settings.quality;
        assert_eq!(q as usize, 50 + i, "the later sync's change stands");
        // An edit of another setting on the first is not lost to the second's.
        let p = second
            .engine
            .config()
            .load()
            .unwrap()
            .settings
            .rename_pattern;
        assert_eq!(p, pattern);
    }

    // Both sync at the same moment, with changes of their own: after both sync again, one
    // state on both.
    set(&a, "quality", "61");
    set(&b, "quality", "62");
    set(&b, "max_width", "1920");
    let (ra, rb) = tokio::join!(service::now(&a.engine), service::now(&b.engine));
    // A server may turn one of them away under the load (wsgidav answers some concurrent
    // requests with HTTP 500): said as the storage's error, nothing lost, and the next syncs
    // complete it.
    for r in [ra, rb] {
        if let Err(e) = r {
            assert!(
                matches!(
                    e.kind(),
                    ErrorKind::Http | ErrorKind::Storage | ErrorKind::Network | ErrorKind::Timeout
                ),
                "{e}"
            );
        }
    }
    now(&a).await;
    now(&b).await;
    now(&a).await;
    assert_eq!(shared_state(&a), shared_state(&b));
    assert_eq!(a.engine.config().load().unwrap().settings.max_width, 1920);

    // A sync with nothing new changes nothing, and does not rewrite the config file.
    let before = std::fs::metadata(b.engine.config().path())
        .unwrap()
        .modified()
        .unwrap();
    let quiet = now(&b).await;
    assert_eq!(quiet.sent, 0);
    assert_eq!(quiet.received.configs + quiet.received.settings, 0);
    let after = std::fs::metadata(b.engine.config().path())
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after);

    // Nothing on the storage reads without the passphrase: not the secret, a file name or a
    // link, not a config's name.
    let store = hosts::build(&a.host("place")).unwrap();
    let http = Http::new(Duration::from_secs(30), None).unwrap();
    let sync = store.sync_place().unwrap();
    let listed = sync.list(&http, "pixdrop-sync").await.unwrap();
    assert!(listed.len() >= 3, "{listed:?}");
    for file in listed {
        let name = file.name;
        let bytes = sync
            .read(&http, &format!("pixdrop-sync/{name}"), 16 << 20)
            .await
            .unwrap()
            .unwrap();
        for clear in [
            SECRET,
            "holiday-marker",
            "img.example.com",
            "photos",
            "本地",
        ] {
            assert!(
                !bytes.windows(clear.len()).any(|w| w == clear.as_bytes()),
                "{clear} readable in {name}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn two_homes_sync_through_a_local_folder() {
    let dir = tempfile::tempdir().unwrap();
    two_homes(
        "local",
        json!({"path": dir.path().to_str().unwrap(), "url_prefix": "https://nas.example.com"}),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs wsgidav from .venv (scripts/test.sh installs it)"]
async fn two_homes_sync_through_wsgidav() {
    let server = tokio::task::spawn_blocking(servers::wsgidav).await.unwrap();
    std::fs::create_dir(server.dir.path().join("root").join("notes")).unwrap();
    two_homes(
        "webdav",
        json!({
            "url": format!("http://127.0.0.1:{}/dav/notes", server.port),
            "username": servers::DAV_USER,
            "password": servers::DAV_PASSWORD,
        }),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs SeaweedFS from .venv (scripts/test.sh installs it)"]
async fn two_homes_sync_through_seaweedfs() {
    let server = tokio::task::spawn_blocking(|| servers::seaweedfs("pixdrop-homes"))
        .await
        .unwrap();
    two_homes(
        "s3",
        json!({
            "access_key_id": servers::S3_KEY,
            "secret_access_key": servers::S3_SECRET,
            "bucket": "pixdrop-homes",
            "endpoint": format!("http://127.0.0.1:{}", server.port),
            "path_style": true,
        }),
    )
    .await;
}

/// The README lists which settings sync and which stay on one computer, as the code says.
#[test]
fn the_readme_lists_what_syncs_and_what_stays() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let bullet = |start: &str| -> String {
        let from = readme
            .find(start)
            .unwrap_or_else(|| panic!("{start} not in the README"));
        let rest = &readme[from..];
        let end = rest[2..].find("\n- ").map_or(rest.len(), |i| i + 2);
        rest[..end].to_string()
    };
    let synced = bullet("- **Settings that describe how you work**");
    let local = bullet("- **Not synced, they belong to one computer**");
    for key in pixdrop_core::Settings::synced_keys() {
        assert!(
            synced.contains(&format!("`{key}`")),
            "{key} not listed as synced"
        );
        assert!(
            !local.contains(&format!("`{key}`")),
            "{key} listed as not synced"
        );
    }
    for key in pixdrop_core::config::MACHINE_SETTINGS {
        assert!(
            local.contains(&format!("`{key}`")),
            "{key} not listed as not synced"
        );
    }
}

/// After one computer seals the sync anew (a new passphrase) and then compacts its run, a new
/// computer still gets everything, the changes of computers that have not come back yet
/// included; one that comes back later ends with the same state.
#[tokio::test(flavor = "multi_thread")]
async fn a_sync_sealed_anew_then_compacted_still_gives_a_new_home_everything() {
    const NEW: &str = "another passphrase, longer";
    let dir = tempfile::tempdir().unwrap();
    let place =
        json!({"path": dir.path().to_str().unwrap(), "url_prefix": "https://nas.example.com"});
    let (a, b, c) = (env(), env(), env());
    for h in [&a, &b, &c] {
        h.add("place", "local", place.clone()).unwrap();
    }
    add_disk(&a);
    a.upload_bytes("disk", FILE_NAME, &pixdrop_standin::tiny_png(3))
        .await
        .unwrap();
    set(&a, "rename_pattern", "{Y}-from-a-{filename}");
    service::setup(&a.engine, "place", None, PASSPHRASE)
        .await
        .unwrap();
    now(&a).await;
    service::setup(&b.engine, "place", None, PASSPHRASE)
        .await
        .unwrap();
    now(&b).await;

    // B changes the passphrase: A's objects go; B writes all it knows, A's changes included.
    assert!(service::passphrase(&b.engine, NEW).await.unwrap());
    let out = service::now(&a.engine).await.unwrap_err();
    assert!(out.to_string().contains("pixdrop sync passphrase"), "{out}");

    // B syncs on until its run is compacted.
    let mut compacted = false;
    for i in 0..80 {
        set(&b, "quality", &format!("{}", 10 + i));
        compacted |= now(&b).await.compacted;
    }
    assert!(compacted);

    // A new computer gets everything, A's record and settings too.
    service::setup(&c.engine, "place", None, NEW).await.unwrap();
    now(&c).await;
    assert_eq!(shared_state(&c), shared_state(&b));
    assert_eq!(shared_state(&c).2.len(), 1);
    assert_eq!(
        c.engine.config().load().unwrap().settings.rename_pattern,
        "{Y}-from-a-{filename}"
    );

    // A comes back with the new passphrase and ends with the same state.
    assert!(!service::passphrase(&a.engine, NEW).await.unwrap());
    now(&a).await;
    now(&b).await;
    now(&c).await;
    assert_eq!(shared_state(&a), shared_state(&b));
    assert_eq!(shared_state(&c), shared_state(&b));
}

/// A data folder copied to another computer (or restored from a backup) syncs as a computer of
/// its own: the original and the copy each get what the other does after the copy.
#[tokio::test(flavor = "multi_thread")]
async fn a_copied_data_folder_syncs_as_a_computer_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let place =
        json!({"path": dir.path().to_str().unwrap(), "url_prefix": "https://nas.example.com"});
    let a = env();
    a.add("place", "local", place).unwrap();
    add_disk(&a);
    a.upload_bytes("disk", "before.png", &pixdrop_standin::tiny_png(1))
        .await
        .unwrap();
    service::setup(&a.engine, "place", None, PASSPHRASE)
        .await
        .unwrap();
    now(&a).await;

    // The copy: the whole data folder, as `cp -r` makes it.
    let copy_dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("cp")
        .arg("-r")
        .arg(a.dir.path().join("data"))
        .arg(copy_dir.path().join("data"))
        .status()
        .unwrap();
    assert!(status.success());
    let f = Env {
        engine: pixdrop_core::Engine::open(pixdrop_core::Paths::in_dir(
            copy_dir.path().join("data"),
        ))
        .unwrap(),
        dir: copy_dir,
    };
    a.upload_bytes("disk", "after on a.png", &pixdrop_standin::tiny_png(2))
        .await
        .unwrap();
    f.upload_bytes("disk", "after on f.png", &pixdrop_standin::tiny_png(3))
        .await
        .unwrap();
    set(&f, "timeout_secs", "90");
    for _ in 0..2 {
        now(&a).await;
        now(&f).await;
    }
    assert_eq!(shared_state(&a), shared_state(&f));
    assert_eq!(shared_state(&a).2.len(), 3);
    assert_eq!(a.engine.config().load().unwrap().settings.timeout_secs, 90);
    let id_a = service::status(&a.engine, false).await.unwrap().machine;
    let id_f = service::status(&f.engine, false).await.unwrap().machine;
    assert_ne!(id_a, id_f);
}

/// A setting this computer's version did not know while it synced (`url_rewrite` before it
/// existed) comes to it with the default: set elsewhere in the meantime, the other computer's
/// value must win, not the default stamped as this computer's newest change (fails without).
#[tokio::test(flavor = "multi_thread")]
async fn a_setting_new_to_a_computer_does_not_undo_one_set_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let place =
        json!({"path": dir.path().to_str().unwrap(), "url_prefix": "https://nas.example.com"});
    let (a, b) = (env(), env());
    for h in [&a, &b] {
        h.add("place", "local", place.clone()).unwrap();
    }
    service::setup(&a.engine, "place", None, PASSPHRASE)
        .await
        .unwrap();
    now(&a).await;
    service::setup(&b.engine, "place", None, PASSPHRASE)
        .await
        .unwrap();
    now(&b).await;
    now(&a).await;
    // B as an older version left it: no stamp for the setting.
    let db = rusqlite::Connection::open(b.engine.paths().album_file()).unwrap();
    db.execute(
        "DELETE FROM sync_items WHERE item = 'setting:url_rewrite'",
        [],
    )
    .unwrap();
    drop(db);
    let rule = pixdrop_core::url_rules::UrlRule {
        pattern: "^https://nas\\.example\\.com/(.+)$".into(),
        replace: "https://cdn.example.com/$1".into(),
        enabled: true,
        global: false,
        ignore_case: false,
    };
    a.engine
        .config()
        .change_url_rules(pixdrop_core::url_rules::Edit::Add {
            rule: rule.clone(),
            at: None,
        })
        .unwrap();
    now(&a).await;
    now(&b).await;
    now(&a).await;
    for h in [&a, &b] {
        assert_eq!(
            h.engine.config().load().unwrap().settings.url_rewrite,
            std::slice::from_ref(&rule)
        );
    }
}
