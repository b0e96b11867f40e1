//! The storage kinds against real servers started on 127.0.0.1: SeaweedFS (S3, signatures
//! checked), wsgidav (WebDAV, basic auth), OpenSSH (SFTP), and a local folder. `scripts/test.sh`
//! installs the servers and runs these (`--include-ignored`); alone, `cargo test` leaves them out.

mod support;

use std::sync::{Arc, Mutex};

use pixdrop_core::error::ErrorKind;
use pixdrop_standin::tiny_png;
use serde_json::{json, Value};
use support::engine::env;
use support::servers::{self, Sshd};

fn year() -> String {
    chrono::Local::now().format("%Y").to_string()
}

async fn get(url: &str) -> (u16, String, Vec<u8>) {
    let resp = reqwest::get(url).await.unwrap();
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, ct, resp.bytes().await.unwrap().to_vec())
}

/// A plain-HTTP forward proxy that records the head of every request through it, so a test can
/// see what Pixdrop sent (SeaweedFS sniffs types itself, so the stored object cannot tell).
struct Recorder {
    port: u16,
    heads: Arc<Mutex<Vec<String>>>,
}

async fn recorder() -> Recorder {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                // Read the request head, record it, connect to the origin it names.
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let text = String::from_utf8_lossy(&head).to_string();
                let target = text
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or_default()
                    .to_string();
                let origin = url::Url::parse(&target).unwrap();
                let addr = format!("{}:{}", origin.host_str().unwrap(), origin.port().unwrap());
                seen.lock().unwrap().push(text.clone());
                let mut upstream = tokio::net::TcpStream::connect(addr).await.unwrap();
                // One request per connection: the origin sees it with `Connection: close`.
                let path = &target[target.find(origin.path()).unwrap_or(0)..];
                let rewritten = text.replacen(&target, path, 1).replacen(
                    "\r\n\r\n",
                    "\r\nconnection: close\r\n\r\n",
                    1,
                );
                upstream.write_all(rewritten.as_bytes()).await.unwrap();
                let (mut cr, mut cw) = client.split();
                let (mut ur, mut uw) = upstream.split();
                let _ = tokio::join!(
                    tokio::io::copy(&mut cr, &mut uw),
                    tokio::io::copy(&mut ur, &mut cw)
                );
            });
        }
    });
    Recorder { port, heads }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs SeaweedFS from .venv (scripts/test.sh installs it)"]
