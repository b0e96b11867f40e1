//! `pixdrop sync` between two homes (two data folders, as two computers), through a local
//! folder both see (as a Syncthing or NAS folder would be), with uploads to a stand-in host.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pixdrop_standin::{tiny_png, StandIn};
use serde_json::Value;

const TOKEN: &str = "sync-cli-token-0123456789";
const PASSPHRASE: &str = "correct horse battery staple";

struct Home {
    dir: tempfile::TempDir,
    passphrase: String,
}

impl Home {
    /// A home with an `smms` config `main` on `host` and a `local` config `shared` on `shared`.
    fn new(host: &StandIn, shared: &Path) -> Home {
        let home = Home {
            dir: tempfile::tempdir().unwrap(),
            passphrase: PASSPHRASE.into(),
        };
        home.ok(&[
            "hosts",
            "add",
            "smms",
            "main",
            "--set",
            &format!("token={TOKEN}"),
            "--set",
            &format!("server={}", host.base_url()),
            "--set",
            "api=see",
        ]);
        home.add_shared(shared);
        home
    }

    fn add_shared(&self, shared: &Path) {
        self.ok(&[
            "hosts",
            "add",
            "local",
            "shared",
            "--set",
            &format!("path={}", shared.display()),
            "--set",
            "url_prefix=https://nas.example.com",
        ]);
    }

