//! The `pixdrop` binary against a stand-in host on 127.0.0.1, as scripts use it.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use pixdrop_standin::{tiny_png, Behavior, StandIn};
use serde_json::Value;

const TOKEN: &str = "cli-token-0123456789";

struct Env {
    dir: tempfile::TempDir,
    host: StandIn,
    /// Variables every command gets (a test's own D-Bus session).
    vars: Vec<(String, String)>,
}

impl Env {
    fn new() -> Env {
        Env::new_with(&[])
    }

    fn new_with(vars: &[(&str, &str)]) -> Env {
        let env = Env {
            dir: tempfile::tempdir().unwrap(),
            host: StandIn::start(TOKEN),
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        env.add_smms("main", &env.host, TOKEN);
        env
    }

    /// Add an `smms` config NAME that uploads to `host`.
    fn add_smms(&self, name: &str, host: &StandIn, token: &str) {
        self.ok(&[
            "hosts",
            "add",
            "smms",
            name,
            "--set",
            &format!("token={token}"),
            "--set",
            &format!("server={}", host.base_url()),
            "--set",
            "api=see",
        ]);
    }

    /// A second stand-in host and a config `spare` that uploads to it.
    fn add_spare(&self) -> StandIn {
        let spare = StandIn::start("spare-token-0123456789");
        self.add_smms("spare", &spare, "spare-token-0123456789");
        spare
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_pixdrop"));
        c.arg("--data-dir")
            .arg(self.home())
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("PIXDROP_HOME")
            .envs(self.vars.iter().map(|(k, v)| (k, v)));
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

    fn file(&self, name: &str, bytes: &[u8]) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.display().to_string()
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn upload_prints_links_in_order_and_reports_failures_by_name() {
    let env = Env::new();
    let a = env.file("a.png", &tiny_png(1));
    let bad = env.file("bad.png", b"plain text");
    let b = env.file("b.png", &tiny_png(2));
    let out = env.run(&["upload", &a, &bad, "missing.png", &b]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<String> = text(&out.stdout).lines().map(str::to_string).collect();
    let (url_a, url_b) = (env.host.url_of("a.png"), env.host.url_of("b.png"));
    assert_eq!(
        lines,
        vec![format!("![a]({url_a})"), format!("![b]({url_b})")]
    );
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("pixdrop: {bad}: not an image")),
        "{err}"
    );
    assert!(err.contains("pixdrop: missing.png: no such file"), "{err}");
    assert_eq!(env.host.upload_requests(), 2);
}

#[test]
fn upload_json_and_formats() {
    let env = Env::new();
    let a = env.file("a.png", &tiny_png(3));
    let out = env.run(&["upload", "--json", "--format", "url", &a, "nope.gif"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let url = env.host.stored()[0].url.clone();
    assert_eq!(v[0]["input"], a.as_str());
    assert_eq!(v[0]["ok"], true);
    assert_eq!(v[0]["url"], url.as_str());
    assert_eq!(v[0]["link"], url.as_str());
    assert_eq!(v[0]["duplicate"], false);
    assert!(v[0]["id"].as_i64().unwrap() > 0);
    assert_eq!(v[1]["ok"], false);
    assert_eq!(v[1]["error_kind"], "file");
    assert!(v[1]["error"].as_str().unwrap().contains("no such file"));
    // Again: the album answers, no request; the default format comes from the settings.
    env.ok(&["settings", "set", "link_format", "ubb"]);
    let out = env.ok(&["upload", "--json", &a]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["duplicate"], true);
    assert_eq!(v[0]["link"], format!("[img]{url}[/img]"));
    assert_eq!(env.host.upload_requests(), 1);
    let forced = env.ok(&["upload", "--force", "--format", "html", &a]);
    assert_eq!(forced.trim(), format!("<img src=\"{url}\" alt=\"a\"/>"));
    assert_eq!(env.host.upload_requests(), 2);
}

#[test]
fn usage_errors_exit_2_and_send_nothing() {
    let env = Env::new();
    let a = env.file("a.png", &tiny_png(4));
    for args in [
        vec!["upload"],
        vec!["upload", "--format", "rtf", &a],
        vec!["frobnicate"],
        vec!["hosts", "add", "ftp", "x"],
    ] {
        let out = env.run(&args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(!text(&out.stderr).is_empty());
    }
    assert_eq!(env.host.upload_requests(), 0);
}

#[test]
fn host_errors_reach_the_user_in_plain_words() {
    let env = Env::new();
    env.ok(&["settings", "set", "retries", "1"]);
    let a = env.file("a.png", &tiny_png(5));
    env.host.script([Behavior::Html403]);
    let out = env.run(&["upload", &a]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("the host answered HTTP 403 with a web page, not JSON"),
        "{}",
        text(&out.stderr)
    );
    env.host.script([Behavior::Flood]);
    let out = env.run(&["upload", &a]);
    assert!(
        text(&out.stderr).contains("rate limiting: Flood detected"),
        "{}",
        text(&out.stderr)
    );
    env.ok(&["hosts", "set", "main", "token=wrong"]);
    let out = env.run(&["upload", &a]);
    assert!(
        text(&out.stderr).contains("the host refused the token"),
        "{}",
        text(&out.stderr)
    );
    let out = env.run(&["hosts", "test", "main"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("refused the token"));
}

#[test]
fn hosts_commands_keep_secrets_masked_and_private() {
    let env = Env::new();
    let list = env.ok(&["hosts", "list"]);
    assert!(list.contains("* main") && list.contains("smms"), "{list}");
    let shown = env.ok(&["hosts", "show", "main"]);
    assert!(
        !shown.contains(TOKEN) && shown.contains("••••••••6789"),
        "{shown}"
    );
    let listed = env.ok(&["hosts", "list", "--json"]);
    assert!(!listed.contains(TOKEN), "{listed}");
    let revealed: Value =
        serde_json::from_str(&env.ok(&["hosts", "show", "main", "--json", "--reveal"])).unwrap();
    assert_eq!(revealed["settings"]["token"], TOKEN);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.home().join("config.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    env.ok(&[
        "hosts",
        "add",
        "smms",
        "legacy",
        "--set",
        "token=t",
        "--set",
        "server=smms.app",
    ]);
    let out = env.run(&["hosts", "add", "smms", "legacy", "--set", "token=t"]);
    assert!(text(&out.stderr).contains("already exists"));
    env.ok(&["hosts", "use", "legacy"]);
    assert!(env.ok(&["hosts", "list"]).contains("* legacy"));
    let out = env.run(&["hosts", "set", "legacy", "api=v3"]);
    assert!(
        text(&out.stderr).contains("(api) must be one of auto, v2, see"),
        "{}",
        text(&out.stderr)
    );
    let out = env.run(&["hosts", "add", "smms", "notoken"]);
    assert!(
        text(&out.stderr).contains("needs token"),
        "{}",
        text(&out.stderr)
    );
    env.ok(&["hosts", "remove", "legacy"]);
    assert!(env.ok(&["hosts", "list"]).contains("* main"));
}

#[test]
fn a_secret_typed_as_its_mask_keeps_the_stored_one() {
    let env = Env::new();
    // What `hosts show` prints, pasted back, with another setting changed beside it.
    let shown = env.ok(&["hosts", "show", "main"]);
    let masked = shown
        .lines()
        .find_map(|l| l.strip_prefix("token: "))
        .unwrap()
        .to_string();
    assert_eq!(masked, "••••••••6789");
    env.ok(&[
        "hosts",
        "set",
        "main",
        &format!("token={masked}"),
        "api=see",
    ]);
    let revealed: Value =
        serde_json::from_str(&env.ok(&["hosts", "show", "main", "--json", "--reveal"])).unwrap();
    assert_eq!(revealed["settings"]["token"], TOKEN);
    // A short secret's mask (no tail) too; a new value is taken.
    env.ok(&["hosts", "set", "main", "token=short"]);
    env.ok(&["hosts", "set", "main", "token=••••••••"]);
    let revealed: Value =
        serde_json::from_str(&env.ok(&["hosts", "show", "main", "--json", "--reveal"])).unwrap();
    assert_eq!(revealed["settings"]["token"], "short");
}

#[test]
fn album_lists_searches_deletes_and_syncs() {
    let env = Env::new();
    let cat = env.file("cat.png", &tiny_png(6));
    let dog = env.file("dog.png", &tiny_png(7));
    // Two commands, so "newest" is well defined (a batch's uploads finish in any order).
    env.ok(&["upload", &cat]);
    env.ok(&["upload", &dog]);
    let all: Value = serde_json::from_str(&env.ok(&["album", "list", "--json"])).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert_eq!(all[0]["file_name"], "dog.png", "newest first");
    let found: Value =
        serde_json::from_str(&env.ok(&["album", "list", "--json", "--search", "CAT"])).unwrap();
    assert_eq!(found.as_array().unwrap().len(), 1);
    let none: Value =
        serde_json::from_str(&env.ok(&["album", "list", "--json", "--host", "other"])).unwrap();
    assert_eq!(none.as_array().unwrap().len(), 0);
    let paged: Value = serde_json::from_str(
        &env.ok(&["album", "list", "--json", "--limit", "1", "--offset", "1"]),
    )
    .unwrap();
    assert_eq!(paged[0]["file_name"], "cat.png");

    let id = all[0]["id"].as_i64().unwrap().to_string();
    assert!(env
        .ok(&["album", "delete", &id, "--remote"])
        .contains(&format!("deleted {id}")));
    assert!(env
        .host
        .stored()
        .iter()
        .any(|s| s.file_name == "dog.png" && s.deleted));
    let out = env.run(&["album", "delete", "424242"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no album record with id 424242"));

    env.host
        .preload("from-web.png", &tiny_png(8), 1_700_000_000);
    let synced = env.ok(&["album", "sync", "main"]);
    assert!(synced.contains("imported 1 images"), "{synced}");
    let list = env.ok(&["album", "list"]);
    assert!(
        list.contains("from-web.png") && list.contains("cat.png"),
        "{list}"
    );
}

#[test]
fn settings_are_shared_and_checked() {
    let env = Env::new();
    assert_eq!(
        env.ok(&["settings", "get", "link_format"]).trim(),
        "markdown"
    );
    env.ok(&["settings", "set", "auto_copy", "off"]);
    assert_eq!(env.ok(&["settings", "get", "auto_copy"]).trim(), "false");
    let all = env.ok(&["settings", "get"]);
    assert!(
        all.contains("auto_copy = false") && all.contains("rename = none"),
        "{all}"
    );
    let out = env.run(&["settings", "set", "rename_pattern", "{nope}"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the pattern is only checked when rename is pattern"
    );
    env.ok(&["settings", "set", "rename_pattern", "{Y}-{filename}"]);
    let out = env.run(&["settings", "set", "rename", "sometimes"]);
    assert!(
        text(&out.stderr).contains("use none, timestamp or pattern"),
        "{}",
        text(&out.stderr)
    );
    let raw: Value =
        serde_json::from_slice(&std::fs::read(env.home().join("config.json")).unwrap()).unwrap();
    assert_eq!(raw["settings"]["auto_copy"], false);
    assert_eq!(raw["schema"], 1);
}

#[test]
fn url_rewrite_rules_change_the_link_and_keep_the_hosts() {
    let env = Env::new();
    assert!(env
        .ok(&["url-rewrite", "list"])
        .contains("no URL rewrite rules"));
    // Refused in words, nothing saved: a pattern that is no regular expression, a group the
    // pattern lacks, a rule that is not there, the list set as one setting.
    let bad = env.run(&["url-rewrite", "add", "(unclosed", "x"]);
    assert!(!bad.status.success());
    assert!(
        text(&bad.stderr).contains("URL rewrite rule 1: its pattern is not a regular expression"),
        "{}",
        text(&bad.stderr)
    );
    let bad = env.run(&["url-rewrite", "add", "^(a)$", "$2"]);
    assert!(
        text(&bad.stderr).contains("uses $2, but its pattern has 1 groups"),
        "{}",
        text(&bad.stderr)
    );
    let bad = env.run(&["url-rewrite", "remove", "3"]);
    assert!(
        text(&bad.stderr).contains("there is no URL rewrite rule 3 (there are 0"),
        "{}",
        text(&bad.stderr)
    );
    let bad = env.run(&["settings", "set", "url_rewrite", "[]"]);
    assert!(
        text(&bad.stderr).contains("url_rewrite is a list of rules"),
        "{}",
        text(&bad.stderr)
    );
    assert_eq!(env.ok(&["url-rewrite", "list", "--json"]).trim(), "[]");

    // A rule for another host first (it does not match), then the stand-in's links onto a CDN.
    env.ok(&[
        "url-rewrite",
        "add",
        "^https://elsewhere\\.example/(.*)$",
        "https://never/$1",
    ]);
    let listed = env.ok(&[
        "url-rewrite",
        "add",
        "^HTTP://127\\.0\\.0\\.1:\\d+/(.+)$",
        "https://cdn.example.net/$1?from=pixdrop",
        "--ignore-case",
    ]);
    assert!(listed.contains(" 2  on   ^HTTP://"), "{listed}");
    assert!(listed.contains("(ignore case)"), "{listed}");
    let a = env.file("猫 a.png", &tiny_png(41));
    let out = env.ok(&["upload", "--format", "url", &a]);
    let host_url = env.host.url_of("猫 a.png");
    let path = host_url.splitn(4, '/').nth(3).unwrap().to_string();
    let want = format!("https://cdn.example.net/{path}?from=pixdrop");
    assert_eq!(out.trim(), want);
    let album: Value = serde_json::from_str(&env.ok(&["album", "list", "--json"])).unwrap();
    assert_eq!(album[0]["url"], want.as_str());
    assert_eq!(album[0]["origin_url"], host_url.as_str());
    // The same bytes again: the album answers with the rewritten link.
    assert_eq!(env.ok(&["upload", "--format", "url", &a]).trim(), want);
    let tested = env.ok(&["url-rewrite", "test", &host_url]);
    assert_eq!(tested.trim(), format!("rule 2: {want}"));
    assert!(env
        .ok(&["url-rewrite", "test", "https://other/x.png"])
        .contains("no rule matches"));

    // Off, the link is the host's; a rule whose result is empty keeps the host's link too.
    env.ok(&["url-rewrite", "disable", "2"]);
    assert!(env
        .ok(&["url-rewrite", "list"])
        .contains(" 2  off  ^HTTP://"));
    let b = env.file("b.png", &tiny_png(42));
    assert_eq!(
        env.ok(&["upload", "--format", "url", &b]).trim(),
        env.host.url_of("b.png")
    );
    env.ok(&["url-rewrite", "add", "--at", "1", "^.*$", ""]);
    let c = env.file("c.png", &tiny_png(43));
    assert_eq!(
        env.ok(&["upload", "--format", "url", &c]).trim(),
        env.host.url_of("c.png")
    );
    let log = std::fs::read_to_string(env.home().join("logs").join("pixdrop.log")).unwrap();
    assert!(
        log.contains("URL rewrite rule 1 turned the link into nothing"),
        "{log}"
    );
    env.ok(&["url-rewrite", "remove", "1"]);
    env.ok(&["url-rewrite", "enable", "2"]);
    let rules: Value = serde_json::from_str(&env.ok(&["url-rewrite", "list", "--json"])).unwrap();
    assert_eq!(rules.as_array().unwrap().len(), 2);
    assert_eq!(rules[1]["enabled"], true);
    assert_eq!(rules[1]["ignore_case"], true);
}

#[test]
fn pixdrop_home_selects_the_data_folder() {
    let env = Env::new();
    let out = Command::new(env!("CARGO_BIN_EXE_pixdrop"))
        .args(["hosts", "list"])
        .env("PIXDROP_HOME", env.home())
        .output()
        .unwrap();
    assert!(text(&out.stdout).contains("main"));
}

/// kill -9 in the middle of a 100-file batch: every link the CLI printed is in the album, the
/// album holds nothing the host did not store, and SQLite finds the file sound.
#[test]
fn killed_mid_batch_loses_no_reported_upload() {
    let env = Env::new();
    env.host
        .script((0..100).map(|_| Behavior::Slow(Duration::from_millis(15))));
    let files: Vec<String> = (0..100u64)
        .map(|i| env.file(&format!("f{i:03}.png"), &tiny_png(10_000 + i)))
        .collect();
    let mut args = vec!["upload", "--format", "url"];
    args.extend(files.iter().map(String::as_str));
    let mut child = env
        .cmd(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut printed = Vec::new();
    while printed.len() < 30 {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "the CLI stopped early"
        );
        printed.push(line.trim().to_string());
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(
        env.host.upload_requests() < 100,
        "the batch was not cut short"
    );

    let db = rusqlite::Connection::open(env.home().join("album.db")).unwrap();
    let check: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let urls: Vec<String> = db
        .prepare("SELECT url FROM uploads")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for link in &printed {
        assert!(
            urls.contains(link),
            "{link} was printed but is not in the album"
        );
    }
    let stored: Vec<String> = env.host.stored().into_iter().map(|s| s.url).collect();
    for url in &urls {
        assert!(
            stored.contains(url),
            "{url} is in the album but the host never stored it"
        );
    }
    // The next run picks up where the batch stopped, re-sending nothing already recorded.
    let before = env.host.upload_requests();
    let out = env.run(&args);
    assert!(out.status.success());
    assert_eq!(env.host.upload_requests() - before, 100 - urls.len());
}

// ---- Clipboard tests: need an X display (the test command runs them under Xvfb). ----

fn xclip(args: &[&str]) -> Command {
    let mut c = Command::new("xclip");
    c.args(args);
    c
}

/// There is one X clipboard: tests that use it take turns.
static CLIPBOARD: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn clipboard_text() -> String {
    text(
        &xclip(&["-selection", "clipboard", "-o"])
            .output()
            .unwrap()
            .stdout,
    )
}

/// Wait (bounded) until the clipboard's owner offers what `offered` accepts, given its list of
/// targets: xclip's first process exits before the server it forks owns the selection, so its
/// exit proves nothing.
fn wait_for_clipboard(what: &str, offered: impl Fn(&str) -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let targets = text(
            &xclip(&["-selection", "clipboard", "-o", "-t", "TARGETS"])
                .output()
                .unwrap()
                .stdout,
        );
        if offered(&targets) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the clipboard never held {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
#[ignore = "needs an X display and xclip"]
fn copy_leaves_the_links_on_the_clipboard_after_exit() {
    let _turn = CLIPBOARD.lock().unwrap_or_else(|p| p.into_inner());
    let env = Env::new();
    let a = env.file("a.png", &tiny_png(20));
    let b = env.file("b.png", &tiny_png(21));
    let out = env.ok(&["upload", "--copy", &a, &b]);
    assert_eq!(clipboard_text(), out.trim_end());
    let records: Value = serde_json::from_str(&env.ok(&["album", "list", "--json"])).unwrap();
    let id = records[1]["id"].as_i64().unwrap().to_string();
    let copied = env.ok(&["album", "copy", &id, "--format", "url"]);
    assert_eq!(clipboard_text(), copied.trim_end());
    assert_eq!(copied.trim(), records[1]["url"].as_str().unwrap());
}

#[test]
#[ignore = "needs an X display and xclip"]
fn clipboard_image_is_uploaded_and_text_is_refused() {
    let _turn = CLIPBOARD.lock().unwrap_or_else(|p| p.into_inner());
    let env = Env::new();
    let png = env.file("clip.png", &tiny_png(22));
    // xclip forks and keeps serving the image, like a screenshot tool.
    let st = xclip(&["-selection", "clipboard", "-t", "image/png", "-i", &png])
        .status()
        .unwrap();
    assert!(st.success());
    wait_for_clipboard("the image", |t| t.lines().any(|l| l == "image/png"));
    let out: Value = serde_json::from_str(&env.ok(&["upload", "--clipboard", "--json"])).unwrap();
    assert_eq!(out[0]["ok"], true, "{out}");
    assert!(out[0]["input"].as_str().unwrap().starts_with("clipboard-"));
    let rec: Value = serde_json::from_str(&env.ok(&["album", "list", "--json"])).unwrap();
    assert_eq!(
        (rec[0]["width"].as_u64(), rec[0]["height"].as_u64()),
        (Some(4), Some(3))
    );

    let mut put = xclip(&["-selection", "clipboard", "-i"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(put.stdin.as_mut().unwrap(), b"just text").unwrap();
    drop(put.stdin.take());
    put.wait().unwrap();
    wait_for_clipboard("text", |t| {
        t.lines().any(|l| l == "UTF8_STRING") && !t.lines().any(|l| l == "image/png")
    });
    let out = env.run(&["upload", "--clipboard"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("the clipboard holds no image"),
        "{}",
        text(&out.stderr)
    );
}

// ---- pixdrop serve ----

fn http_post(port: u16, path: &str, body: &str) -> (u16, Value) {
    http_post_with(port, path, "", body)
}

/// A POST with `headers` (lines ending in \r\n) besides the usual ones.
fn http_post_with(port: u16, path: &str, headers: &str, body: &str) -> (u16, Value) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{headers}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out.split(' ').nth(1).unwrap().parse().unwrap();
    (
        status,
        serde_json::from_str(out.split("\r\n\r\n").nth(1).unwrap_or_default())
            .unwrap_or(Value::Null),
    )
}

/// The output of a started `pixdrop serve` and the port it says it listens on.
fn serving(child: &mut std::process::Child) -> (BufReader<std::process::ChildStdout>, u16) {
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let port: u16 = first
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no address in {first:?}"));
    (out, port)
}

#[test]
fn serve_answers_picgo_clients_and_records_uploads() {
    let env = Env::new();
    env.ok(&["settings", "set", "auto_copy", "off"]);
    let mut child = env
        .cmd(&["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (mut out, port) = serving(&mut child);
    let (status, v) = http_post(port, "/heartbeat", "");
    assert_eq!((status, v["result"].as_str()), (200, Some("alive")));
    let a = env.file("typora.png", &tiny_png(30));
    let (status, v) = http_post(
        port,
        "/upload",
        &serde_json::json!({"list": [a]}).to_string(),
    );
    assert_eq!(status, 200, "{v}");
    let url = env.host.stored()[0].url.clone();
    assert_eq!(v["result"], serde_json::json!([url]));
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(line.contains("uploaded typora.png"), "{line}");
    assert!(env.ok(&["album", "list"]).contains("typora.png"));

    // A second server on the same port says who holds it and exits 1.
    let taken = env.run(&["serve", "--port", &port.to_string()]);
    assert_eq!(taken.status.code(), Some(1));
    assert!(
        text(&taken.stderr).contains("answered the heartbeat"),
        "{}",
        text(&taken.stderr)
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn custom_hosts_and_imports_from_the_command_line() {
    let env = Env::new();
    let base = env.host.base_url();
    // A custom API configured by hand: bad JSON is refused with the parse error.
    let out = env.run(&[
        "hosts",
        "add",
        "custom",
        "api",
        "--set",
        &format!("url={base}/custom/relative"),
        "--set",
        "headers={\"X-Api-Key\": ",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("headers is not valid JSON"),
        "{}",
        text(&out.stderr)
    );
    env.ok(&[
        "hosts",
        "add",
        "custom",
        "api",
        "--set",
        &format!("url={base}/custom/relative"),
        "--set",
        &format!("headers={{\"X-Api-Key\": \"{TOKEN}\"}}"),
        "--set",
        "json_path=$.path",
        "--set",
        &format!("prefix={base}"),
    ]);
    let shown = env.ok(&["hosts", "show", "api"]);
    assert!(
        shown.contains("X-Api-Key") && !shown.contains(TOKEN),
        "{shown}"
    );
    std::fs::write(env.dir.path().join("a.png"), tiny_png(41)).unwrap();
    let link = env.ok(&["upload", "--host", "api", "--format", "url", "a.png"]);
    assert_eq!(link.trim(), env.host.url_of("a.png"));

    // A ShareX uploader file.
    let sxcu = env.dir.path().join("up.sxcu");
    std::fs::write(
        &sxcu,
        serde_json::json!({"Name": "shx", "RequestURL": format!("{base}/custom/text"), "Headers": {"X-Api-Key": TOKEN},
                           "Body": "MultipartFormData", "FileFormName": "f", "URL": "{response}"})
        .to_string(),
    )
    .unwrap();
    let out = env.ok(&["import", "sxcu", "up.sxcu"]);
    assert!(out.contains("added custom config \"shx\""), "{out}");
    std::fs::write(env.dir.path().join("b.png"), tiny_png(42)).unwrap();
    let link = env.ok(&["upload", "--host", "shx", "--format", "url", "b.png"]);
    assert_eq!(link.trim(), env.host.url_of("b.png"));
    let out = env.run(&["import", "sxcu", "up.sxcu"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("already exists"));

    // A PicGo-Core folder.
    let picgo = env.dir.path().join(".picgo");
    std::fs::create_dir(&picgo).unwrap();
    std::fs::write(
        picgo.join("config.json"),
        r#"{"picBed": {"current": "smms", "smms": {"token": "t0k"}, "alistplist": {"url": "https://alist.example"}},
            "settings": {"pasteStyle": "UBB"},
            "uploaded": [{"fileName": "p.png", "imgUrl": "https://i.example/p.png", "type": "alistplist"}]}"#,
    )
    .unwrap();
    let out = env.ok(&["import", "picgo", ".picgo"]);
    assert!(out.contains("added smms config \"Default\""), "{out}");
    assert!(out.contains("setting link_format = ubb"), "{out}");
    assert!(
        out.contains("album: 1 records added, 0 already here"),
        "{out}"
    );
    assert!(out.contains("PicGo type \"alistplist\""), "{out}");
    let again: Value =
        serde_json::from_str(&env.ok(&["import", "picgo", ".picgo", "--json"])).unwrap();
    assert_eq!(again["records_added"], 0);
    assert_eq!(again["configs_present"], serde_json::json!(["Default"]));
    assert!(env.ok(&["album", "list"]).contains("p.png"));
}

// ---- Defects found by trying every documented command (each failed before its fix). ----

/// A proxy nothing listens on, with a password.
fn proxy_with_password(password: &str) -> String {
    let down = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!(
        "http://me:{password}@127.0.0.1:{}",
        down.local_addr().unwrap().port()
    )
}

#[test]
fn a_proxy_password_is_never_shown() {
    let env = Env::new();
    let password = "pr0xy-pa55";
    let proxy = proxy_with_password(password);
    let masked = proxy.replace(password, "••••••••");
    env.ok(&["settings", "set", "retries", "1"]);
    let set = env.ok(&["settings", "set", "proxy", &proxy]);
    assert_eq!(set.trim(), format!("proxy = {masked}"));
    let listed = env.ok(&["settings", "list"]);
    assert!(listed.contains(&format!("proxy = {masked}")), "{listed}");
    assert!(!listed.contains(password), "{listed}");
    assert_eq!(env.ok(&["settings", "get", "proxy"]).trim(), masked);
    assert_eq!(
        env.ok(&["settings", "get", "proxy", "--reveal"]).trim(),
        proxy
    );
    // What was shown, typed back: the password stays.
    env.ok(&["settings", "set", "proxy", &masked]);
    assert_eq!(
        env.ok(&["settings", "get", "proxy", "--reveal"]).trim(),
        proxy
    );

    // The proxy is down: the error names it without the password, on stderr, in --json and
    // in the log.
    let a = env.file("a.png", &tiny_png(40));
    let out = env.run(&["upload", &a]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("could not reach the proxy {masked}: ")),
        "{err}"
    );
    assert!(!err.contains(password), "{err}");
    let out = env.run(&["upload", "--json", &a]);
    assert!(
        !text(&out.stdout).contains(password),
        "{}",
        text(&out.stdout)
    );
    assert!(text(&out.stdout).contains("could not reach the proxy"));
    let log = std::fs::read_to_string(env.home().join("logs/pixdrop.log")).unwrap();
    assert!(log.contains("could not reach the proxy"), "{log}");
    assert!(!log.contains(password), "{log}");
    // A refused proxy is named masked too.
    let out = env.run(&["settings", "set", "proxy", "ftp://me:pr0xy-pa55@host"]);
    assert!(
        !text(&out.stderr).contains(password),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr).contains("proxy must be"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(env.host.upload_requests(), 0);
}

#[test]
fn album_ids_are_never_given_out_again() {
    let env = Env::new();
    let first = env.file("first.png", &tiny_png(60));
    let out: Value = serde_json::from_str(&env.ok(&["upload", "--json", &first])).unwrap();
    let id = out[0]["id"].as_i64().unwrap();
    env.ok(&["album", "delete", &id.to_string()]);
    let second = env.file("second.png", &tiny_png(61));
    let out: Value = serde_json::from_str(&env.ok(&["upload", "--json", &second])).unwrap();
    let next = out[0]["id"].as_i64().unwrap();
    assert!(
        next > id,
        "id {id} was deleted, and the next upload got {next}"
    );
}

#[test]
fn line_breaks_in_a_file_name_never_reach_the_request() {
    let env = Env::new();
    let odd = env.file("new\r\nContent-Type: text\nline.png", &tiny_png(62));
    let out: Value = serde_json::from_str(&env.ok(&["upload", "--json", &odd])).unwrap();
    assert_eq!(out[0]["ok"], true, "{out}");
    let stored = env.host.stored();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].file_name, "new__Content-Type: text_line.png");
    assert_eq!(stored[0].size, tiny_png(62).len(), "the body arrived whole");
    let records: Value = serde_json::from_str(&env.ok(&["album", "list", "--json"])).unwrap();
    assert_eq!(
        records[0]["file_name"], "new\r\nContent-Type: text\nline.png",
        "the album keeps the real name (the file's name, not its folder)"
    );
}

#[test]
fn line_breaks_in_a_file_name_never_split_a_link_or_a_row() {
    let env = Env::new();
    let odd = env.file("two\nlines\r\nx.png", &tiny_png(63));
    let out = env.ok(&["upload", &odd]);
    let url = env.host.stored()[0].url.clone();
    assert_eq!(out, format!("![two lines x]({url})\n"));
    let out = env.ok(&["upload", "--format", "html", &odd]);
    assert_eq!(out, format!("<img src=\"{url}\" alt=\"two lines x\"/>\n"));
    let rows = env.ok(&["album", "list"]);
    assert_eq!(rows.lines().count(), 1, "{rows}");
    assert!(rows.contains("two lines x.png"), "{rows}");
}

/// What Typora's "Custom Command" does: run the command with the images' absolute paths and
/// take the last N lines of its stdout as the N images' links, in order.
fn typora_custom_command(env: &Env, command: &[&str], images: &[&str]) -> Vec<String> {
    let args: Vec<&str> = command.iter().chain(images).copied().collect();
    let out = env.run(&args);
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines.len() >= images.len(),
        "{} images, but stdout has {} lines:\n{stdout}\nstderr: {}",
        images.len(),
        lines.len(),
        text(&out.stderr)
    );
    lines[lines.len() - images.len()..]
        .iter()
        .map(|l| l.to_string())
        .collect()
}

#[test]
fn typora_gives_each_image_its_own_link_when_one_fails() {
    let env = Env::new();
    // The first upload is answered last: the links still come in input order.
    env.host
        .script([Behavior::Slow(Duration::from_millis(300))]);
    let a = env.file("a.png", &tiny_png(64));
    let broken = env.file("broken.png", b"not an image at all");
    let b = env.file("b.png", &tiny_png(65));
    let command = ["upload", "--format", "url"];
    let links = typora_custom_command(&env, &command, &[&a, &broken, &b]);
    assert_eq!(links[0], env.host.url_of("a.png"));
    assert_eq!(links[1], "pixdrop:upload-failed", "plainly no link");
    assert_eq!(links[2], env.host.url_of("b.png"));

    // The same when the links are bare URLs by the setting.
    env.ok(&["settings", "set", "link_format", "url"]);
    let c = env.file("c.png", &tiny_png(66));
    let links = typora_custom_command(&env, &["upload"], &[&broken, &a, &c]);
    assert_eq!(
        links,
        vec![
            "pixdrop:upload-failed".to_string(),
            env.host.url_of("a.png"),
            env.host.url_of("c.png")
        ]
    );
}

#[test]
fn every_host_of_a_failed_upload_gives_its_error() {
    let env = Env::new();
    let spare = env.add_spare();
    env.ok(&["settings", "set", "retries", "1"]);
    env.host.script([Behavior::Html403]);
    spare.script([Behavior::Flood]);
    let a = env.file("a.png", &tiny_png(67));
    let out = env.run(&["upload", "--host", "main", "--host", "spare", "--json", &a]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let item = &v[0];
    assert_eq!(item["ok"], false);
    assert_eq!(item["config"], "main");
    assert_eq!(item["error_kind"], "http", "the chosen config's kind");
    let error = item["error"].as_str().unwrap();
    assert!(
        error.contains("main failed: the host answered HTTP 403")
            && error.contains("spare failed: the host is rate limiting: Flood detected"),
        "{error}"
    );
    assert_eq!(item["mirrors"][0]["config"], "spare");
    assert_eq!(item["mirrors"][0]["record"], Value::Null);
    assert_eq!(item["mirrors"][0]["error"]["kind"], "rate_limited");

    env.host.script([Behavior::Html403]);
    spare.script([Behavior::Flood]);
    let out = env.run(&["upload", "--host", "main", "--host", "spare", &a]);
    let err = text(&out.stderr);
    assert!(
        err.contains("main failed: the host answered HTTP 403")
            && err.contains("spare failed: the host is rate limiting: Flood detected"),
        "{err}"
    );
    let log = std::fs::read_to_string(env.home().join("logs/pixdrop.log")).unwrap();
    let failed: Vec<&str> = log.lines().filter(|l| l.contains("failed ")).collect();
    assert_eq!(failed.len(), 2, "{log}");
    for line in failed {
        assert!(
            line.contains("main failed: the host answered HTTP 403")
                && line.contains("spare failed: the host is rate limiting: Flood detected"),
            "{line}"
        );
    }
}

#[test]
fn an_sxcu_name_taken_says_how_to_import_it_under_another() {
    let env = Env::new();
    let sxcu = env.dir.path().join("my up.sxcu");
    std::fs::write(
        &sxcu,
        serde_json::json!({"Name": "main", "RequestURL": format!("{}/custom/text", env.host.base_url()),
                           "Body": "MultipartFormData", "FileFormName": "f", "URL": "{response}"})
        .to_string(),
    )
    .unwrap();
    let out = env.run(&["import", "sxcu", "my up.sxcu"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("a host config named \"main\" already exists")
            && err.contains("pixdrop import sxcu 'my up.sxcu' --name 'main (sxcu)'"),
        "{err}"
    );
    let out = env.ok(&["import", "sxcu", "my up.sxcu", "--name", "main (sxcu)"]);
    assert!(out.contains("added custom config \"main (sxcu)\""), "{out}");
}

#[test]
fn settings_list_masks_secrets_and_checks_the_shortcut() {
    let env = Env::new();
    let listed = env.ok(&["settings", "list"]);
    assert!(listed.contains("link_format = markdown"), "{listed}");
    let set = env.ok(&["settings", "set", "server_secret", "s3cr3t-value"]);
    assert!(
        !set.contains("s3cr3t-value"),
        "set printed the secret: {set}"
    );
    let got = env.ok(&["settings", "get", "server_secret"]);
    assert!(
        !got.contains("s3cr3t-value"),
        "get printed the secret: {got}"
    );
    assert_eq!(
        env.ok(&["settings", "get", "server_secret", "--reveal"])
            .trim(),
        "s3cr3t-value"
    );
    assert!(!env.ok(&["settings", "list"]).contains("s3cr3t-value"));

    let out = env.run(&["settings", "set", "shortcut", "foo"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("\"foo\" is not a key"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        env.ok(&["settings", "get", "shortcut"]).trim(),
        "CommandOrControl+Shift+U"
    );
    // Choices in any case.
    env.ok(&["settings", "set", "link_format", "HTML"]);
    assert_eq!(env.ok(&["settings", "get", "link_format"]).trim(), "html");
}

#[test]
fn album_list_says_how_many_more_there_are() {
    let env = Env::new();
    for i in 0..5u64 {
        let f = env.file(&format!("p{i}.png"), &tiny_png(70 + i));
        env.ok(&["upload", &f]);
    }
    let out = env.run(&["album", "list", "--limit", "2"]);
    assert_eq!(text(&out.stdout).lines().count(), 2);
    assert!(
        text(&out.stderr).contains("3 more not listed (5 in all); see them with --offset 2"),
        "{}",
        text(&out.stderr)
    );
    let out = env.run(&["album", "list", "--json", "--limit", "2", "--offset", "2"]);
    let page: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(page.as_array().unwrap().len(), 2, "JSON stays one array");
    assert!(text(&out.stderr).contains("1 more not listed"));
    let all: Value =
        serde_json::from_str(&env.ok(&["album", "list", "--json", "--limit", "0"])).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 5);
    let out = env.run(&["album", "list"]);
    assert!(text(&out.stderr).is_empty(), "{}", text(&out.stderr));
}

#[test]
fn a_deduplicated_upload_is_named_as_given_this_time() {
    let env = Env::new();
    let bytes = tiny_png(80);
    let first = env.file("twice.png", &bytes);
    let again = env.file("twice2.png", &bytes);
    let url = env.ok(&["upload", "--format", "url", &first]);
    let out = env.ok(&["upload", &again]);
    assert_eq!(out.trim(), format!("![twice2]({})", url.trim()));
    assert_eq!(env.host.upload_requests(), 1);
}

#[test]
fn removing_the_default_names_the_new_one_and_the_records_left() {
    let env = Env::new();
    env.add_smms("spare", &env.host, TOKEN);
    let f = env.file("kept.png", &tiny_png(81));
    env.ok(&["upload", &f]);
    let out = env.ok(&["hosts", "remove", "main"]);
    assert!(out.contains("\"spare\" is now the default"), "{out}");
    assert!(out.contains("its 1 album records stay"), "{out}");
}

#[cfg(unix)]
#[test]
fn a_pipe_is_not_called_an_empty_file() {
    let env = Env::new();
    let fifo = env.dir.path().join("pipe.png");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc_mkfifo(c.as_ptr(), 0o600) }, 0);
    let out = env.run(&["upload", fifo.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("is not a regular file"),
        "{}",
        text(&out.stderr)
    );
}

#[cfg(unix)]
extern "C" {
    #[link_name = "mkfifo"]
    fn libc_mkfifo(path: *const std::ffi::c_char, mode: u32) -> i32;
}

#[test]
fn serve_on_a_taken_port_names_the_flag() {
    let env = Env::new();
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port().to_string();
    let out = env.run(&["serve", "--port", &port]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("pass another --port") && !err.contains("server_port"),
        "{err}"
    );
}

#[test]
fn without_a_display_the_clipboard_says_so_at_once() {
    let env = Env::new();
    let out = env
        .cmd(&["upload", "--clipboard"])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("there is no display"), "{err}");
    let f = env.file("nodisplay.png", &tiny_png(82));
    let out = env
        .cmd(&["upload", "--copy", &f])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert!(
        text(&out.stderr).contains("there is no display"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn renaming_a_config_takes_its_album_records_along() {
    let env = Env::new();
    let f = env.file("renamed.png", &tiny_png(83));
    env.ok(&["upload", &f]);
    env.ok(&["hosts", "rename", "main", "primary"]);
    let listed: Value =
        serde_json::from_str(&env.ok(&["album", "list", "--json", "--host", "primary"])).unwrap();
    assert_eq!(
        listed.as_array().unwrap().len(),
        1,
        "the record follows the rename"
    );
    assert!(
        serde_json::from_str::<Value>(&env.ok(&["album", "list", "--json", "--host", "main"]))
            .unwrap()
            .as_array()
            .unwrap()
            .is_empty()
    );
    // And it can still be deleted on the host.
    let id = listed[0]["id"].as_i64().unwrap().to_string();
    env.ok(&["album", "delete", "--remote", &id]);
    assert!(env.host.stored().iter().all(|s| s.deleted));
    // A refused rename changes neither the config nor the records.
    let server = format!("server={}", env.host.base_url());
    env.ok(&[
        "hosts",
        "add",
        "smms",
        "other",
        "--set",
        &format!("token={TOKEN}"),
        "--set",
        &server,
    ]);
    let g = env.file("stays.png", &tiny_png(84));
    env.ok(&["upload", "--host", "other", &g]);
    let out = env.run(&["hosts", "rename", "other", "primary"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("already exists"),
        "{}",
        text(&out.stderr)
    );
    let kept: Value =
        serde_json::from_str(&env.ok(&["album", "list", "--json", "--host", "other"])).unwrap();
    assert_eq!(kept.as_array().unwrap().len(), 1);
}

#[test]
fn mirrors_from_the_config_and_from_a_second_host_flag() {
    let env = Env::new();
    let spare = env.add_spare();
    // A mirror that is not a config is refused, naming it.
    let out = env.run(&["hosts", "set", "main", "mirrors=spare,nowhere"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("no host config named \"nowhere\""),
        "{}",
        text(&out.stderr)
    );
    env.ok(&["hosts", "set", "main", "mirrors=spare"]);
    let shown = env.ok(&["hosts", "show", "main"]);
    assert!(
        shown.contains("mirrors") && shown.contains("spare"),
        "{shown}"
    );

    // The link printed is the config's own; the mirror has its record, linked to it.
    let a = env.file("a.png", &tiny_png(71));
    let out = env.ok(&["upload", &a, "--format", "url"]);
    assert_eq!(out.trim(), env.host.url_of("a.png"));
    assert_eq!(spare.stored().len(), 1);
    let list: Value = serde_json::from_str(&env.ok(&["album", "list", "--json"])).unwrap();
    let configs: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["config_name"].as_str().unwrap())
        .collect();
    assert_eq!(configs.len(), 2, "{list}");
    assert!(configs.contains(&"main") && configs.contains(&"spare"));
    let group = list[0]["mirror_group"].as_str().unwrap();
    assert_eq!(list[1]["mirror_group"].as_str(), Some(group));

    // --host twice: the second config too, and --json gives every host's result. The main
    // host refusing (scripted) gives the mirror's link and says why on stderr.
    env.ok(&["hosts", "set", "main", "mirrors="]);
    let b = env.file("b.png", &tiny_png(72));
    let json: Value = serde_json::from_str(
        &env.ok(&["upload", "--host", "main", "--host", "spare", "--json", &b]),
    )
    .unwrap();
    assert_eq!(json[0]["config"], "main");
    assert_eq!(json[0]["mirrors"][0]["config"], "spare");
    assert_eq!(
        json[0]["mirrors"][0]["record"]["url"].as_str(),
        Some(spare.url_of("b.png").as_str())
    );
    env.host.script([Behavior::Html403]);
    let c = env.file("c.png", &tiny_png(73));
    let out = env.run(&[
        "upload", "--host", "main", "--host", "spare", "--format", "url", &c,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), spare.url_of("c.png"));
    assert!(
        text(&out.stderr).contains("main failed")
            && text(&out.stderr).contains("the link is from its mirror spare"),
        "{}",
        text(&out.stderr)
    );

    // A second --host that is no config: refused, nothing sent anywhere.
    let sent = (env.host.upload_requests(), spare.upload_requests());
    let d = env.file("d.png", &tiny_png(74));
    let out = env.run(&["upload", "--host", "main", "--host", "nope", &d]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("no host config named \"nope\""),
        "{}",
        text(&out.stderr)
    );
    assert_eq!((env.host.upload_requests(), spare.upload_requests()), sent);

    // Deleting with --mirrors removes the image from both hosts.
    let id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["config_name"] == "main")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let out = env.ok(&["album", "delete", &id.to_string(), "--remote", "--mirrors"]);
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(
        env.host
            .stored()
            .iter()
            .find(|s| s.file_name == "a.png")
            .unwrap()
            .deleted
    );
    assert!(
        spare
            .stored()
            .iter()
            .find(|s| s.file_name == "a.png")
            .unwrap()
            .deleted
    );
}

#[path = "../../core/tests/support/keyring.rs"]
mod keyring;

#[test]
#[ignore = "needs dbus-daemon, gnome-keyring and secret-tool"]
fn tokens_set_with_the_cli_live_in_the_keyring() {
    let service = keyring::SecretService::start(true);
    let env = Env::new_with(&[("DBUS_SESSION_BUS_ADDRESS", service.address.as_str())]);
    let config = std::fs::read_to_string(env.home().join("config.json")).unwrap();
    assert!(!config.contains(TOKEN), "{config}");
    assert!(config.contains("$keyring"), "{config}");
    assert_eq!(
        service
            .lookup(&[("pixdrop-config", "main"), ("pixdrop-field", "token")])
            .as_deref(),
        Some(TOKEN)
    );
    let shown = env.ok(&["hosts", "show", "main"]);
    assert!(
        shown.contains("token is kept in the system keyring (Secret Service)"),
        "{shown}"
    );
    assert!(!shown.contains(TOKEN), "{shown}");
    let v: Value = serde_json::from_str(&env.ok(&["hosts", "show", "main", "--json"])).unwrap();
    assert_eq!(v["secrets"]["token"], "keyring");
    assert!(env
        .ok(&["hosts", "show", "main", "--reveal"])
        .contains(TOKEN));

    // The stand-in takes only this token.
    let a = env.file("a.png", &tiny_png(1));
    assert_eq!(
        env.ok(&["upload", "--format", "url", &a]).trim(),
        env.host.url_of("a.png")
    );

    env.ok(&["hosts", "remove", "main"]);
    assert_eq!(service.count(&[("pixdrop-config", "main")]), 0);
}

#[test]
#[ignore = "needs dbus-daemon, gnome-keyring and secret-tool"]
fn the_server_secret_and_the_proxy_password_live_in_the_keyring() {
    let service = keyring::SecretService::start(true);
    let env = Env::new_with(&[("DBUS_SESSION_BUS_ADDRESS", service.address.as_str())]);
    let secret = "serve-s3cr3t-value";
    let password = "pr0xy-pa55";
    let proxy = proxy_with_password(password);
    env.ok(&["settings", "set", "server_secret", secret]);
    env.ok(&["settings", "set", "proxy", &proxy]);
    let config = std::fs::read_to_string(env.home().join("config.json")).unwrap();
    assert!(
        !config.contains(secret) && !config.contains(password),
        "{config}"
    );
    let raw: Value = serde_json::from_str(&config).unwrap();
    assert!(
        raw["settings"]["server_secret"]["$keyring"].is_string(),
        "{config}"
    );
    assert!(raw["settings"]["proxy"]["$keyring"].is_string(), "{config}");
    let item = |slot: &str| service.lookup(&[("pixdrop-config", ""), ("pixdrop-field", slot)]);
    assert_eq!(item("server_secret").as_deref(), Some(secret));
    assert_eq!(item("proxy").as_deref(), Some(proxy.as_str()));
    assert_eq!(
        env.ok(&["settings", "get", "server_secret", "--reveal"])
            .trim(),
        secret
    );
    assert!(!env.ok(&["settings", "list"]).contains(secret));

    // The server still checks the secret it reads from the keyring.
    env.ok(&["settings", "set", "proxy", ""]);
    assert_eq!(service.count(&[("pixdrop-field", "proxy")]), 0);
    let mut child = env
        .cmd(&["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (_out, port) = serving(&mut child);
    let a = env.file("a.png", &tiny_png(41));
    let body = serde_json::json!({"list": [a]}).to_string();
    let (status, v) = http_post_with(port, "/upload", "X-PicGo-Secret: wrong\r\n", &body);
    assert_eq!(status, 401, "{v}");
    let (status, v) = http_post_with(
        port,
        "/upload",
        &format!("X-PicGo-Secret: {secret}\r\n"),
        &body,
    );
    assert_eq!(status, 200, "{v}");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
#[ignore = "needs dbus-daemon"]
fn without_a_secret_service_the_file_keeps_the_token_and_says_so() {
    let service = keyring::SecretService::start(false);
    let env = Env::new_with(&[("DBUS_SESSION_BUS_ADDRESS", service.address.as_str())]);
    let config = std::fs::read_to_string(env.home().join("config.json")).unwrap();
    assert!(config.contains(TOKEN));
    let shown = env.ok(&["hosts", "show", "main"]);
    assert!(
        shown.contains("token is kept in config.json (readable only by you) (no Secret Service, such as GNOME Keyring or KWallet, is running in this session)"),
        "{shown}"
    );
    let v: Value = serde_json::from_str(&env.ok(&["hosts", "show", "main", "--json"])).unwrap();
    assert_eq!(v["secrets"]["token"], "file");
}

/// A headless sway (wlroots) on a display of the test's own, with the data-control protocol
/// that lets programs without a window use the clipboard. sway refuses to run as root, so it
/// runs as `nobody`; root reaches its socket by path.
struct Sway {
    _dir: tempfile::TempDir,
    child: std::process::Child,
    display: String,
}

impl Sway {
    fn start() -> Sway {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o711)).unwrap();
        let run = dir.path().join("run");
        std::fs::create_dir(&run).unwrap();
        std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::os::unix::fs::chown(&run, Some(65534), Some(65534)).unwrap();
        let config = dir.path().join("config");
        std::fs::write(&config, "xwayland disable\n").unwrap();
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
        let child = Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "sway",
                "-c",
            ])
            .arg(&config)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", dir.path())
            .env("XDG_RUNTIME_DIR", &run)
            .env("WLR_BACKENDS", "headless")
            .env("WLR_LIBINPUT_NO_DEVICES", "1")
            .env("WLR_RENDERER", "pixman")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sway (Debian sway) must be installed");
        let mut sway = Sway {
            display: run.join("wayland-1").display().to_string(),
            _dir: dir,
            child,
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        // Up once a client connects (an empty clipboard is "No selection", not a failure).
        let up = |s: &Sway| {
            let out = s.wl_paste(&["--list-types"]);
            out.status.success() || !text(&out.stderr).to_lowercase().contains("connect")
        };
        while !up(&sway) {
            if let Ok(Some(st)) = sway.child.try_wait() {
                panic!("sway exited ({st}) before its display answered");
            }
            assert!(
                std::time::Instant::now() < deadline,
                "sway's display never answered"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        sway
    }

    fn client(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("WAYLAND_DISPLAY", &self.display)
            .env_remove("DISPLAY");
        c
    }

    fn wl_paste(&self, args: &[&str]) -> Output {
        self.client("wl-paste").args(args).output().unwrap()
    }

    /// Copy `bytes` as `mime` with wl-copy (which stays to serve them, as apps do), and wait
    /// until the clipboard offers it.
    fn copy(&self, mime: &str, bytes: &[u8]) {
        let mut c = self
            .client("wl-copy")
            .args(["--type", mime])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("wl-copy (Debian wl-clipboard) must be installed");
        std::io::Write::write_all(c.stdin.as_mut().unwrap(), bytes).unwrap();
        drop(c.stdin.take());
        assert!(c.wait().unwrap().success(), "wl-copy failed");
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while !text(&self.wl_paste(&["--list-types"]).stdout)
            .lines()
            .any(|l| l == mime)
        {
            assert!(
                std::time::Instant::now() < deadline,
                "the clipboard never offered {mime}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Sway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
#[ignore = "needs sway and wl-clipboard"]
fn wayland_clipboard_uploads_images_refuses_text_and_keeps_copied_links() {
    let sway = Sway::start();
    let env = Env::new_with(&[("WAYLAND_DISPLAY", sway.display.as_str()), ("DISPLAY", "")]);

    // An image copied in a Wayland app uploads byte for byte.
    let png = tiny_png(31);
    sway.copy("image/png", &png);
    let out: Value = serde_json::from_str(&env.ok(&["upload", "--clipboard", "--json"])).unwrap();
    assert_eq!(out[0]["ok"], true, "{out}");
    let stored = env.host.stored();
    assert_eq!(stored.len(), 1);
    assert_eq!(&stored[0].bytes[..], &png[..]);

    // A file copied in a file manager uploads by its path.
    let file = env.file("copied shot.png", &tiny_png(32));
    let uri = url_of(&file);
    sway.copy("text/uri-list", format!("{uri}\r\n").as_bytes());
    let out: Value = serde_json::from_str(&env.ok(&["upload", "--clipboard", "--json"])).unwrap();
    assert_eq!(out[0]["input"], file.as_str(), "{out}");

    // Text is refused in words; nothing is sent.
    sway.copy("text/plain;charset=utf-8", b"just text");
    let out = env.run(&["upload", "--clipboard"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("the clipboard holds no image (it holds text)"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(env.host.upload_requests(), 2);

    // --copy: the link is still on the clipboard after the command returned.
    let c = env.file("c.png", &tiny_png(33));
    let link = env.ok(&["upload", "--copy", "--format", "url", &c]);
    let pasted = sway.wl_paste(&["--no-newline"]);
    assert_eq!(text(&pasted.stdout), link.trim());
}

fn url_of(path: &str) -> String {
    url::Url::from_file_path(path).unwrap().to_string()
}

/// `pixdrop` under an address-space limit (`prlimit --as`): an allocation past it fails, so a
/// run that would decode gigapixels dies instead of passing. Glibc's per-thread arenas are kept
/// few so the limit measures what is allocated, not what is reserved.
fn capped(env: &Env, limit_bytes: u64, args: &[&str]) -> Output {
    let mut c = Command::new("prlimit");
    c.arg(format!("--as={limit_bytes}"))
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_pixdrop"))
        .arg("--data-dir")
        .arg(env.home())
        .args(args)
        .current_dir(env.dir.path())
        .env_remove("PIXDROP_HOME")
        .env("MALLOC_ARENA_MAX", "2")
        .envs(env.vars.iter().map(|(k, v)| (k, v)));
    c.output().unwrap()
}

/// A `local` config named "disk" writing to a folder of the test's; the folder.
fn add_disk(env: &Env) -> PathBuf {
    let folder = env.dir.path().join("www");
    std::fs::create_dir_all(&folder).unwrap();
    env.ok(&[
        "hosts",
        "add",
        "local",
        "disk",
        "--set",
        &format!("path={}", folder.display()),
        "--set",
        "url_prefix=https://img.example.com",
    ]);
    folder
}

#[test]
fn decompression_bombs_go_as_they_are_under_a_memory_cap_or_are_refused_in_words() {
    use pixdrop_standin::bombs;
    // 1 GiB of address space: the bombs claim 1.6 gigapixels (6.4 GB as RGBA).
    const CAP: u64 = 1 << 30;
    let env = Env::new();
    let files = [
        ("bomb.png", bombs::png(bombs::SIDE)),
        ("bomb.jpg", bombs::jpeg()),
        ("bomb.webp", bombs::webp()),
        ("bomb.gif", bombs::gif()),
    ];
    assert!(files[0].1.len() < 250_000, "{}", files[0].1.len());
    // Nothing asked needs the pixels: each is sent byte for byte (no thumbnail of it is made,
    // or one from a JPEG decoded at 1/8).
    for (name, bytes) in &files {
        let path = env.file(name, bytes);
        let out = capped(&env, CAP, &["upload", "--format", "url", &path]);
        assert!(
            out.status.success(),
            "{name}: {:?} {}",
            out.status,
            text(&out.stderr)
        );
        let stored = env.host.stored();
        assert_eq!(&stored.last().unwrap().bytes[..], &bytes[..], "{name}");
    }
    let sent = env.host.upload_requests();
    // Resizing would decode the whole picture: refused in words, nothing sent.
    env.ok(&["settings", "set", "max_width", "1920"]);
    for (name, bytes) in &files {
        let path = env.file(name, bytes);
        let out = capped(&env, CAP, &["upload", "--force", &path]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert!(
            err.contains(name) && err.contains("40000×40000") && err.contains("too large"),
            "{name}: {err}"
        );
    }
    assert_eq!(env.host.upload_requests(), sent);
}

#[test]
fn a_cut_short_image_is_refused_and_nothing_is_sent() {
    let env = Env::new();
    let png = tiny_png(5);
    let cut = env.file("cut.png", &png[..40]);
    let out = env.run(&["upload", &cut]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("cut.png") && err.contains("the PNG is cut short"),
        "{err}"
    );
    assert_eq!(env.host.upload_requests(), 0);
}

#[test]
fn file_urls_upload_their_file_and_other_computers_are_refused() {
    let env = Env::new();
    let dir = env.dir.path().join("截图 folder");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("shot one.png");
    std::fs::write(&path, tiny_png(91)).unwrap();
    let link = env.ok(&["upload", "--format", "url", &url_of(path.to_str().unwrap())]);
    assert!(link.trim().starts_with("http"), "{link}");
    assert_eq!(env.host.stored().last().unwrap().file_name, "shot one.png");
    let out = env.run(&["upload", "file://server/share/a.png"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("only http:// and https://"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_download_over_pixdrops_own_cap_says_it_is_pixdrops() {
    // A local folder takes any size: the cap met is the download's, not a host's.
    let env = Env::new();
    add_disk(&env);
    let url = env
        .host
        .serve_file("big.png", "image/png", vec![0u8; 65 * 1024 * 1024]);
    let out = env.run(&["upload", "--host", "disk", &url]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("the most Pixdrop reads or downloads of one image")
            && !err.contains("host's limit"),
        "{err}"
    );
}

#[test]
fn the_same_file_from_four_processes_at_once_is_stored_once() {
    let env = Env::new();
    let folder = add_disk(&env);
    // Large enough that reading and hashing it overlaps across the four.
    let file = env.file("same.png", &pixdrop_standin::noise_png(3, 8 << 20));
    let runs: Vec<_> = (0..4)
        .map(|_| {
            env.cmd(&["upload", "--host", "disk", "--format", "url", &file])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let links: Vec<String> = runs
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success(), "{}", text(&out.stderr));
            text(&out.stdout).trim().to_string()
        })
        .collect();
    assert!(links.iter().all(|l| *l == links[0]), "{links:?}");
    let records: Value = serde_json::from_str(&env.ok(&["album", "list", "--json"])).unwrap();
    assert_eq!(records.as_array().unwrap().len(), 1, "{records}");
    let mut stored = Vec::new();
    let mut dirs = vec![folder];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            if e.path().is_dir() {
                dirs.push(e.path());
            } else {
                stored.push(e.path());
            }
        }
    }
    assert_eq!(stored.len(), 1, "{stored:?}");
}

/// Run `pixdrop ARGS` with `feed` writing its standard input (a pipe) until it is done or the
/// command stops reading.
fn run_piped(
    env: &Env,
    args: &[&str],
    feed: impl FnOnce(&mut dyn std::io::Write) + Send + 'static,
) -> Output {
    let mut child = env
        .cmd(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || feed(&mut stdin));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

#[test]
fn upload_dash_reads_one_image_from_a_pipe() {
    let env = Env::new();
    let png = tiny_png(70);
    let out = run_piped(&env, &["upload", "-", "--format", "url"], move |w| {
        w.write_all(&png).unwrap()
    });
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!("{}\n", env.host.url_of("stdin.png"))
    );

    // Bytes that are no image are refused in words, and nothing is sent.
    let out = run_piped(&env, &["upload", "-"], |w| {
        w.write_all(b"password=hunter2\n").unwrap()
    });
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("standard input: not an image"),
        "{}",
        text(&out.stderr)
    );
    let out = run_piped(&env, &["upload", "-"], |_| {});
    assert!(
        text(&out.stderr).contains("nothing was read"),
        "{}",
        text(&out.stderr)
    );
    let out = env.run(&["upload", "-", "-"]);
    assert_eq!(out.status.code(), Some(2));

    // An endless stream is read only up to the host's limit (5 MB for SM.MS) and refused.
    env.ok(&["settings", "set", "fit_host_limit", "false"]);
    let out = run_piped(&env, &["upload", "-"], |w| {
        let _ = w.write_all(&tiny_png(71)[..16]);
        let zeros = vec![0u8; 64 * 1024];
        while w.write_all(&zeros).is_ok() {}
    });
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("larger than the host's limit of 5.0 MB"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(env.host.upload_requests(), 1);
}

/// What Typora's "PicGo-Core (command line)" option reads: the lines after `[PicGo SUCCESS]:`,
/// the last N of them for N images. None when there is no success line.
fn typora_picgo_core(stdout: &str, n: usize) -> Option<Vec<String>> {
    let (_, after) = stdout.split_once("[PicGo SUCCESS]:")?;
    let lines: Vec<&str> = after.trim().lines().collect();
    Some(
        lines[lines.len().saturating_sub(n)..]
            .iter()
            .map(|l| l.to_string())
            .collect(),
    )
}

/// The Obsidian plugin's PicGo-Core mode (`picgoCore.ts`): "PicGo ERROR" anywhere is a
/// failure; else the N lines before the last (empty) piece of stdout split by "\n".
fn obsidian_picgo_core(stdout: &str, n: usize) -> Result<Vec<String>, ()> {
    if stdout.contains("PicGo ERROR") {
        return Err(());
    }
    let split: Vec<&str> = stdout.split('\n').collect();
    let start = split.len() - 1 - n;
    Ok(split[start..start + n]
        .iter()
        .map(|l| l.to_string())
        .collect())
}

#[test]
fn picgo_core_command_line_as_typora_and_obsidian_read_it() {
    let env = Env::new();
    // The program started through a link named `picgo`, as editors run PicGo-Core.
    let bin = env.dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_pixdrop"), bin.join("picgo")).unwrap();
    let picgo = |args: &[&str]| {
        Command::new(bin.join("picgo"))
            .args(args)
            .env("PIXDROP_HOME", env.home())
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .current_dir(env.dir.path())
            .output()
            .unwrap()
    };
    let a = env.file("a.png", &tiny_png(90));
    let b = env.file("b.png", &tiny_png(91));
    let broken = env.file("broken.png", b"not an image at all");
    let out = picgo(&["upload", &a, &b]);
    let stdout = text(&out.stdout);
    let (url_a, url_b) = (env.host.url_of("a.png"), env.host.url_of("b.png"));
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert_eq!(stdout, format!("[PicGo SUCCESS]: \n{url_a}\n{url_b}\n"));
    assert_eq!(
        typora_picgo_core(&stdout, 2).unwrap(),
        [url_a.clone(), url_b.clone()]
    );
    assert_eq!(
        obsidian_picgo_core(&stdout, 2).unwrap(),
        [url_a.clone(), url_b.clone()]
    );

    // A fake Typora with two good images and one failing one, between them.
    let out = picgo(&["u", &a, &broken, &b]);
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "exits 0 like PicGo-Core: {stdout}"
    );
    assert!(
        stdout.starts_with("[PicGo ERROR]: ") && stdout.contains("broken.png: not an image"),
        "{stdout}"
    );
    assert_eq!(
        typora_picgo_core(&stdout, 3).unwrap(),
        [url_a.clone(), "pixdrop:upload-failed".into(), url_b.clone()],
        "each image keeps its own line"
    );
    assert!(
        obsidian_picgo_core(&stdout, 3).is_err(),
        "Obsidian sees the failure"
    );

    // All failed: no success line at all. No file: the clipboard (here: no display).
    let out = picgo(&["upload", &broken]);
    let stdout = text(&out.stdout);
    assert!(
        typora_picgo_core(&stdout, 1).is_none() && stdout.contains("[PicGo ERROR]:"),
        "{stdout}"
    );
    let out = picgo(&["upload"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout.starts_with("[PicGo ERROR]: clipboard:") && stdout.contains("no display"),
        "{stdout}"
    );
    assert!(obsidian_picgo_core(&stdout, 1).is_err());

    // The same as `pixdrop picgo upload`, and Typora's custom command with it.
    let links = typora_custom_command(&env, &["picgo", "upload"], &[&b, &broken, &a]);
    assert_eq!(links, [url_b, "pixdrop:upload-failed".into(), url_a]);
}

#[test]
fn links_check_says_which_links_are_broken_and_exits_1() {
    let env = Env::new();
    let a = env.file("keep.png", &tiny_png(71));
    let b = env.file("lost.png", &tiny_png(72));
    let out: Value = serde_json::from_str(&env.ok(&["upload", "--json", &a, &b])).unwrap();
    let lost = out[1]["id"].as_i64().unwrap();
    assert!(env.host.delete_stored("lost.png"));

    let run = env.run(&["links", "check"]);
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
    let said = text(&run.stdout);
    assert!(
        said.contains("checked 2 link(s): 1 ok, 1 gone, 0 changed, 0 unreachable"),
        "{said}"
    );
    assert!(
        said.lines()
            .any(|l| l.starts_with("gone ") && l.contains(&format!(" {lost}  main  http"))),
        "{said}"
    );

    let run = env.run(&["links", "check", "--json"]);
    assert_eq!(run.status.code(), Some(1));
    let each: Value = serde_json::from_slice(&run.stdout).unwrap();
    let status = |id: i64| {
        each.as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .map(|r| r["status"].as_str().unwrap().to_string())
    };
    assert_eq!(status(lost).as_deref(), Some("gone"));
    let detail = each.as_array().unwrap().iter().find(|r| r["id"] == lost);
    assert!(
        detail
            .and_then(|r| r["detail"].as_str())
            .is_some_and(|d| d.starts_with("HTTP 4")),
        "--json gives what was seen as words: {each:#}"
    );
    assert_eq!(
        status(out[0]["id"].as_i64().unwrap()).as_deref(),
        Some("ok")
    );
    assert!(each[0]["checked_at"].as_i64().unwrap() > 0);

    // Only the one that still works: exit 0.
    env.ok(&["links", "check", "--host", "main", "--search", "keep"]);
}

#[test]
fn rewrite_replaces_moved_links_after_a_dry_run() {
    let env = Env::new();
    let spare = env.add_spare();
    let a = env.file("moved.png", &tiny_png(73));
    let old: Value = serde_json::from_str(&env.ok(&["upload", "--json", &a])).unwrap();
    let old_url = old[0]["url"].as_str().unwrap();
    let id = old[0]["id"].to_string();

    // The move: a dry run first, then the move, then a rerun that sends nothing.
    let said = env.ok(&["album", "move", &id, "--to", "spare", "--dry-run"]);
    assert!(
        said.contains(&format!(
            "{id} moved.png: would move from its link to spare"
        )),
        "{said}"
    );
    assert_eq!(spare.upload_requests(), 0);
    let typo = env.run(&["album", "move", "--host", "nope", "--to", "spare"]);
    assert_eq!(typo.status.code(), Some(1));
    assert!(
        text(&typo.stderr).contains("\"nope\""),
        "{}",
        text(&typo.stderr)
    );
    let said = env.ok(&[
        "album",
        "move",
        "--host",
        "main",
        "--to",
        "spare",
        "--delete-old",
    ]);
    assert!(said.contains("(old copy deleted)"), "{said}");
    assert!(said.contains("moved 1 to spare"), "{said}");
    assert!(said.contains("pixdrop rewrite"), "{said}");
    let moved: Value =
        serde_json::from_str(&env.ok(&["album", "move", &id, "--to", "spare", "--json"])).unwrap();
    let r = &moved["results"][0];
    assert_eq!(r["status"], "already_moved");
    assert_eq!(r["old_deleted"], true);
    let new_url = r["new_url"].as_str().unwrap().to_string();
    let new_url = new_url.as_str();
    assert!(new_url.starts_with(&spare.base_url()));
    assert_eq!(spare.upload_requests(), 1);
    assert!(
        env.host.stored().iter().all(|s| s.deleted),
        "the old copy is deleted"
    );
    let notes = env.dir.path().join("notes");
    std::fs::create_dir(&notes).unwrap();
    let note = notes.join("n.md");
    let before = format!("![m]({old_url})\r\n`{old_url}`\r\n");
    std::fs::write(&note, &before).unwrap();

    let said = env.ok(&["rewrite", "--dry-run", notes.to_str().unwrap()]);
    assert!(
        said.contains(&format!("-![m]({old_url})\r\n+![m]({new_url})\r\n")),
        "{said}"
    );
    assert!(
        said.contains("1 would change, 1 link(s) to rewrite"),
        "{said}"
    );
    assert_eq!(std::fs::read_to_string(&note).unwrap(), before);

    let backups = env.dir.path().join("bk");
    let said = env.ok(&[
        "rewrite",
        "--backup-dir",
        backups.to_str().unwrap(),
        notes.to_str().unwrap(),
    ]);
    assert!(said.contains("1 changed, 1 link(s) rewritten"), "{said}");
    assert_eq!(
        std::fs::read_to_string(&note).unwrap(),
        format!("![m]({new_url})\r\n`{old_url}`\r\n")
    );
    let copy = backups.join(note.canonicalize().unwrap().strip_prefix("/").unwrap());
    assert_eq!(std::fs::read_to_string(copy).unwrap(), before);
    let said = env.ok(&["rewrite", "--json", notes.to_str().unwrap()]);
    let report: Value = serde_json::from_str(&said).unwrap();
    assert_eq!(report["links_rewritten"], 0, "a rerun changes nothing");
}

#[test]
fn localize_uploads_a_notes_local_images_and_points_it_at_them() {
    let env = Env::new();
    let notes = env.dir.path().join("notes");
    std::fs::create_dir_all(notes.join("img")).unwrap();
    std::fs::write(notes.join("img/a b.png"), tiny_png(81)).unwrap();
    let cjk = env.dir.path().join("图 片.png");
    std::fs::write(&cjk, tiny_png(82)).unwrap();
    let url = url::Url::from_file_path(&cjk).unwrap();
    let note = notes.join("n.md");
    let before = format!(
        "![a](img/a b.png \"t\")\r\n<img src=\"{}\">\r\n![u]({url})\r\n`![c](img/a b.png)`\r\n\
         ![r](https://elsewhere/x.png) ![gone](nope.png)\r\n",
        cjk.display()
    );
    std::fs::write(&note, &before).unwrap();

    let out = env.run(&["localize", "--dry-run", note.to_str().unwrap()]);
    let said = text(&out.stdout);
    assert_eq!(said.matches("would upload").count(), 2, "{said}");
    assert_eq!(std::fs::read_to_string(&note).unwrap(), before);
    assert_eq!(env.host.upload_requests(), 0, "a dry run uploads nothing");

    let out = env.run(&["localize", note.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "nope.png is missing");
    assert!(
        text(&out.stderr).contains("nope.png: no such file"),
        "{}",
        text(&out.stderr)
    );
    let (a, c) = (env.host.url_of("a b.png"), env.host.url_of("图 片.png"));
    assert_eq!(
        std::fs::read_to_string(&note).unwrap(),
        format!(
            "![a]({a} \"t\")\r\n<img src=\"{c}\">\r\n![u]({c})\r\n`![c](img/a b.png)`\r\n\
             ![r](https://elsewhere/x.png) ![gone](nope.png)\r\n"
        )
    );
    assert_eq!(env.host.upload_requests(), 2, "each image once");
    let backup = text(&out.stdout);
    let dir = backup
        .lines()
        .find_map(|l| l.strip_prefix("originals copied to "))
        .unwrap();
    let copy =
        std::path::Path::new(dir).join(note.canonicalize().unwrap().strip_prefix("/").unwrap());
    assert_eq!(std::fs::read_to_string(copy).unwrap(), before);
}

#[test]
fn completions_offer_commands_options_and_config_names_and_the_man_page_renders() {
    let env = Env::new();
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_pixdrop"))
        .parent()
        .unwrap()
        .to_owned();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // What Tab gives after these words, through the code `completions bash` prints (the
    // program found on PATH answers, reading the config named by --data-dir), called as bash
    // calls it (the command, the word being completed, the one before).
    let tab = |words: &str| {
        let script = format!(
            "source <(pixdrop completions bash) && complete -p pixdrop >/dev/null && \
             COMP_WORDS=({words}) && COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)) && \
             _clap_complete_pixdrop pixdrop \"${{COMP_WORDS[COMP_CWORD]}}\" \
             \"${{COMP_WORDS[COMP_CWORD-1]}}\" && printf '%s\\n' \"${{COMPREPLY[@]}}\""
        );
        let out = Command::new("bash")
            .arg("-c")
            .arg(script)
            .env("PATH", &path)
            .env_remove("PIXDROP_HOME")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let home = env.home().display().to_string();
    assert!(tab("pixdrop ho").lines().any(|l| l.trim() == "hosts"));
    assert!(tab("pixdrop upload --fo").contains("--format"));
    env.ok(&["hosts", "add", "smms", "图床 two", "--set", "token=x"]);
    let names = tab(&format!("pixdrop --data-dir '{home}' hosts use ''"));
    let names: Vec<&str> = names.lines().map(str::trim).collect();
    assert!(
        names.contains(&"main") && names.contains(&"图床 two"),
        "{names:?}"
    );
    let hosts = tab(&format!("pixdrop --data-dir '{home}' upload --host m"));
    assert_eq!(hosts.trim(), "main");
    for shell in ["zsh", "fish"] {
        assert!(
            env.ok(&["completions", shell]).contains("pixdrop"),
            "{shell}"
        );
    }

    // The manual page, from the same definitions, renders.
    let page = env.dir.path().join("pixdrop.1");
    std::fs::write(&page, env.ok(&["man"])).unwrap();
    let out = Command::new("man")
        .args(["-P", "cat", "-l"])
        .arg(&page)
        .env("MANWIDTH", "80")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        shown.contains("pixdrop") && shown.contains("upload") && shown.contains("completions"),
        "{shown}"
    );
}

#[test]
fn a_batch_on_a_terminal_shows_progress_on_stderr_never_among_the_links() {
    let env = Env::new();
    let files: Vec<String> = (0..5)
        .map(|i| env.file(&format!("p{i}.png"), &tiny_png(600 + i)))
        .collect();
    let out_file = env.dir.path().join("links.txt");
    // `script` gives the command a terminal; stdout goes to a file, stderr to the terminal.
    let command = format!(
        "'{}' --data-dir '{}' upload --format url {} > '{}'",
        env!("CARGO_BIN_EXE_pixdrop"),
        env.home().display(),
        files
            .iter()
            .map(|f| format!("'{f}'"))
            .collect::<Vec<_>>()
            .join(" "),
        out_file.display()
    );
    let out = Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .env("TERM", "xterm")
        .env_remove("PIXDROP_HOME")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stdout));
    let terminal = text(&out.stdout);
    assert!(terminal.contains("uploading 1 of 5"), "{terminal:?}");
    let links = std::fs::read_to_string(&out_file).unwrap();
    assert_eq!(links.lines().count(), 5, "{links:?}");
    assert!(links.lines().all(|l| l.starts_with("http")), "{links:?}");
    // Not a terminal: no progress at all.
    let piped = env.run(
        &std::iter::once("upload")
            .chain(files.iter().map(String::as_str))
            .collect::<Vec<_>>(),
    );
    assert!(piped.status.success());
    assert!(
        !text(&piped.stderr).contains("uploading"),
        "{}",
        text(&piped.stderr)
    );
}

#[test]
fn a_listing_whose_reader_stops_early_ends_quietly() {
    use std::io::Read;
    let env = Env::new();
    let picgo = env.dir.path().join("picgo");
    std::fs::create_dir(&picgo).unwrap();
    let uploaded: Vec<Value> = (0..2_000)
        .map(|i| serde_json::json!({"fileName": format!("p{i}.png"), "imgUrl": format!("https://i.example/{i}.png"), "type": "smms"}))
        .collect();
    std::fs::write(
        picgo.join("config.json"),
        serde_json::json!({"picBed": {"current": "smms"}, "uploaded": uploaded}).to_string(),
    )
    .unwrap();
    env.ok(&["import", "picgo", picgo.to_str().unwrap()]);
    // As `pixdrop album list --json --limit 0 | head -c 100`.
    let mut child = env
        .cmd(&["album", "list", "--json", "--limit", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let out = child.wait_with_output().unwrap();
    let err = text(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.is_empty(), "{err}");
}