async fn s3_on_seaweedfs() {
    let server = tokio::task::spawn_blocking(|| servers::seaweedfs("pixdrop-pics"))
        .await
        .unwrap();
    let endpoint = format!("http://127.0.0.1:{}", server.port);
    let env = env();
    env.add(
        "s3",
        "s3",
        json!({
            "access_key_id": servers::S3_KEY,
            "secret_access_key": servers::S3_SECRET,
            "bucket": "pixdrop-pics",
            "endpoint": endpoint,
            "path_style": true,
            "upload_path": "img/{Y}/{filename}.{ext}",
        }),
    )
    .unwrap();

    // The check lists the bucket with the credentials.
    let said = env.engine.test_host("s3").await.unwrap();
    assert!(said.contains("pixdrop-pics"), "{said}");

    // An upload through a recording proxy: what was sent, and what the link serves.
    let rec = recorder().await;
    env.engine
        .config()
        .update(|c| {
            c.settings.proxy = format!("http://127.0.0.1:{}", rec.port);
            Ok(())
        })
        .unwrap();
    let png = tiny_png(1);
    let done = env.upload_bytes("s3", "a b+c#图.png", &png).await.unwrap();
    let key = format!("img/{}/a b+c#图.png", year());
    assert_eq!(
        done.record.url,
        format!(
            "{endpoint}/pixdrop-pics/img/{}/a%20b%2Bc%23%E5%9B%BE.png",
            year()
        )
    );
    // The handle names the bucket on its endpoint and the key: here, the object's own URL.
    let _ = &key;
    assert_eq!(
        done.record.delete_handle.as_deref(),
        Some(done.record.url.as_str())
    );
    let put = rec
        .heads
        .lock()
        .unwrap()
        .iter()
        .find(|h| h.starts_with("PUT "))
        .cloned()
        .expect("a PUT went through the proxy");
    let lower = put.to_ascii_lowercase();
    assert!(lower.contains("\r\ncontent-type: image/png\r\n"), "{put}");
    assert!(
        lower.contains(&format!("\r\ncontent-length: {}\r\n", png.len())),
        "{put}"
    );
    assert!(!lower.contains("transfer-encoding"), "{put}");
    assert!(lower.contains("x-amz-signature="), "{put}");
    env.engine
        .config()
        .update(|c| {
            c.settings.proxy = String::new();
            Ok(())
        })
        .unwrap();

    let (status, ct, body) = get(&done.record.url).await;
    assert_eq!((status, ct.as_str()), (200, "image/png"));
    assert_eq!(body, png);

    // The same name with other bytes is not written over: the next name is used.
    let other = tiny_png(2);
    let second = env
        .upload_bytes("s3", "a b+c#图.png", &other)
        .await
        .unwrap();
    assert!(
        second.record.url.ends_with("a%20b%2Bc%23%E5%9B%BE-2.png"),
        "{}",
        second.record.url
    );
    assert_eq!(
        get(&done.record.url).await.2,
        png,
        "the first object is intact"
    );
    assert_eq!(get(&second.record.url).await.2, other);

    // A wrong secret: a clear auth error naming it, and nothing recorded.
    let before = env.records();
    env.set("s3", "secret_access_key", json!("not-the-secret"));
    let e = env
        .upload_bytes("s3", "c.png", &tiny_png(3))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
    assert!(e.to_string().contains("SignatureDoesNotMatch"), "{e}");
    assert_eq!(env.records(), before);
    let e = env.engine.test_host("s3").await.unwrap_err();
    assert!(e.to_string().contains("secret access key is wrong"), "{e}");
    env.set("s3", "secret_access_key", json!(servers::S3_SECRET));
    env.set("s3", "access_key_id", json!("NOBODYKEY"));
    let e = env.engine.test_host("s3").await.unwrap_err();
    assert!(e.to_string().contains("InvalidAccessKeyId"), "{e}");
    env.set("s3", "access_key_id", json!(servers::S3_KEY));
    env.set("s3", "bucket", json!("no-such-bucket"));
    let e = env.engine.test_host("s3").await.unwrap_err();
    assert!(e.to_string().contains("NoSuchBucket"), "{e}");
    env.set("s3", "bucket", json!("pixdrop-pics"));

    // Another bucket behind the same public address (a CDN): its object of that key is not
    // this record's, so nothing is deleted or reported deleted.
    env.set("s3", "url_prefix", json!("https://cdn.example.com"));
    env.set("s3", "bucket", json!("other-bucket"));
    let e = env.delete_remote(done.record.id).await.unwrap_err();
    assert!(e.to_string().contains("points elsewhere"), "{e}");
    env.set("s3", "bucket", json!("pixdrop-pics"));
    env.set("s3", "url_prefix", json!(""));

    // Deleting on the host removes exactly that object.
    env.delete_remote(done.record.id).await.unwrap();
    assert_eq!(get(&done.record.url).await.0, 404);
    assert_eq!(get(&second.record.url).await.0, 200);

    // An endpoint nobody listens on is named.
    drop(server);
    let e = env
        .upload_bytes("s3", "d.png", &tiny_png(4))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network, "{e}");
    assert!(
        e.to_string().contains(&endpoint.replace("http://", "")),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs wsgidav from .venv (scripts/test.sh installs it)"]
async fn webdav_on_wsgidav() {
    let server = tokio::task::spawn_blocking(servers::wsgidav).await.unwrap();
    let root = server.dir.path().join("root");
    let url = format!("http://127.0.0.1:{}/dav", server.port);
    let env = env();
    env.add(
        "dav",
        "webdav",
        json!({
            "url": format!("{url}/pics"),
            "username": servers::DAV_USER,
            "password": servers::DAV_PASSWORD,
            "upload_path": "a/{Y}/{m}/{filename}.{ext}",
            "url_prefix": "https://img.example.com/p/",
        }),
    )
    .unwrap();
    // The folder itself does not exist yet: the check says so.
    let e = env.engine.test_host("dav").await.unwrap_err();
    assert!(e.to_string().contains("no folder"), "{e}");
    std::fs::create_dir(root.join("pics")).unwrap();
    env.engine.test_host("dav").await.unwrap();

    // Nested folders are made; the file is the bytes sent; the link is under the prefix.
    let png = tiny_png(10);
    let done = env
        .upload_bytes("dav", "my shot #1.png", &png)
        .await
        .unwrap();
    let key = format!("a/{}/my shot #1.png", chrono::Local::now().format("%Y/%m"));
    let on_disk = root.join("pics").join(&key);
    assert_eq!(std::fs::read(&on_disk).unwrap(), png);
    assert_eq!(
        done.record.url,
        format!(
            "https://img.example.com/p/a/{}/my%20shot%20%231.png",
            chrono::Local::now().format("%Y/%m")
        )
    );
    // The same name again, other bytes: a new name, the first file intact.
    let other = tiny_png(11);
    let second = env
        .upload_bytes("dav", "my shot #1.png", &other)
        .await
        .unwrap();
    assert!(
        second.record.url.ends_with("my%20shot%20%231-2.png"),
        "{}",
        second.record.url
    );
    assert_eq!(std::fs::read(&on_disk).unwrap(), png);

    // A wrong password: an auth error, nothing recorded, nothing written.
    let before = env.records();
    env.set("dav", "password", json!("wrong"));
    let e = env
        .upload_bytes("dav", "x.png", &tiny_png(12))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
    assert_eq!(env.records(), before);
    env.set("dav", "password", json!(servers::DAV_PASSWORD));

    // Delete removes the file; a file deleted by hand meanwhile counts as deleted.
    env.delete_remote(done.record.id).await.unwrap();
    assert!(!on_disk.exists());
    std::fs::remove_file(on_disk.with_file_name("my shot #1-2.png")).unwrap();
    env.delete_remote(second.record.id).await.unwrap();
    assert_eq!(env.records(), before - 2);
}

fn sftp_settings(sshd: &Sshd, extra: Value) -> Value {
    let mut v = json!({
        "host": "127.0.0.1",
        "port": sshd.server.port,
        "username": servers::SFTP_USER,
        "url_prefix": "https://img.example.com",
        "upload_path": "img/{Y}/{filename}.{ext}",
    });
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs OpenSSH's sshd and root (scripts/test.sh, CI)"]
async fn sftp_on_openssh() {
    let sshd = tokio::task::spawn_blocking(|| servers::sshd(None))
        .await
        .unwrap();
    let env = env();
    env.add(
        "box",
        "sftp",
        sftp_settings(&sshd, json!({"password": servers::SFTP_PASSWORD})),
    )
    .unwrap();

    // Before a test, the server's key is not trusted: the upload is refused with its fingerprint.
    let before = env.records();
    let e = env
        .upload_bytes("box", "a.png", &tiny_png(20))
        .await
        .unwrap_err();
    assert!(e.to_string().contains(&sshd.fingerprint), "{e}");
    assert!(e.to_string().contains("test"), "{e}");
    assert_eq!(env.records(), before);
    // The first test shows the fingerprint (as ssh-keygen -lf prints it) and keeps it.
    let said = env.engine.test_host("box").await.unwrap();
    assert!(said.contains(&sshd.fingerprint), "{said}");
    assert_eq!(
        env.host("box").settings["host_key"],
        json!(sshd.fingerprint)
    );

    // Password login: the file lands in the login's folder with mode 0644.
    let png = tiny_png(21);
    let done = env.upload_bytes("box", "ü b.png", &png).await.unwrap();
    let file = sshd.home.join(format!("img/{}/ü b.png", year()));
    assert_eq!(std::fs::read(&file).unwrap(), png);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o644
    );
    assert_eq!(
        done.record.url,
        format!("https://img.example.com/img/{}/%C3%BC%20b.png", year())
    );
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(file.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(names, vec!["ü b.png".to_string()]);
    // The same name again: the next name, nothing replaced.
    let second = env
        .upload_bytes("box", "ü b.png", &tiny_png(22))
        .await
        .unwrap();
    assert!(
        second.record.url.ends_with("%C3%BC%20b-2.png"),
        "{}",
        second.record.url
    );
    assert_eq!(std::fs::read(&file).unwrap(), png);

    // A wrong password is an auth error naming the login.
    env.set("box", "password", json!("wrong"));
    let e = env
        .upload_bytes("box", "w.png", &tiny_png(23))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
    assert!(e.to_string().contains(servers::SFTP_USER), "{e}");

    // Key logins: a key with a passphrase needs it; with it, the upload works. A folder path
    // (absolute) is honoured.
    env.set("box", "password", json!(""));
    env.set(
        "box",
        "private_key",
        json!(sshd.key_with_passphrase.display().to_string()),
    );
    let e = env
        .upload_bytes("box", "k.png", &tiny_png(24))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("passphrase"), "{e}");
    env.set("box", "passphrase", json!(servers::KEY_PASSPHRASE));
    let www = sshd.home.join("www");
    std::fs::create_dir(&www).unwrap();
    std::os::unix::fs::chown(&www, Some(42_420), Some(42_420)).unwrap();
    env.set("box", "path", json!(www.display().to_string()));
    let k = env
        .upload_bytes("box", "k.png", &tiny_png(24))
        .await
        .unwrap();
    assert!(www.join(format!("img/{}/k.png", year())).exists());
    env.set("box", "passphrase", json!(""));
    env.set("box", "private_key", json!(sshd.key.display().to_string()));
    env.upload_bytes("box", "k2.png", &tiny_png(25))
        .await
        .unwrap();

    // Delete removes exactly the file.
    env.delete_remote(k.record.id).await.unwrap();
    assert!(!www.join(format!("img/{}/k.png", year())).exists());
    assert!(www.join(format!("img/{}/k2.png", year())).exists());

    // Another server with another key where this config points: refused, both named.
    let other = tokio::task::spawn_blocking(|| servers::sshd(None))
        .await
        .unwrap();
    env.set("box", "port", json!(other.server.port));
    let e = env
        .upload_bytes("box", "m.png", &tiny_png(26))
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains(&sshd.fingerprint) && text.contains(&other.fingerprint),
        "{text}"
    );
    assert!(text.contains("changed"), "{text}");
    drop(done);
}