    /// A home with only the `local` config `shared` on `shared` (a new computer).
    fn bare(shared: &Path) -> Home {
        let home = Home {
            dir: tempfile::tempdir().unwrap(),
            passphrase: PASSPHRASE.into(),
        };
        home.add_shared(shared);
        home
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_pixdrop"));
        c.arg("--data-dir")
            .arg(self.dir.path().join("home"))
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("PIXDROP_HOME")
            // No keyring in this test's session: secrets go to the 0600 file.
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env("PIXDROP_SYNC_PASSPHRASE", &self.passphrase);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    fn upload(&self, name: &str, seed: u64) -> String {
        let p: PathBuf = self.dir.path().join(name);
        std::fs::write(&p, tiny_png(seed)).unwrap();
        self.ok(&["upload", "--format", "url", p.to_str().unwrap()])
            .trim()
            .to_string()
    }

    /// The album: file name → URL.
    fn album(&self) -> Vec<(String, String)> {
        let v = self.json(&["album", "list", "--json", "--limit", "0"]);
        let mut all: Vec<(String, String)> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["file_name"].as_str().unwrap().to_string(),
                    r["url"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        all.sort();
        all
    }

    fn id_of(&self, name: &str) -> String {
        let v = self.json(&["album", "list", "--json", "--limit", "0"]);
        v.as_array()
            .unwrap()
            .iter()
            .find(|r| r["file_name"] == name)
            .unwrap()["id"]
            .to_string()
    }
}

#[test]
fn two_computers_share_one_album() {
    let host = StandIn::start(TOKEN);
    let shared = tempfile::tempdir().unwrap();
    let a = Home::new(&host, shared.path());
    let b = Home::new(&host, shared.path());

    // A has uploads before sync; a config that cannot hold a sync is refused by name.
    a.upload("猫 cat.png", 1);
    a.upload("a b#c.png", 2);
    let out = a.run(&["sync", "setup", "main"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot hold a sync"), "{err}");
    assert!(err.contains("s3, webdav, sftp, local"), "{err}");

    // A starts the sync; the passphrase is kept as a secret, shown masked.
    let said = a.ok(&["sync", "setup", "shared"]);
    assert!(said.contains("started a new sync"), "{said}");
    let shown = a.ok(&["settings", "get", "sync_passphrase"]);
    assert!(
        !shown.contains("horse") && shown.trim() == "••••••••",
        "{shown}"
    );
    // Where it syncs is not a setting to change by hand.
    let out = a.run(&["settings", "set", "sync_path", "elsewhere"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pixdrop sync setup"));
    assert_eq!(
        a.ok(&["settings", "get", "sync_path"]).trim(),
        "pixdrop-sync"
    );
    // Set up twice: refused in words, nothing dropped.
    let out = a.run(&["sync", "setup", "shared"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already set up"));
    let sent = a.json(&["sync", "now", "--json"]);
    // The two records, and this computer's configs and settings as they stand.
    assert!(sent["sent"].as_u64().unwrap() > 2, "{sent}");
    assert_eq!(sent["machines"], 1);

    // B joins with the passphrase and gets A's album.
    let said = b.ok(&["sync", "setup", "shared"]);
    assert!(said.contains("joined the sync"), "{said}");
    b.upload("desk.jpg.png", 3);
    let got = b.json(&["sync", "now", "--json"]);
    assert_eq!(got["received"]["records"], 2);
    assert_eq!(got["received"]["configs"], 0);
    assert!(got["sent"].as_u64().unwrap() >= 1, "{got}");
    assert_eq!(got["machines"], 2);
    a.ok(&["sync", "now"]);
    assert_eq!(a.album(), b.album());
    assert_eq!(a.album().len(), 3);

    // A delete on B reaches A; status says where each stands.
    b.ok(&["album", "delete", &b.id_of("a b#c.png")]);
    let status = b.json(&["sync", "status", "--json"]);
    assert_eq!(status["pending"], 1);
    // A setting changed counts as a change to send too.
    b.ok(&["settings", "set", "quality", "77"]);
    let status = b.json(&["sync", "status", "--json"]);
    assert_eq!(status["pending"], 2);
    assert_eq!(status["config"], "shared");
    assert_eq!(status["on"], true);
    assert_eq!(status["machines"], 2);
    b.ok(&["sync", "now"]);
    let got = a.json(&["sync", "now", "--json"]);
    assert_eq!(got["received"]["deleted"], 1);
    assert_eq!(a.album(), b.album());
    let status = a.json(&["sync", "status", "--json"]);
    assert_eq!(status["pending"], 0);
    assert!(status["last_sync"].as_i64().is_some());

    // Nothing on the shared folder reads without the passphrase.
    for e in std::fs::read_dir(shared.path().join("pixdrop-sync")).unwrap() {
        let bytes = std::fs::read(e.unwrap().path()).unwrap();
        for clear in ["cat.png", "desk", "127.0.0.1", TOKEN] {
            assert!(
                !bytes.windows(clear.len()).any(|w| w == clear.as_bytes()),
                "{clear} readable on the storage"
            );
        }
    }

    // Renaming the sync's config keeps the sync going; removing it is refused while it syncs.
    a.ok(&["hosts", "rename", "shared", "共享 盘"]);
    assert_eq!(a.ok(&["settings", "get", "sync_config"]).trim(), "共享 盘");
    a.ok(&["sync", "now"]);
    let out = a.run(&["hosts", "remove", "共享 盘"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("sync off"));

    // A third computer with a wrong passphrase is told so, and nothing is set up there.
    let mut c = Home::new(&host, shared.path());
    c.passphrase = "not the passphrase".into();
    let out = c.run(&["sync", "setup", "shared"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("passphrase is wrong"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(c.ok(&["settings", "get", "sync_config"]).trim(), "");
    let out = c.run(&["sync", "now"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("not set up"));

    // Off on B: B's album stays; A keeps syncing alone.
    b.ok(&["sync", "off"]);
    assert_eq!(b.ok(&["settings", "get", "sync_config"]).trim(), "");
    assert_eq!(b.album().len(), 2);
    a.upload("after.png", 4);
    a.ok(&["sync", "now"]);
    assert_eq!(b.album().len(), 2);
}

#[test]
fn a_new_computer_gets_the_hosts_and_uploads_with_their_token() {
    let host = StandIn::start(TOKEN);
    let shared = tempfile::tempdir().unwrap();
    let a = Home::new(&host, shared.path());
    a.ok(&["settings", "set", "link_format", "html"]);
    a.ok(&["settings", "set", "theme", "dark"]);
    a.ok(&["sync", "setup", "shared"]);
    a.ok(&["sync", "now"]);

    // B has only the storage's config: it gets A's host with its token, and A's way of working,
    // not A's theme.
    let b = Home::bare(shared.path());
    b.ok(&["sync", "setup", "shared"]);
    let got = b.json(&["sync", "now", "--json"]);
    assert_eq!(got["received"]["configs"], 1, "{got}");
    assert!(got["received"]["settings"].as_u64().unwrap() >= 1, "{got}");
    assert_eq!(b.ok(&["settings", "get", "theme"]).trim(), "system");
    let p = b.dir.path().join("from b.png");
    std::fs::write(&p, tiny_png(9)).unwrap();
    let link = b.ok(&["upload", "--host", "main", p.to_str().unwrap()]);
    assert!(link.starts_with("<img src=\""), "{link}");
    assert!(link.contains(&host.url_of("from b.png")), "{link}");
    // No keyring in this session: B keeps the token in its config file, readable by it alone.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(b.data().join("config.json"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0, "{mode:o}");
}

/// Start `pixdrop sync now` in `home`, and kill it (SIGKILL) once `ready` says it is in the
/// middle of its work (or when it ended before: then nothing was cut).
fn killed_when(home: &Home, mut ready: impl FnMut() -> bool) {
    let mut child = home
        .cmd(&["sync", "now"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    loop {
        if child.try_wait().unwrap().is_some() {
            return;
        }
        if ready() {
            eprintln!("killed midway");
            child.kill().unwrap();
            child.wait().unwrap();
            return;
        }
        std::thread::yield_now();
    }
}

#[test]
fn a_sync_killed_midway_completes_with_nothing_lost_or_doubled() {
    let host = StandIn::start(TOKEN);
    let shared = tempfile::tempdir().unwrap();
    let a = Home::new(&host, shared.path());
    // A large album, from a PicGo folder.
    let picgo = a.dir.path().join(".picgo");
    std::fs::create_dir(&picgo).unwrap();
    let uploaded: Vec<Value> = (0..20_000)
        .map(|i| {
            serde_json::json!({"fileName": format!("p{i}.png"),
                "imgUrl": format!("https://i.example/{i}/p.png"), "type": "smms"})
        })
        .collect();
    std::fs::write(
        picgo.join("config.json"),
        serde_json::json!({"picBed": {"current": "smms"}, "uploaded": uploaded}).to_string(),
    )
    .unwrap();
    a.ok(&["import", "picgo", picgo.to_str().unwrap()]);
    a.ok(&["sync", "setup", "shared"]);

    // Killed once its first object is on the storage, mid-send.
    let folder = shared.path().join("pixdrop-sync");
    let objects = || {
        std::fs::read_dir(&folder)
            .map(|d| {
                d.filter(|e| {
                    e.as_ref()
                        .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".pxs"))
                })
                .count()
            })
            .unwrap_or(0)
    };
    killed_when(&a, || objects() > 0);
    a.ok(&["sync", "now"]);
    assert_eq!(a.json(&["sync", "status", "--json"])["pending"], 0);

    // B joins, and is killed in the middle of merging (its album is being written).
    let b = Home::new(&host, shared.path());
    b.ok(&["sync", "setup", "shared"]);
    let wal = b.data().join("album.db-wal");
    let size = || std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    let at_start = size();
    killed_when(&b, || size() > at_start + 256 * 1024);
    b.ok(&["sync", "now"]);
    let (ours, theirs) = (a.album(), b.album());
    assert_eq!(ours.len(), 20_000);
    assert_eq!(ours, theirs, "nothing lost or doubled");
}

#[test]
fn a_changed_passphrase_seals_everything_anew_and_the_other_computer_is_asked_for_it() {
    let host = StandIn::start(TOKEN);
    let shared = tempfile::tempdir().unwrap();
    let a = Home::new(&host, shared.path());
    let mut b = Home::new(&host, shared.path());
    a.upload("before.png", 1);
    a.ok(&["sync", "setup", "shared"]);
    a.ok(&["sync", "now"]);
    b.ok(&["sync", "setup", "shared"]);
    b.ok(&["sync", "now"]);
    // B has a change it has not sent when A changes the passphrase.
    b.upload("b unsent.png", 2);

    // The passphrase it has already: nothing to change, said so.
    let out = a.run(&["sync", "passphrase"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already has"));
    // An empty variable is not a passphrase.
    let out = a
        .cmd(&["sync", "passphrase"])
        .env("PIXDROP_SYNC_PASSPHRASE", "")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is empty"));

    let mut a2 = a;
    a2.passphrase = "a new one, longer still".into();
    let said = a2.ok(&["sync", "passphrase"]);
    assert!(said.contains("sealed anew"), "{said}");
    a2.upload("after.png", 3);
    a2.ok(&["sync", "now"]);

    // B's next sync is told, in words, and changes nothing.
    let out = b.run(&["sync", "now"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pixdrop sync passphrase"), "{err}");
    assert_eq!(b.album().len(), 2);
    // A wrong new one is refused; the right one brings B in, its unsent change included.
    b.passphrase = "not it at all".into();
    let out = b.run(&["sync", "passphrase"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("neither the passphrase"));
    b.passphrase = "a new one, longer still".into();
    let said = b.ok(&["sync", "passphrase"]);
    assert!(
        said.contains("now uses the sync's new passphrase"),
        "{said}"
    );
    b.ok(&["sync", "now"]);
    a2.ok(&["sync", "now"]);
    assert_eq!(a2.album(), b.album());
    assert_eq!(a2.album().len(), 3);

    // Under the old passphrase nothing opens any more.
    let mut c = Home::bare(shared.path());
    let out = c.run(&["sync", "setup", "shared"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("passphrase is wrong"));
    c.passphrase = "a new one, longer still".into();
    c.ok(&["sync", "setup", "shared"]);
    c.ok(&["sync", "now"]);
    assert_eq!(c.album(), a2.album());
}
