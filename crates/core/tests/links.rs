//! Links that outlive their host: `links::check` against a stand-in host and a port that
//! refuses connections, and `links::rewrite` on a corpus of notes written here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pixdrop_core::links::{self, CheckOptions, LinkStatus, RewriteOptions};
use pixdrop_core::{Album, Engine, ListQuery, NewRecord, Paths};
use pixdrop_standin::{noise_png, StandIn};

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