#[tokio::test]
async fn local_folder() {
    let env = env();
    let root = env.dir.path().join("www");
    env.add(
        "folder",
        "local",
        json!({"path": root.display().to_string(), "url_prefix": "http://127.0.0.1:8080/img"}),
    )
    .unwrap();
    // The folder must exist: said, and nothing recorded.
    let e = env
        .upload_bytes("folder", "a.png", &tiny_png(30))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("does not exist"), "{e}");
    assert_eq!(env.records(), 0);
    std::fs::create_dir(&root).unwrap();
    env.engine.test_host("folder").await.unwrap();

    let png = tiny_png(31);
    let done = env
        .upload_bytes("folder", "..hidden+1.png", &png)
        .await
        .unwrap();
    let key = format!("{}/..hidden+1.png", chrono::Local::now().format("%Y/%m"));
    assert_eq!(std::fs::read(root.join(&key)).unwrap(), png);
    assert_eq!(
        done.record.url,
        format!("http://127.0.0.1:8080/img/{}", key.replace('+', "%2B"))
    );
    let second = env
        .upload_bytes("folder", "..hidden+1.png", &tiny_png(32))
        .await
        .unwrap();
    assert!(
        second.record.url.ends_with("..hidden%2B1-2.png"),
        "{}",
        second.record.url
    );
    assert_eq!(std::fs::read(root.join(&key)).unwrap(), png);
    // Nothing but the two images in the folder (no temporary files).
    let names: Vec<_> = std::fs::read_dir(root.join(&key).parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");

    // The config now points at another folder (with the same public address): the same key
    // there is another file, so the delete is refused and nothing is removed (the record
    // stays). Neither is a delete reported when the other folder has no such file.
    let elsewhere = env.dir.path().join("elsewhere");
    std::fs::create_dir_all(elsewhere.join(&key).parent().unwrap()).unwrap();
    std::fs::write(elsewhere.join(&key), b"someone else's file").unwrap();
    env.set("folder", "path", json!(elsewhere.display().to_string()));
    let e = env.delete_remote(done.record.id).await.unwrap_err();
    assert!(e.to_string().contains("points elsewhere"), "{e}");
    assert!(elsewhere.join(&key).exists());
    std::fs::remove_file(elsewhere.join(&key)).unwrap();
    let e = env.delete_remote(done.record.id).await.unwrap_err();
    assert!(e.to_string().contains("points elsewhere"), "{e}");
    assert!(root.join(&key).exists());
    assert_eq!(env.records(), 2);
    env.set("folder", "path", json!(root.display().to_string()));

    // A new public address (a CDN in front, say) moves no file: the delete goes through.
    env.set("folder", "url_prefix", json!("https://cdn.example.com/img"));
    env.delete_remote(done.record.id).await.unwrap();
    assert!(!root.join(&key).exists());
    // Gone by hand before the delete: counts as deleted.
    std::fs::remove_file(root.join(&key).with_file_name("..hidden+1-2.png")).unwrap();
    env.delete_remote(second.record.id).await.unwrap();
    assert_eq!(env.records(), 0);
}

