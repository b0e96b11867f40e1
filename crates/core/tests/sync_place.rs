//! The sync place ability of the storage kinds (`hosts::storage::SyncPlace`), one contract run
//! against the real servers on 127.0.0.1: SeaweedFS (S3), wsgidav (WebDAV), OpenSSH (SFTP) and a
//! local folder. `scripts/test.sh` installs the servers and runs these (`--include-ignored`).

mod support;

use std::time::Duration;

use bytes::Bytes;
use pixdrop_core::error::ErrorKind;
use pixdrop_core::hosts::{self, Http};
use serde_json::json;
use support::servers;

/// Every byte value, so nothing on the way treats the sealed bytes as text.
fn binary(len: usize, salt: u8) -> Bytes {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(salt))
        .collect()
}

/// What every place must do.
async fn contract(host: &dyn hosts::Host) {
    let http = Http::new(Duration::from_secs(30), None).unwrap();
    let place = host.sync_place().expect("a storage kind holds a sync");
    let folder = "pixdrop-sync";

    // Nothing there yet: an empty folder, not an error.
    assert!(place.list(&http, folder).await.unwrap().is_empty());
    assert_eq!(
        place
            .read(&http, "pixdrop-sync/m-1.pxs", 1 << 20)
            .await
            .unwrap(),
        None
    );

    // Created whole, with the folder it needs; read back byte for byte.
    let a = binary(70_000, 1);
    assert!(place
        .create(&http, "pixdrop-sync/m-1.pxs", a.clone())
        .await
        .unwrap());
    assert_eq!(
        place
            .read(&http, "pixdrop-sync/m-1.pxs", 1 << 20)
            .await
            .unwrap()
            .as_deref(),
        Some(&a[..])
    );

    // A taken name is not overwritten: the first file stays as it was.
    let other = binary(10, 7);
    assert!(!place
        .create(&http, "pixdrop-sync/m-1.pxs", other.clone())
        .await
        .unwrap());
    assert_eq!(
        place
            .read(&http, "pixdrop-sync/m-1.pxs", 1 << 20)
            .await
            .unwrap()
            .as_deref(),
        Some(&a[..])
    );

    // A listing names the files with their sizes, not what a write left for a moment, not
    // what lies deeper.
    assert!(place
        .create(&http, "pixdrop-sync/key", other.clone())
        .await
        .unwrap());
    assert!(place
        .create(&http, "pixdrop-sync/deeper/m-2.pxs", other.clone())
        .await
        .unwrap());
    // What a write cut off leaves behind (a temporary name) is not listed.
    assert!(place
        .create(
            &http,
            "pixdrop-sync/m-3.pxs.pixdrop-0123.part",
            other.clone()
        )
        .await
        .unwrap());
    let listed: Vec<(String, u64)> = place
        .list(&http, folder)
        .await
        .unwrap()
        .into_iter()
        .map(|f| (f.name, f.size))
        .collect();
    assert_eq!(
        listed,
        vec![("key".to_string(), 10), ("m-1.pxs".to_string(), 70_000)]
    );

    // A file larger than asked for is refused in words, not read.
    let e = place
        .read(&http, "pixdrop-sync/m-1.pxs", 1000)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TooLarge, "{e}");
    assert!(e.to_string().contains("m-1.pxs"), "{e}");

    // Removed, and removing again is done too.
    place
        .delete_key(&http, "pixdrop-sync/m-1.pxs")
        .await
        .unwrap();
    place
        .delete_key(&http, "pixdrop-sync/m-1.pxs")
        .await
        .unwrap();
    assert_eq!(
        place
            .read(&http, "pixdrop-sync/m-1.pxs", 1 << 20)
            .await
            .unwrap(),
        None
    );
    let names: Vec<String> = place
        .list(&http, folder)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(names, vec!["key".to_string()]);
}

#[test]
fn the_registry_says_which_kinds_hold_a_sync() {
    let holding: Vec<&str> = hosts::kinds()
        .iter()
        .filter(|k| k.can_hold_sync)
        .map(|k| k.kind)
        .collect();
    assert_eq!(holding, vec!["s3", "webdav", "sftp", "local"]);
}

#[tokio::test]
async fn a_local_folder_holds_a_sync() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("同步 folder");
    std::fs::create_dir(&root).unwrap();
    let h = servers::host_of(
        "local",
        json!({"path": root.to_str().unwrap(), "url_prefix": "https://img.example.com"}),
    );
    contract(h.as_ref()).await;
    // Sync files are the user's own, whatever mode uploads get.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(root.join("pixdrop-sync/key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs SeaweedFS from .venv (scripts/test.sh installs it)"]
async fn seaweedfs_holds_a_sync() {
    let server = tokio::task::spawn_blocking(|| servers::seaweedfs("pixdrop-sync-test"))
        .await
        .unwrap();
    let endpoint = format!("http://127.0.0.1:{}", server.port);
    let h = servers::host_of(
        "s3",
        json!({
            "access_key_id": servers::S3_KEY,
            "secret_access_key": servers::S3_SECRET,
            "bucket": "pixdrop-sync-test",
            "endpoint": endpoint,
            "path_style": true,
        }),
    );
    contract(h.as_ref()).await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs wsgidav from .venv (scripts/test.sh installs it)"]
async fn wsgidav_holds_a_sync() {
    let server = tokio::task::spawn_blocking(servers::wsgidav).await.unwrap();
    let (h, _) = servers::dav_folder(&server, "notes");
    contract(h.as_ref()).await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs OpenSSH's sshd and root (scripts/test.sh, CI)"]
async fn openssh_holds_a_sync() {
    let sshd = tokio::task::spawn_blocking(|| servers::sshd(None))
        .await
        .unwrap();
    let h = servers::host_of(
        "sftp",
        json!({
            "host": "127.0.0.1",
            "port": sshd.server.port,
            "username": servers::SFTP_USER,
            "password": servers::SFTP_PASSWORD,
            "host_key": sshd.fingerprint,
            "url_prefix": "https://img.example.com",
        }),
    );
    contract(h.as_ref()).await;
}
