//! Links that outlive their host: `links::check` against a stand-in host and a port that
//! refuses connections, `links::move_records` between stand-in hosts, and `links::rewrite` on a
//! corpus of notes written here.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pixdrop_core::links::{
    self, CheckOptions, LinkStatus, MoveOptions, MoveStatus, RewriteOptions,
};
use pixdrop_core::{Album, Engine, ListQuery, NewRecord, Paths};
use pixdrop_core::{Input, UploadOptions};
use pixdrop_standin::{noise_png, tiny_png, StandIn};
use serde_json::json;
use sha2::{Digest, Sha256};

fn record(album: &Album, config: &str, url: &str, size: u64) -> i64 {
    album
        .insert(&NewRecord {
            host_kind: "smms".into(),
            config_name: config.into(),
            file_name: url.rsplit('/').next().unwrap().into(),
            stored_name: "x".into(),
            url: url.into(),
            delete_handle: None,
            size,
            width: None,
            height: None,
            sha256: None,
            created_at: 1,
            sent_sha256: None,
            origin_url: None,
        })
        .unwrap()
}

/// A URL on 127.0.0.1 where nothing listens (the port was just free).
fn refused_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}/gone-host.png")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_tells_ok_gone_changed_and_unreachable() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(Paths::in_dir(dir.path().join("data"))).unwrap();
    let album = engine.album();
    let host = StandIn::start("t");
    let png = noise_png(1, 5000);
    let len = png.len() as u64;
    let ok = record(
        album,
        "a",
        &host.serve_file("ok.png", "image/png", png.clone()),
        len,
    );
    // HEAD refused: the ranged GET's Content-Range gives the size.
    host.serve_file("nohead.png", "image/png", png.clone());
    let ranged = record(album, "a", &host.no_head_url("nohead.png"), len);
    let gone = record(
        album,
        "a",
        &host.serve_file("gone.png", "image/png", png.clone()),
        len,
    );
    assert!(host.remove_file("gone.png"));
    let other = noise_png(2, 9000);
    let resized = record(
        album,
        "a",
        &host.serve_file("other.png", "image/png", other),
        len,
    );
    let parked = host.serve_file(
        "parked.png",
        "text/html; charset=utf-8",
        b"<html>for sale</html>".to_vec(),
    );
    let parked = record(album, "a", &parked, 0);
    let refused = record(album, "b", &refused_url(), len);

    let report = links::check(&engine, &ListQuery::default(), CheckOptions::default())
        .await
        .unwrap();
    let got: BTreeMap<i64, LinkStatus> = report
        .results
        .iter()
        .map(|r| (r.id, r.check.status))
        .collect();
    let want = BTreeMap::from([
        (ok, LinkStatus::Ok),
        (ranged, LinkStatus::Ok),
        (gone, LinkStatus::Gone),
        (resized, LinkStatus::Changed),
        (parked, LinkStatus::Changed),
        (refused, LinkStatus::Unreachable),
    ]);
    assert_eq!(got, want, "{report:#?}");
    assert!(!report.all_ok());
    assert_eq!(report.broken().count(), 4);
    // Each result is kept in the album with when it was checked.
    for (id, status) in &want {
        let kept = album.link_check(*id).unwrap().unwrap();
        assert_eq!(kept.status, *status);
        assert!(kept.checked_at > 0);
    }
    let detail = |id| album.link_check(id).unwrap().unwrap().detail.unwrap();
    assert!(
        detail(parked).contains("not an image"),
        "{}",
        detail(parked)
    );
    assert!(detail(refused).contains("127.0.0.1"), "{}", detail(refused));

    // One config only; the other config's check is left as it was.
    let only_b = links::check(
        &engine,
        &ListQuery {
            config: Some("b".into()),
            ..Default::default()
        },
        CheckOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(only_b.results.len(), 1);
    assert_eq!(only_b.results[0].id, refused);

    // The album's "Broken links" filter: the records whose last check was not ok.
    let broken = ListQuery {
        broken: true,
        ..Default::default()
    };
    let mut broken_ids = album.ids(&broken).unwrap();
    broken_ids.sort();
    assert_eq!(broken_ids, [gone, resized, parked, refused]);
    assert_eq!(album.count(&broken).unwrap(), 4);
    let page = album.link_checks(&[ok, gone, 999_999]).unwrap();
    assert_eq!(
        page.iter()
            .map(|(id, c)| (*id, c.status))
            .collect::<Vec<_>>(),
        [(ok, LinkStatus::Ok), (gone, LinkStatus::Gone)]
    );

    // Watched: each result as it is kept; cancelled after the first, the rest stay unasked and
    // what was kept before stays.
    let token = links::CancellationToken::new();
    let mut seen = Vec::new();
    let stop = token.clone();
    let mut on_result = |r: &links::LinkResult, done: usize, total: usize| {
        seen.push((r.id, done, total));
        stop.cancel();
    };
    let cut = links::check_with(
        &engine,
        &ListQuery::default(),
        CheckOptions::default(),
        links::CheckProgress {
            on_result: &mut on_result,
            cancel: token,
        },
    )
    .await
    .unwrap();
    assert!(cut.cancelled);
    assert_eq!(cut.results.len(), 1);
    assert_eq!(seen.len(), 1);
    assert_eq!((seen[0].1, seen[0].2), (1, 6));
    assert_eq!(album.count(&broken).unwrap(), 4, "earlier checks kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_asks_each_host_at_most_twice_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(Paths::in_dir(dir.path().join("data"))).unwrap();
    let hosts = [StandIn::start("a"), StandIn::start("b")];
    let png = noise_png(3, 500);
    for (h, host) in hosts.iter().enumerate() {
        for i in 0..10 {
            let name = format!("{h}-{i}.png");
            host.serve_file(&name, "image/png", png.clone());
            record(engine.album(), "a", &host.slow_url(&name), png.len() as u64);
        }
    }
    let report = links::check(&engine, &ListQuery::default(), CheckOptions::default())
        .await
        .unwrap();
    assert!(report.all_ok(), "{report:#?}");
    for host in &hosts {
        let most = host.most_at_once();
        assert!((1..=2).contains(&most), "{most} at once on one host");
    }
}

// ---- rewrite ----

const OLD: &str = "https://old.example/img/a%20b.png";
const OLD_SPACE: &str = "https://old.example/img/a b.png";
const NEW: &str = "https://new.example/x/a-b.png";
const OLD2: &str = "https://old.example/img/二.png";
const NEW2: &str = "https://new.example/x/2.png";
const LOST: &str = "https://old.example/img/lost.png";

struct Corpus {
    _dir: tempfile::TempDir,
    root: PathBuf,
    notes: PathBuf,
    album: Album,
}

fn corpus() -> Corpus {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let album = Album::open(&root.join("album.db")).unwrap();
    let old = record(&album, "old", OLD, 1);
    let new = record(&album, "new", NEW, 1);
    album.set_moved(old, new).unwrap();
    let old2 = record(&album, "old", OLD2, 1);
    let new2 = record(&album, "new", NEW2, 1);
    album.set_moved(old2, new2).unwrap();
    let lost = record(&album, "old", LOST, 1);
    album
        .set_link_check(
            lost,
            &links::LinkCheck {
                status: LinkStatus::Gone,
                detail: None,
                checked_at: 1,
            },
        )
        .unwrap();
    let notes = root.join("notes");
    for (name, text) in files() {
        let p = notes.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    Corpus {
        _dir: dir,
        root,
        notes,
        album,
    }
}

/// Every form a link is written in, and code that must stay.
fn every_form(old: &str, old_space: &str) -> String {
    format!(
        "# Trip\n\
         ![a b](<{old_space}> \"the title\")\n\
         ![again]({old})\n\
         <img src=\"{old_space}\" width=\"200\">\n\
         <img src='{old}'/>\n\
         [pic]: {old} \"ref\"\n\
         Bare: {old}. And {old_space}, twice.\n\
         With a fragment: {old}#center\n\
         Code `{old}` stays, ``{old_space}`` too.\n\
         \n\
         ```md\n\
         ![kept]({old})\n\
         ```\n\
         ~~~\n\
         {old}\n\
         ~~~\n\
         Not ours: https://old.example/img/a%20b.png.bak and https://elsewhere/a.png\n\
         Lost: ![x]({LOST})\n"
    )
}

fn files() -> Vec<(&'static str, Vec<u8>)> {
    let crlf = format!("\u{feff}Line one\r\n![二]({OLD2})\r\n`{OLD2}`\r\n{OLD2}");
    vec![
        ("trip.md", every_form(OLD, OLD_SPACE).into_bytes()),
        ("sub/windows.markdown", crlf.into_bytes()),
        ("sub/笔记 图片.mdx", format!("见 {OLD2}\n").into_bytes()),
        (
            "page.html",
            format!("<p><img src=\"{OLD}\"></p>\n<pre>{OLD}</pre>\n<code class=x>{OLD}</code>\n")
                .into_bytes(),
        ),
        (
            "plain.txt",
            b"no album links: https://elsewhere/x.png\n".to_vec(),
        ),
        (
            "untouched.md",
            format!("nothing here but `{OLD}`\n").into_bytes(),
        ),
        (".hidden/h.md", OLD.as_bytes().to_vec()),
        ("node_modules/m.md", OLD.as_bytes().to_vec()),
        ("img.png", OLD.as_bytes().to_vec()),
        (
            "latin1.md",
            b"caf\xe9 https://old.example/img/a%20b.png".to_vec(),
        ),
    ]
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

fn expected(name: &str) -> Vec<u8> {
    let mut trip = every_form(NEW, NEW);
    // Code stays as written, with the old links.
    for (new_code, old_code) in [
        (
            format!("`{NEW}` stays, ``{NEW}``"),
            format!("`{OLD}` stays, ``{OLD_SPACE}``"),
        ),
        (
            format!("![kept]({NEW})\n```\n~~~\n{NEW}\n"),
            format!("![kept]({OLD})\n```\n~~~\n{OLD}\n"),
        ),
        (format!("{NEW}.bak"), format!("{OLD}.bak")),
    ] {
        trip = trip.replace(&new_code, &old_code);
    }
    match name {
        "trip.md" => trip.into_bytes(),
        "sub/windows.markdown" => {
            format!("\u{feff}Line one\r\n![二]({NEW2})\r\n`{OLD2}`\r\n{NEW2}").into_bytes()
        }
        "sub/笔记 图片.mdx" => format!("见 {NEW2}\n").into_bytes(),
        "page.html" => {
            format!("<p><img src=\"{NEW}\"></p>\n<pre>{OLD}</pre>\n<code class=x>{OLD}</code>\n")
                .into_bytes()
        }
        _ => unreachable!(),
    }
}

#[test]
fn dry_run_shows_diffs_and_writes_nothing() {
    let c = corpus();
    let before = snapshot(&c.notes);
    let report = links::rewrite(
        &c.album,
        std::slice::from_ref(&c.notes),
        &RewriteOptions {
            dry_run: true,
            backup_dir: None,
        },
    )
    .unwrap();
    assert_eq!(snapshot(&c.notes), before, "a dry run writes nothing");
    let made: Vec<_> = std::fs::read_dir(&c.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("pixdrop-backup"))
        .collect();
    assert!(made.is_empty(), "no backup folder: {made:?}");
    assert_eq!(report.changed.len(), 4);
    assert!(report.backup_dir.is_none());
    let trip = report
        .changed
        .iter()
        .find(|f| f.path.ends_with("trip.md"))
        .unwrap();
    let diff = trip.diff.as_deref().unwrap();
    assert!(
        diff.contains(&format!("-![again]({OLD})\n+![again]({NEW})\n")),
        "{diff}"
    );
    assert!(!diff.contains("-```"), "{diff}");
}

#[test]
fn rewrite_replaces_every_form_keeps_every_other_byte_and_backs_up_first() {
    let c = corpus();
    let before = snapshot(&c.notes);
    let report = links::rewrite(
        &c.album,
        std::slice::from_ref(&c.notes),
        &RewriteOptions::default(),
    )
    .unwrap();
    let after = snapshot(&c.notes);
    let changed: Vec<&str> = [
        "trip.md",
        "sub/windows.markdown",
        "sub/笔记 图片.mdx",
        "page.html",
    ]
    .into();
    for (path, bytes) in &after {
        let name = path.to_str().unwrap();
        if changed.contains(&name) {
            assert_eq!(
                String::from_utf8_lossy(bytes),
                String::from_utf8_lossy(&expected(name)),
                "{name}"
            );
        } else {
            assert_eq!(bytes, &before[path], "{name} is left byte for byte");
        }
    }
    assert_eq!(report.changed.len(), 4, "{report:#?}");
    // trip.md: 8 outside code (the fragment's base included); the others 2, 1, 1.
    assert_eq!(report.links_rewritten, 8 + 2 + 1 + 1, "{report:#?}");
    assert_eq!(report.skipped.len(), 1, "latin1.md is not UTF-8");
    assert_eq!(report.broken.len(), 1);
    assert_eq!(report.broken[0].url, LOST);
    assert_eq!(report.broken[0].line, 18);
    assert_eq!(report.broken[0].status, LinkStatus::Gone);

    // The originals, beside the notes folder.
    let backup = report.backup_dir.clone().unwrap();
    assert_eq!(backup.parent().unwrap(), c.root.canonicalize().unwrap());
    let notes = c.notes.canonicalize().unwrap();
    for name in changed {
        let copy = backup.join(notes.strip_prefix("/").unwrap()).join(name);
        assert_eq!(
            std::fs::read(&copy).unwrap(),
            before[Path::new(name)],
            "{name}"
        );
    }

    // A rerun finds nothing to do and makes no backup.
    let again = links::rewrite(
        &c.album,
        std::slice::from_ref(&c.notes),
        &RewriteOptions::default(),
    )
    .unwrap();
    assert_eq!(again.links_rewritten, 0);
    assert!(again.changed.is_empty() && again.backup_dir.is_none());
    assert_eq!(snapshot(&c.notes), after);
}

#[test]
fn no_note_is_written_when_its_backup_cannot_be() {
    let c = corpus();
    let before = snapshot(&c.notes);
    // A file where the backup folder would go.
    let blocked = c.root.join("blocked");
    std::fs::write(&blocked, b"").unwrap();
    let err = links::rewrite(
        &c.album,
        &[c.notes.join("trip.md"), c.notes.join("page.html")],
        &RewriteOptions {
            dry_run: false,
            backup_dir: Some(blocked),
        },
    )
    .unwrap_err();
    assert_eq!(err.kind(), pixdrop_core::error::ErrorKind::Io, "{err}");
    assert_eq!(snapshot(&c.notes), before);
}

/// Config `old` on one stand-in, mirrored to `spare` on another; `new` on a third.
fn three_hosts() -> (support::engine::Env, StandIn, StandIn, StandIn) {
    let (old, spare, new) = (
        StandIn::start("t-old"),
        StandIn::start("t-spare"),
        StandIn::start("t-new"),
    );
    let env = support::engine::env();
    let smms = |token: &str, host: &StandIn| json!({"token": token, "server": host.base_url(), "api": "v2"});
    env.add("spare", "smms", smms("t-spare", &spare)).unwrap();
    let mut o = smms("t-old", &old);
    o["mirrors"] = json!(["spare"]);
    env.add("old", "smms", o).unwrap();
    env.add("new", "smms", smms("t-new", &new)).unwrap();
    (env, old, spare, new)
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn move_finds_each_image_where_it_still_is_and_links_the_records() {
    let (env, old, spare, new) = three_hosts();
    let engine = &env.engine;
    let album = engine.album();
    // Uploaded as they are (metadata removal changes nothing in these PNGs).
    let live = tiny_png(11);
    let mirrored = tiny_png(12);
    let a = env
        .upload_bytes("old", "live.png", &live)
        .await
        .unwrap()
        .record;
    let b = env
        .upload_bytes("old", "mirrored 图.png", &mirrored)
        .await
        .unwrap()
        .record;
    // b's copy on the old host is gone; its mirror still has it.
    assert!(old.delete_stored("mirrored 图.png"));
    // c's link serves other bytes now; d's host refuses connections. Neither has a mirror.
    let other = noise_png(3, 4000);
    let c_url = old.serve_file("changed.png", "image/png", other);
    let c_bytes = tiny_png(13);
    let insert = |name: &str, url: &str, bytes: &[u8]| {
        album
            .insert(&NewRecord {
                host_kind: "smms".into(),
                config_name: "old".into(),
                file_name: name.into(),
                stored_name: name.into(),
                url: url.into(),
                delete_handle: None,
                size: bytes.len() as u64,
                width: None,
                height: None,
                sha256: Some(sha(bytes)),
                created_at: 1,
                sent_sha256: Some(sha(bytes)),
                origin_url: None,
            })
            .unwrap()
    };
    let c = insert("changed.png", &c_url, &c_bytes);
    let d = insert("refused.png", &refused_url(), &tiny_png(14));
    // Settings that would change a file on the way must not touch a moved one.
    engine
        .config()
        .update(|cfg| {
            cfg.settings.convert_to = pixdrop_core::process::ConvertTo::Webp;
            Ok(())
        })
        .unwrap();
    let ids = [a.id, b.id, c, d];
    let records_before = env.records();

    // A dry run finds the bytes and changes nothing.
    let opts = |dry_run| MoveOptions {
        to: "new".into(),
        delete_old: true,
        dry_run,
    };
    let dry = links::move_records(engine, &ids, &opts(true))
        .await
        .unwrap();
    let statuses = |r: &links::MoveReport| r.results.iter().map(|r| r.status).collect::<Vec<_>>();
    assert_eq!(
        statuses(&dry),
        [
            MoveStatus::WouldMove,
            MoveStatus::WouldMove,
            MoveStatus::Lost,
            MoveStatus::Lost
        ]
    );
    assert_eq!(new.upload_requests(), 0);
    assert_eq!(env.records(), records_before);
    assert!(album.moved_to(a.id).unwrap().is_none());
    assert!(old
        .stored()
        .iter()
        .any(|s| s.file_name == "live.png" && !s.deleted));

    let report = links::move_records(engine, &ids, &opts(false))
        .await
        .unwrap();
    assert_eq!(
        statuses(&report),
        [
            MoveStatus::Moved,
            MoveStatus::Moved,
            MoveStatus::Lost,
            MoveStatus::Lost
        ],
        "{report:#?}"
    );
    let [ra, rb, rc, rd] = &report.results[..] else {
        panic!()
    };
    assert_eq!(ra.source.as_deref(), Some("its link"));
    assert!(
        rb.source.as_deref().unwrap().contains(&spare.base_url()),
        "{rb:?}"
    );
    assert!(rb.source.as_deref().unwrap().contains("spare"), "{rb:?}");
    assert!(
        rc.detail.as_deref().unwrap().contains("other bytes"),
        "{rc:?}"
    );
    // Each place is named once: its link is not said again before what it gave.
    assert!(
        rd.detail
            .as_deref()
            .unwrap()
            .starts_with("no place still has the uploaded image (its link: cannot download: "),
        "{rd:?}"
    );
    // The new copies are the bytes first sent, byte for byte (no conversion), on `new`.
    let sent: Vec<Vec<u8>> = new.stored().iter().map(|s| s.bytes.to_vec()).collect();
    assert_eq!(sent, [live.clone(), mirrored.clone()]);
    for (r, bytes) in [(ra, &live), (rb, &mirrored)] {
        let moved = album.get(r.new_id.unwrap()).unwrap().unwrap();
        assert_eq!(moved.config_name, "new");
        assert_eq!(moved.file_name, r.file_name);
        assert_eq!(Some(moved.url.clone()), r.new_url);
        assert_eq!(album.moved_to(r.id).unwrap(), Some(moved.id));
        assert_eq!(album.moved_from(moved.id).unwrap(), Some(r.id));
        assert_eq!(album.sent_sha256(moved.id).unwrap(), Some(sha(bytes)));
    }
    // The old copies are deleted on the old host only after; the records stay, their links
    // known gone, so notes can still be rewritten.
    assert!(ra.old_deleted);
    assert!(old
        .stored()
        .iter()
        .all(|s| s.deleted || s.file_name != "live.png"));
    assert_eq!(
        album.link_check(a.id).unwrap().unwrap().status,
        LinkStatus::Gone
    );
    assert!(album.get(a.id).unwrap().is_some());
    let mut moved = album.moved_links().unwrap();
    moved.sort();
    assert_eq!(moved.len(), 2);
    assert!(moved.contains(&(a.url.clone(), ra.new_url.clone().unwrap())));
    // b's delete on the old host failed (already gone there): said, the move stands.
    assert!(!rb.old_deleted);
    assert!(
        rb.detail
            .as_deref()
            .unwrap()
            .contains("could not be deleted"),
        "{rb:?}"
    );
    assert!(!report.all_done(true));

    // A rerun uploads nothing again.
    let again = links::move_records(engine, &ids, &opts(false))
        .await
        .unwrap();
    assert_eq!(
        statuses(&again),
        [
            MoveStatus::AlreadyMoved,
            MoveStatus::AlreadyMoved,
            MoveStatus::Lost,
            MoveStatus::Lost
        ]
    );
    assert_eq!(new.upload_requests(), 2);
    assert_eq!(again.results[0].new_url, ra.new_url);
    // Removing the moved record from the album with --remote does not ask the host again.
    engine.delete(&[a.id], true).await.remove(0).1.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_cut_off_after_its_upload_continues_without_uploading_again() {
    let (env, _old, _spare, new) = three_hosts();
    let engine = &env.engine;
    let png = tiny_png(21);
    let first = env
        .upload_bytes("old", "cut.png", &png)
        .await
        .unwrap()
        .record;
    // What an interrupted move left: the new copy uploaded and recorded, the link not made.
    let done = engine
        .upload_all(
            vec![Input::Bytes {
                name: "cut.png".into(),
                bytes: png.clone().into(),
            }],
            UploadOptions {
                host: Some("new".into()),
                as_is: true,
                ..Default::default()
            },
        )
        .await
        .remove(0)
        .result
        .unwrap();
    assert_eq!(new.upload_requests(), 1);
    let report = links::move_records(
        engine,
        &[first.id],
        &MoveOptions {
            to: "new".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(report.results[0].status, MoveStatus::Moved);
    assert_eq!(report.results[0].new_id, Some(done.record.id));
    assert_eq!(
        new.upload_requests(),
        1,
        "found on the new host's record, not sent again"
    );
    assert_eq!(
        engine.album().moved_to(first.id).unwrap(),
        Some(done.record.id)
    );
    // A config that does not exist sends nothing and says so.
    let err = links::move_records(
        engine,
        &[first.id],
        &MoveOptions {
            to: "nope".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("nope"), "{err}");
}

/// A record the album knows nothing of but its link (some PicGo imports: no hash, size or
/// dimensions) cannot be checked: whatever image its link serves would be moved, so the move
/// says it is unverified; one whose size is known is checked by it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_of_a_record_the_album_knows_nothing_of_says_it_is_unverified() {
    let (env, old, _spare, _new) = three_hosts();
    let album = env.engine.album();
    let png = noise_png(3, 4000);
    let bare = record(
        album,
        "old",
        &old.serve_file("bare.png", "image/png", png.clone()),
        0,
    );
    let sized = record(
        album,
        "old",
        &old.serve_file("sized.png", "image/png", png.clone()),
        png.len() as u64,
    );
    let opts = MoveOptions {
        to: "new".into(),
        dry_run: true,
        ..Default::default()
    };
    let report = links::move_records(&env.engine, &[bare, sized], &opts)
        .await
        .unwrap();
    let source = |i: usize| report.results[i].source.clone().unwrap_or_default();
    assert_eq!(report.results[0].status, MoveStatus::WouldMove);
    assert!(source(0).contains("not verified"), "{}", source(0));
    assert_eq!(report.results[1].status, MoveStatus::WouldMove);
    assert_eq!(source(1), "its link");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_keep_originals_an_image_whose_every_host_died_is_still_moved() {
    let (env, old, spare, new) = three_hosts();
    let engine = &env.engine;
    engine
        .config()
        .update(|cfg| {
            cfg.settings.keep_originals = true;
            Ok(())
        })
        .unwrap();
    let png = tiny_png(21);
    let done = env.upload_bytes("old", "kept 图.png", &png).await.unwrap();
    engine.originals().settled().await;
    assert_eq!(
        engine.originals().total(),
        png.len() as u64,
        "one copy for the host and its mirror"
    );
    let kept = engine
        .paths()
        .originals_dir()
        .join(&sha(&png)[..2])
        .join(sha(&png));
    assert_eq!(
        std::fs::read(&kept).unwrap(),
        png,
        "the exact bytes sent, named by their hash"
    );
    // Gone from the host and from its mirror.
    assert!(old.delete_stored("kept 图.png"));
    assert!(spare.delete_stored("kept 图.png"));
    let report = links::move_records(
        engine,
        &[done.record.id],
        &MoveOptions {
            to: "new".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let r = &report.results[0];
    assert_eq!(r.status, MoveStatus::Moved, "{r:?}");
    assert_eq!(
        r.source.as_ref().map(|m| m.text.as_str()),
        Some("the local copy of what was sent")
    );
    assert!(
        new.stored().iter().any(|s| s.bytes[..] == png[..]),
        "the new host has the image"
    );

    // Off: nothing is kept.
    engine
        .config()
        .update(|cfg| {
            cfg.settings.keep_originals = false;
            Ok(())
        })
        .unwrap();
    let other = tiny_png(22);
    env.upload_bytes("new", "not kept.png", &other)
        .await
        .unwrap();
    engine.originals().settled().await;
    assert_eq!(engine.originals().total(), png.len() as u64);
}