/// Files a web server running as another user can read: `file_mode` (0644 unless set), not the
/// temporary file's private mode.
#[tokio::test]
async fn local_files_get_the_file_mode() {
    use std::os::unix::fs::PermissionsExt;
    let env = env();
    let root = env.dir.path().join("www");
    std::fs::create_dir(&root).unwrap();
    env.add(
        "folder",
        "local",
        json!({"path": root.display().to_string(), "url_prefix": "http://127.0.0.1:8080/img"}),
    )
    .unwrap();
    let mode_of = |name: &str| {
        let key = format!("{}/{name}", chrono::Local::now().format("%Y/%m"));
        std::fs::metadata(root.join(key))
            .unwrap()
            .permissions()
            .mode()
            & 0o7777
    };
    env.upload_bytes("folder", "a.png", &tiny_png(33))
        .await
        .unwrap();
    assert_eq!(mode_of("a.png"), 0o644);
    env.set("folder", "file_mode", json!("0640"));
    env.upload_bytes("folder", "b.png", &tiny_png(34))
        .await
        .unwrap();
    assert_eq!(mode_of("b.png"), 0o640);
    let e = env
        .add(
            "bad",
            "local",
            json!({"path": root.display().to_string(), "url_prefix": "http://x/", "file_mode": "rw-r--r--"}),
        )
        .unwrap_err();
    assert!(e.to_string().contains("file_mode"), "{e}");
}
