//! The PicGo-compatible server, driven with the request shapes real clients send (Typora and
//! PicGo-Core's JSON list, Obsidian's empty body, multipart `files`, heartbeat) and the attacks
//! it must refuse. Requests are written by hand over TCP so every header is what the test says.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

use pixdrop_core::config::HostConfig;
use pixdrop_core::server::{self, ServerHooks, ServerOptions};
use pixdrop_core::{Done, Engine, Input, ListQuery, Paths, Settings};
use pixdrop_standin::{tiny_png, StandIn};
use serde_json::Value;

const TOKEN: &str = "server-test-token";

#[derive(Default)]
struct Hooks {
    clipboard_calls: Mutex<usize>,
    uploaded: Mutex<Vec<(Vec<String>, Vec<String>)>>,
}

impl ServerHooks for Hooks {
    fn clipboard_inputs(&self) -> pixdrop_core::Result<Vec<Input>> {
        *self.clipboard_calls.lock().unwrap() += 1;
        Ok(vec![Input::from_rgba(2, 2, &[9; 16])?])
    }
    fn uploaded(&self, done: &[Done], failures: &[pixdrop_core::Msg]) {
        self.uploaded.lock().unwrap().push((
            done.iter().map(|d| d.link.clone()).collect(),
            failures.iter().map(|m| m.text.clone()).collect(),
        ));
    }
}

struct Env {
    dir: tempfile::TempDir,
    engine: Arc<Engine>,
    host: StandIn,
    hooks: Arc<Hooks>,
    server: Option<server::RunningServer>,
}

impl Env {
    /// A server on a free port; `settings` changes the shared config's settings before it starts
    /// (the server reads its secret and origins from there).
    async fn start(settings: impl FnOnce(&mut Settings)) -> Env {
        let host = StandIn::start(TOKEN);
        let dir = tempfile::tempdir().unwrap();
        let engine = Arc::new(Engine::open(Paths::in_dir(dir.path().join("data"))).unwrap());
        for name in ["main", "second"] {
            let cfg = HostConfig {
                name: name.into(),
                kind: "smms".into(),
                settings: [
                    ("token".to_string(), Value::from(TOKEN)),
                    ("server".to_string(), Value::from(host.base_url())),
                    ("api".to_string(), Value::from("see")),
                ]
                .into(),
            };
            engine.config().update(|c| c.add_host(cfg, false)).unwrap();
        }
        engine
            .config()
            .update(|c| {
                c.settings.server_allowed_origins = "app://obsidian.md".into();
                settings(&mut c.settings);
                Ok(())
            })
            .unwrap();
        let hooks = Arc::new(Hooks::default());
        let server = server::start(
            engine.clone(),
            ServerOptions {
                port: 0,
                change_port: pixdrop_core::msg!("set server_port to another port"),
            },
            hooks.clone(),
        )
        .await
        .unwrap();
        Env {
            dir,
            engine,
            host,
            hooks,
            server: Some(server),
        }
    }

    fn port(&self) -> u16 {
        self.server.as_ref().unwrap().port
    }

    fn file(&self, name: &str, bytes: &[u8]) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.display().to_string()
    }

    /// Send a request: `head` is the request line and headers (no Host/Content-Length unless given).
    async fn send(&self, head: &str, body: &[u8]) -> (u16, Value) {
        let port = self.port();
        let mut req = head.replace("{PORT}", &port.to_string()).into_bytes();
        if !head.to_ascii_lowercase().contains("\nhost:") {
            req.extend_from_slice(format!("Host: 127.0.0.1:{port}\r\n").as_bytes());
        }
        req.extend_from_slice(
            format!(
                "Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .as_bytes(),
        );
        req.extend_from_slice(body);
        tokio::task::spawn_blocking(move || {
            let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
            // The server may answer (413) and close before all of an oversized body is written.
            let _ = s.write_all(&req);
            let mut out = Vec::new();
            s.read_to_end(&mut out).unwrap();
            let text = String::from_utf8_lossy(&out).into_owned();
            let status: u16 = text.split(' ').nth(1).unwrap().parse().unwrap();
            let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
            (status, serde_json::from_str(body).unwrap_or(Value::Null))
        })
        .await
        .unwrap()
    }

    /// POST a multipart body to `/upload`.
    async fn send_multipart(&self, content_type: &str, body: &[u8]) -> (u16, Value) {
        let head = format!("POST /upload HTTP/1.1\r\nContent-Type: {content_type}\r\n");
        self.send(&head, body).await
    }

    /// Send a body-less request and return the answer's status line and headers.
    async fn raw_head(&self, head: &str) -> String {
        let port = self.port();
        let req = format!(
            "{head}Host: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        tokio::task::spawn_blocking(move || {
            let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
            s.write_all(req.as_bytes()).unwrap();
            let mut out = String::new();
            s.read_to_string(&mut out).unwrap();
            out.split("\r\n\r\n").next().unwrap_or_default().to_string()
        })
        .await
        .unwrap()
    }

    fn records(&self) -> u64 {
        self.engine.album().count(&ListQuery::default()).unwrap()
    }
}

fn post(path: &str, extra: &str) -> String {
    format!("POST {path} HTTP/1.1\r\nContent-Type: application/json\r\n{extra}")
}

#[tokio::test]
async fn heartbeat() {
    let env = Env::start(|_| {}).await;
    let (status, v) = env.send(&post("/heartbeat", ""), b"").await;
    assert_eq!(status, 200);
    assert_eq!(v, serde_json::json!({"success": true, "result": "alive"}));
}

#[tokio::test]
async fn json_list_uploads_in_order_with_bare_urls() {
    let env = Env::start(|_| {}).await;
    let a = env.file("a.png", &tiny_png(1));
    let b = env.file("b.png", &tiny_png(2));
    let body = serde_json::json!({"list": [a, b]}).to_string();
    let (status, v) = env.send(&post("/upload", ""), body.as_bytes()).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["success"], true);
    assert_eq!(
        v["result"],
        serde_json::json!([env.host.url_of("a.png"), env.host.url_of("b.png")])
    );
    assert_eq!(env.records(), 2);
    let calls = env.hooks.uploaded.lock().unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].0.len(), 2);
}

#[tokio::test]
async fn empty_bodies_upload_the_clipboard() {
    let env = Env::start(|_| {}).await;
    for body in [&b""[..], b"{}", br#"{"list": []}"#] {
        let (status, v) = env.send(&post("/upload", ""), body).await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["success"], true);
        assert_eq!(v["result"].as_array().unwrap().len(), 1);
    }
    assert_eq!(*env.hooks.clipboard_calls.lock().unwrap(), 3);
    assert_eq!(
        env.host.upload_requests(),
        1,
        "the same pasted image is uploaded once, then reused"
    );
}

#[tokio::test]
async fn multipart_files_are_uploaded() {
    let env = Env::start(|_| {}).await;
    let boundary = "----pixdropboundary";
    let mut body = Vec::new();
    for (name, png) in [("x.png", tiny_png(3)), ("y.png", tiny_png(4))] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: image/png\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(&png);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let head = format!(
        "POST /upload HTTP/1.1\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
    );
    let (status, v) = env.send(&head, &body).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["result"].as_array().unwrap().len(), 2);
    let names: Vec<String> = env.host.stored().into_iter().map(|s| s.file_name).collect();
    assert!(names.contains(&"x.png".to_string()) && names.contains(&"y.png".to_string()));
}

#[tokio::test]
async fn picbed_and_config_name_pick_the_config() {
    let env = Env::start(|_| {}).await;
    let a = env.file("a.png", &tiny_png(5));
    let body = serde_json::json!({"list": [a]}).to_string();
    let (status, v) = env
        .send(
            &post("/upload?picbed=smms&configName=second", ""),
            body.as_bytes(),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let rec = env
        .engine
        .album()
        .list(&ListQuery::default())
        .unwrap()
        .remove(0);
    assert_eq!(rec.config_name, "second");
    let (status, v) = env
        .send(&post("/upload?configName=nope", ""), body.as_bytes())
        .await;
    assert_eq!(status, 400);
    assert!(v["message"].as_str().unwrap().contains("no config matches"));
}

#[tokio::test]
async fn a_web_page_cannot_make_it_upload() {
    let env = Env::start(|_| {}).await;
    let a = env.file("a.png", &tiny_png(6));
    let body = serde_json::json!({"list": [a]}).to_string();
    // What a page's fetch(…, {mode: "no-cors", body: "…"}) sends: text/plain with its Origin.
    let head = "POST /upload HTTP/1.1\r\nContent-Type: text/plain;charset=UTF-8\r\nOrigin: https://evil.example\r\n";
    let (status, v) = env.send(head, body.as_bytes()).await;
    assert_eq!(status, 403);
    assert_eq!(v["success"], false);
    // DNS rebinding: the page's own host name, resolved to 127.0.0.1.
    let head = "POST /upload HTTP/1.1\r\nContent-Type: application/json\r\nHost: attacker.example:{PORT}\r\n";
    let (status, _) = env.send(head, body.as_bytes()).await;
    assert_eq!(status, 403);
    assert_eq!(env.host.upload_requests(), 0);
    assert_eq!(env.records(), 0);
    // An allowed origin (Obsidian) goes through, and may read the answer (CORS, never `*`).
    let (status, v) = env
        .send(
            &post("/upload", "Origin: app://obsidian.md\r\n"),
            body.as_bytes(),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let head = env.raw_head("OPTIONS /upload HTTP/1.1\r\nOrigin: app://obsidian.md\r\nAccess-Control-Request-Method: POST\r\n").await;
    assert!(head.starts_with("HTTP/1.1 204"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("access-control-allow-origin: app://obsidian.md"),
        "{head}"
    );
    let head = env
        .raw_head("OPTIONS /upload HTTP/1.1\r\nOrigin: https://evil.example\r\n")
        .await;
    assert!(
        head.starts_with("HTTP/1.1 403")
            && !head
                .to_ascii_lowercase()
                .contains("access-control-allow-origin"),
        "{head}"
    );
}

#[tokio::test]
async fn listed_files_that_are_not_images_are_refused_unread() {
    let env = Env::start(|_| {}).await;
    let a = env.file("ok.png", &tiny_png(7));
    let body = serde_json::json!({"list": ["/etc/passwd", a, "relative.png"]}).to_string();
    let (status, v) = env.send(&post("/upload", ""), body.as_bytes()).await;
    assert_eq!(status, 200);
    assert_eq!(v["success"], false);
    let msg = v["message"].as_str().unwrap();
    assert!(
        msg.contains("/etc/passwd: not an image file")
            && msg.contains("relative.png: not an absolute path"),
        "{msg}"
    );
    assert_eq!(
        v["result"].as_array().unwrap().len(),
        1,
        "the image in the list is still uploaded"
    );
    assert_eq!(env.host.upload_requests(), 1);
}

#[tokio::test]
async fn secret_is_required_when_set() {
    let env = Env::start(|s| s.server_secret = "let-me-in".into()).await;
    let cases = [
        ("", 401),
        ("Authorization: Bearer wrong\r\n", 401),
        ("Authorization: Bearer let-me-in\r\n", 200),
        ("X-PicGo-Secret: let-me-in\r\n", 200),
    ];
    for (extra, want) in cases {
        let (status, v) = env.send(&post("/heartbeat", extra), b"").await;
        assert_eq!(status, want, "{extra}: {v}");
    }
    let (status, v) = env.send(&post("/heartbeat?key=let-me-in", ""), b"").await;
    assert_eq!(status, 401);
    // A browser's preflight carries no credentials; it does nothing, so it is answered.
    let head = env
        .raw_head("OPTIONS /upload HTTP/1.1\r\nOrigin: app://obsidian.md\r\n")
        .await;
    assert!(head.starts_with("HTTP/1.1 204"), "{head}");
    assert!(v["message"].as_str().unwrap().contains("never in the URL"));
}

#[tokio::test]
async fn security_settings_changed_while_running_apply_to_the_next_request() {
    let env = Env::start(|_| {}).await;
    let a = env.file("live.png", &tiny_png(31));
    let body = serde_json::json!({"list": [a]}).to_string();
    let (status, _) = env.send(&post("/heartbeat", ""), b"").await;
    assert_eq!(status, 200, "open before the change");

    // As `pixdrop settings set server_secret …` does, from another process, while it runs.
    env.engine
        .config()
        .update(|c| c.settings.set("server_secret", "locked-now"))
        .unwrap();
    let (status, v) = env.send(&post("/upload", ""), body.as_bytes()).await;
    assert_eq!(status, 401, "{v}");
    assert_eq!(
        env.host.upload_requests(),
        0,
        "nothing sent without the new secret"
    );
    let (status, v) = env
        .send(
            &post("/upload", "Authorization: Bearer locked-now\r\n"),
            body.as_bytes(),
        )
        .await;
    assert_eq!((status, &v["success"]), (200, &Value::Bool(true)), "{v}");

    // Origins too: Obsidian is taken off the list, then a new origin is put on it.
    env.engine
        .config()
        .update(|c| c.settings.set("server_allowed_origins", "app://typora.io"))
        .unwrap();
    let auth = "Authorization: Bearer locked-now\r\n";
    let (status, _) = env
        .send(
            &post(
                "/heartbeat",
                &format!("{auth}Origin: app://obsidian.md\r\n"),
            ),
            b"",
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = env
        .send(
            &post("/heartbeat", &format!("{auth}Origin: app://typora.io\r\n")),
            b"",
        )
        .await;
    assert_eq!(status, 200);

    // A config that cannot be read locks the server instead of opening it.
    std::fs::write(env.engine.config().path(), b"{ not json").unwrap();
    let (status, v) = env.send(&post("/heartbeat", auth), b"").await;
    assert_eq!(status, 500, "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("cannot read its settings"),
        "{v}"
    );
}

#[tokio::test]
async fn malformed_and_oversized_bodies() {
    let env = Env::start(|_| {}).await;
    let (status, v) = env.send(&post("/upload", ""), b"{\"list\": [").await;
    assert_eq!(status, 400);
    assert!(v["message"].as_str().unwrap().contains("not valid JSON"));
    let big = vec![b' '; server::MAX_JSON + 10];
    let (status, _) = env.send(&post("/upload", ""), &big).await;
    assert_eq!(status, 413);
    let huge = vec![b'x'; server::MAX_BODY + 10];
    let (status, _) = env.send(&post("/upload", ""), &huge).await;
    assert_eq!(status, 413);
    let (status, _) = env.send("GET /upload HTTP/1.1\r\n", b"").await;
    assert_eq!(status, 405);
    let (status, _) = env.send("GET /etc/passwd HTTP/1.1\r\n", b"").await;
    assert_eq!(status, 404);
    assert_eq!(env.host.upload_requests(), 0);
}

#[tokio::test]
async fn a_taken_port_is_named_not_moved() {
    let env = Env::start(|_| {}).await;
    let port = env.port();
    let opts = ServerOptions {
        port,
        change_port: pixdrop_core::msg!("pass another --port"),
    };
    let err = server::start(env.engine.clone(), opts, env.hooks.clone())
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains(&format!("port {port}"))
            && err.contains("answered the heartbeat")
            && err.ends_with("pass another --port"),
        "{err}"
    );
    let other = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let p2 = other.local_addr().unwrap().port();
    let opts = ServerOptions {
        port: p2,
        change_port: pixdrop_core::msg!("pass another --port"),
    };
    let err = server::start(env.engine.clone(), opts, env.hooks.clone())
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("another program"), "{err}");
}

#[tokio::test]
async fn it_listens_on_loopback_only() {
    let mut env = Env::start(|_| {}).await;
    let addrs = env.server.as_ref().unwrap().addresses.clone();
    assert!(addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
    env.server.take().unwrap().stop().await;
}

/// A multipart body as the Obsidian plugin's `payloadGenerator` writes it (remote mode): the
/// header's boundary is `----Boundary…`, every part is field `list`, a `File` without a type is
/// `application/octet-stream`. Returns (Content-Type, body).
fn obsidian_multipart(files: &[(&str, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary_string = "BoundaryabcdEFGH12345678";
    let boundary = format!("------{boundary_string}");
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(format!("{boundary}\r\n").as_bytes());
        body.extend_from_slice(format!("Content-Disposition: form-data; name=\"list\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("{boundary}--\r\n").as_bytes());
    (
        format!("multipart/form-data; boundary=----{boundary_string}"),
        body,
    )
}

/// A multipart body as Node's `form-data` (axios, used by vs-PicList) writes
/// `form.append("file", stream)`: field `file`, with a text field before it.
fn form_data_multipart(field: &str, name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "--------------------------537283920194857362718293";
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nfrom vscode\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: image/png\r\n\r\n").into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The Obsidian plugin's `handleResponse`: status 200, `success !== false`, `fullResult` kept
/// for deleting later, `result` a string or a list of links.
fn obsidian_reads(status: u16, v: &Value) -> (Vec<String>, Vec<Value>) {
    assert_eq!(status, 200, "{v}");
    assert_ne!(v["success"], false, "{v}");
    let full = v["fullResult"].as_array().cloned().unwrap_or_default();
    let result = match &v["result"] {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().map(|u| u.as_str().unwrap().to_string()).collect(),
        other => panic!("result is {other}"),
    };
    (result, full)
}

#[tokio::test]
async fn obsidian_remote_mode_uploads_field_list_and_deletes_with_full_result() {
    let env = Env::start(|_| {}).await;
    let (ct, body) = obsidian_multipart(&[
        ("1700000000001.png", tiny_png(40)),
        ("1700000000002.png", tiny_png(41)),
    ]);
    let (status, v) = env.send_multipart(&ct, &body).await;
    let (links, full) = obsidian_reads(status, &v);
    assert_eq!(
        links,
        [
            env.host.url_of("1700000000001.png"),
            env.host.url_of("1700000000002.png")
        ]
    );
    assert_eq!(full.len(), 2);
    assert_eq!(full[0]["imgUrl"], links[0].as_str());
    assert_eq!(full[0]["fileName"], "1700000000001.png");
    assert_eq!(full[0]["type"], "smms");
    assert_eq!(full[0]["config"], "main");
    let text = v.to_string();
    assert!(!text.contains(TOKEN) && !text.contains("delete"), "{text}");

    // "Delete image using PicList": the kept item, found by its imgUrl, posted as {list: [item]}.
    let item = full
        .iter()
        .find(|i| i["imgUrl"] == links[1].as_str())
        .unwrap();
    let body = serde_json::json!({"list": [item]}).to_string();
    let (status, v) = env.send(&post("/delete", ""), body.as_bytes()).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["success"], true, "{v}");
    assert_eq!(v["message"], "deleted 1, failed 0");
    assert_eq!(v["result"][0]["id"], item["id"]);
    assert_eq!(env.records(), 1);
    assert!(
        env.host.stored().iter().all(|s| !s.deleted),
        "not on the host unless asked"
    );
}

#[tokio::test]
async fn obsidian_local_mode_and_picgo_core_files_get_full_result() {
    let env = Env::start(|_| {}).await;
    let a = env.file("local.png", &tiny_png(42));
    let body = serde_json::json!({"list": [a]}).to_string();
    let (status, v) = env.send(&post("/upload", ""), body.as_bytes()).await;
    let (links, full) = obsidian_reads(status, &v);
    assert_eq!(links, [env.host.url_of("local.png")]);
    let rec = env.engine.album().list(&ListQuery::default()).unwrap();
    assert_eq!(full[0]["id"], rec[0].id);
    // PicGo's own multipart field, `files`.
    let (ct, body) = form_data_multipart("files", "core.png", &tiny_png(43));
    let (status, v) = env.send_multipart(&ct, &body).await;
    let (links, full) = obsidian_reads(status, &v);
    assert_eq!(links, [env.host.url_of("core.png")]);
    assert_eq!(full[0]["imgUrl"], links[0].as_str());
}

#[tokio::test]
async fn vs_piclist_uploads_field_file_and_deletes_on_the_host_when_asked() {
    let env = Env::start(|_| {}).await;
    let (ct, body) = form_data_multipart("file", "vscode.png", &tiny_png(44));
    let (status, v) = env.send_multipart(&ct, &body).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["success"], true);
    assert_eq!(v["result"][0], env.host.url_of("vscode.png"));
    let body = serde_json::json!({"list": [v["fullResult"][0]], "deleteRemote": true}).to_string();
    let (status, v) = env.send(&post("/delete", ""), body.as_bytes()).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["success"], true, "{v}");
    assert_eq!(env.records(), 0);
    assert!(
        env.host.stored().iter().all(|s| s.deleted),
        "deleted on the host"
    );
}

#[tokio::test]
async fn delete_by_link_setting_and_per_item_failures() {
    let env = Env::start(|s| s.server_delete_remote = true).await;
    let a = env.file("a.png", &tiny_png(45));
    let body = serde_json::json!({"list": [a]}).to_string();
    let (_, v) = env.send(&post("/upload", ""), body.as_bytes()).await;
    let url = v["result"][0].as_str().unwrap().to_string();
    let body = serde_json::json!({"list": [
        {"imgUrl": url},
        {"imgUrl": "https://nowhere.example/x.png"},
        {"id": 999},
        {"fileName": "x.png"}
    ]})
    .to_string();
    let (status, v) = env.send(&post("/delete", ""), body.as_bytes()).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["success"], false);
    assert_eq!(v["message"], "deleted 1, failed 3");
    let r = v["result"].as_array().unwrap();
    assert_eq!(r[0]["success"], true);
    assert!(
        r[1]["message"]
            .as_str()
            .unwrap()
            .contains("no album record has the link"),
        "{v}"
    );
    assert!(r[2]["message"].as_str().unwrap().contains("999"), "{v}");
    assert!(r[3]["message"].as_str().unwrap().contains("neither"), "{v}");
    assert!(
        env.host.stored()[0].deleted,
        "server_delete_remote deletes on the host"
    );
}

#[tokio::test]
async fn a_web_page_cannot_make_it_delete() {
    let env = Env::start(|s| s.server_secret = "let-me-in".into()).await;
    let a = env.file("keep.png", &tiny_png(46));
    let body = serde_json::json!({"list": [a]}).to_string();
    let auth = "Authorization: Bearer let-me-in\r\n";
    let (status, v) = env.send(&post("/upload", auth), body.as_bytes()).await;
    assert_eq!(status, 200, "{v}");
    let id = v["fullResult"][0]["id"].as_i64().unwrap();
    let body = serde_json::json!({"list": [{"id": id}], "deleteRemote": true}).to_string();
    let refused = [
        (post("/delete", ""), 401),
        (post("/delete?key=let-me-in", ""), 401),
        (post("/delete", &format!("{auth}Origin: https://evil.example\r\n")), 403),
        (
            format!("POST /delete HTTP/1.1\r\nContent-Type: text/plain\r\n{auth}Host: attacker.example:{{PORT}}\r\n"),
            403,
        ),
    ];
    for (head, want) in refused {
        let (status, v) = env.send(&head, body.as_bytes()).await;
        assert_eq!(status, want, "{head}: {v}");
        assert_eq!(v["success"], false);
    }
    let (_, v) = env
        .send(&post("/delete?key=let-me-in", ""), body.as_bytes())
        .await;
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("Authorization: Bearer"),
        "{v}"
    );
    assert_eq!(env.records(), 1);
    assert!(env.host.stored().iter().all(|s| !s.deleted));
    let (status, v) = env.send(&post("/delete", auth), body.as_bytes()).await;
    assert_eq!((status, &v["success"]), (200, &Value::Bool(true)), "{v}");
    assert_eq!(env.records(), 0);
}

#[tokio::test]
async fn heartbeat_answers_any_method_and_multipart_without_files_is_worded() {
    let env = Env::start(|_| {}).await;
    for method in ["GET", "POST", "PUT", "DELETE"] {
        let (status, v) = env
            .send(&format!("{method} /heartbeat HTTP/1.1\r\n"), b"")
            .await;
        assert_eq!(
            (status, &v["result"]),
            (200, &Value::from("alive")),
            "{method}"
        );
    }
    let body =
        "--B\r\nContent-Disposition: form-data; name=\"files\"\r\n\r\n/abs/a.png\r\n--B--\r\n";
    let (status, v) = env
        .send(
            "POST /upload HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=B\r\n",
            body.as_bytes(),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("no part carries a file name"),
        "{v}"
    );
}
