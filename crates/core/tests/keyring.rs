//! Secrets in a real Secret Service (GNOME Keyring on a private D-Bus session): moved there from
//! an older config.json, used for uploads, kept in step with renames, copies, imports and
//! removals, and refused in words when the keyring is gone.
//!
//! One test in this file: it points the process's session bus at its own.

mod support;

use std::collections::BTreeMap;

use pixdrop_core::config::HostConfig;
use pixdrop_core::import::sxcu;
use pixdrop_core::secrets::{reference, Location};
use pixdrop_core::{ConfigStore, Engine, Paths};
use pixdrop_standin::{tiny_png, StandIn};
use serde_json::{json, Value};
use support::keyring::SecretService;

const TOKEN: &str = "keyring-token-0123456789";

fn smms(name: &str, server: &str, token: &str) -> HostConfig {
    HostConfig {
        name: name.into(),
        kind: "smms".into(),
        settings: BTreeMap::from([
            ("server".to_string(), json!(server)),
            ("api".to_string(), json!("see")),
            ("token".to_string(), json!(token)),
        ]),
    }
}

fn set(engine: &Engine, name: &str, key: &str, value: &str) {
    engine
        .config()
        .update(|c| c.set_host_values(name, vec![(key.to_string(), Some(json!(value)))]))
        .unwrap();
}

/// The keyring id a stored config's secret refers to.
fn stored_id(file: &std::path::Path, config: &str, path: &[&str]) -> Option<String> {
    let v: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    let host = v["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == config)?;
    let mut at = &host["settings"];
    for p in path {
        at = &at[p];
    }
    reference(at).map(str::to_string)
}

#[tokio::test]
async fn secrets_live_in_the_keyring_and_follow_their_configs() {
    let mut service = SecretService::start(true);
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &service.address);
    let host = StandIn::start(TOKEN);
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::in_dir(dir.path().join("data"));
    let file = paths.config_file();

    // A config.json from before: the token in the file.
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    ConfigStore::new(&file)
        .update(|c| c.add_host(smms("main", &host.base_url(), TOKEN), true))
        .unwrap();
    assert!(std::fs::read_to_string(&file).unwrap().contains(TOKEN));
    // And an item an interrupted move left behind (written, never referred to).
    let real_file = std::fs::canonicalize(file.parent().unwrap())
        .unwrap()
        .join("config.json");
    service.store(
        "Pixdrop: main (token)",
        &[
            ("application", "pixdrop"),
            ("pixdrop-config-file", real_file.to_str().unwrap()),
            ("pixdrop-id", "left-by-a-crash"),
            ("pixdrop-config", "main"),
            ("pixdrop-field", "token"),
        ],
        TOKEN,
    );
    // Another program's item with Pixdrop's application name is not Pixdrop's to sweep.
    service.store("other", &[("application", "pixdrop")], "theirs");

    // First start with a keyring: the token moves, the leftover goes.
    let engine = Engine::open(paths.clone()).unwrap();
    assert_eq!(engine.config().secret_store(), Location::Keyring);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains(TOKEN), "{text}");
    assert_eq!(
        service
            .lookup(&[("pixdrop-config", "main"), ("pixdrop-field", "token")])
            .as_deref(),
        Some(TOKEN)
    );
    assert_eq!(service.count(&[("pixdrop-id", "left-by-a-crash")]), 0);
    assert_eq!(service.count(&[("application", "pixdrop")]), 2);
    assert_eq!(
        engine.config().secret_locations("main").unwrap(),
        vec![("token".to_string(), Location::Keyring)]
    );

    // Uploads use it (the stand-in refuses any other token).
    let photo = dir.path().join("a.png");
    std::fs::write(&photo, tiny_png(1)).unwrap();
    let done = engine
        .upload_all(
            vec![pixdrop_core::Input::Path(photo.clone())],
            Default::default(),
        )
        .await
        .pop()
        .unwrap()
        .result
        .unwrap();
    assert_eq!(done.record.url, host.url_of("a.png"));

    // A changed setting that leaves the token alone keeps its item.
    let id = stored_id(&file, "main", &["token"]).unwrap();
    set(&engine, "main", "api", "see");
    assert_eq!(stored_id(&file, "main", &["token"]).unwrap(), id);

    // Rename: the secret is under the new name, nothing under the old.
    let mut renamed = engine
        .config()
        .load()
        .unwrap()
        .host("main")
        .unwrap()
        .clone();
    renamed.name = "blog".into();
    engine.replace_host("main", renamed, false).unwrap();
    assert_eq!(service.count(&[("pixdrop-config", "main")]), 0);
    assert_eq!(
        service
            .lookup(&[("pixdrop-config", "blog"), ("pixdrop-field", "token")])
            .as_deref(),
        Some(TOKEN)
    );

    // A copy (the app's Duplicate) has an item of its own.
    let mut copy = engine
        .config()
        .load()
        .unwrap()
        .host("blog")
        .unwrap()
        .clone();
    copy.name = "blog copy".into();
    engine
        .config()
        .update(|c| c.add_host(copy.clone(), false))
        .unwrap();
    let (a, b) = (
        stored_id(&file, "blog", &["token"]).unwrap(),
        stored_id(&file, "blog copy", &["token"]).unwrap(),
    );
    assert_ne!(a, b);

    // An import: a ShareX uploader's Authorization header goes to the keyring, the rest stays.
    let sxcu_file = dir.path().join("up.sxcu");
    std::fs::write(
        &sxcu_file,
        json!({"Name": "shx", "RequestURL": host.base_url() + "/custom/upload", "Body": "MultipartFormData",
               "FileFormName": "file", "URL": "{json:url}",
               "Headers": {"Authorization": "Bearer sx-secret-987654321", "X-Client": "pixdrop-test"}})
        .to_string(),
    )
    .unwrap();
    sxcu::import(engine.config(), &sxcu_file, None, false).unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains("sx-secret"), "{text}");
    assert!(text.contains("pixdrop-test"), "{text}");
    assert!(stored_id(&file, "shx", &["headers", "Authorization"]).is_some());
    let loaded = engine.config().load().unwrap();
    assert_eq!(
        loaded.host("shx").unwrap().settings["headers"]["Authorization"],
        "Bearer sx-secret-987654321"
    );

    // A new value gets a new item; the old one goes.
    set(&engine, "blog copy", "token", "another-token-555555");
    let b2 = stored_id(&file, "blog copy", &["token"]).unwrap();
    assert_ne!(b2, b);
    assert_eq!(service.count(&[("pixdrop-id", &b)]), 0);

    // Removal removes the secret; the others stay.
    engine.remove_host("blog copy").unwrap();
    assert_eq!(service.count(&[("pixdrop-config", "blog copy")]), 0);
    assert_eq!(service.count(&[("pixdrop-id", &a)]), 1);

    // An item removed in the keyring (by another program): uploads say so, the config can still
    // be shown masked, and setting the token again mends it.
    service.clear(&[("pixdrop-id", &a)]);
    let fresh = ConfigStore::open(&file);
    let e = fresh.load_revealed().unwrap_err().to_string();
    assert!(
        e.contains("no longer holds the token of the config \"blog\"")
            && e.contains("pixdrop hosts set blog token=…"),
        "{e}"
    );
    let shown = fresh.load().unwrap();
    let blog = shown.host("blog").unwrap();
    assert_eq!(
        pixdrop_core::hosts::display_settings(blog, false)["token"],
        "••••••••"
    );
    let e = pixdrop_core::hosts::build(blog).err().unwrap().to_string();
    assert!(
        e.contains("keeps its token in the system keyring, which cannot give it now")
            && e.contains("pixdrop hosts set blog token=…"),
        "{e}"
    );
    fresh
        .update(|c| c.set_host_values("blog", vec![("token".into(), Some(json!(TOKEN)))]))
        .unwrap();
    assert_eq!(
        fresh.load().unwrap().host("blog").unwrap().settings["token"],
        TOKEN
    );
    let a = stored_id(&file, "blog", &["token"]).unwrap();

    // A locked keyring: reading asks for no unlock prompt (configs are read all the time); the
    // config loads, and only building the host is refused.
    service.lock();
    let locked = ConfigStore::open(&file);
    let e = locked.load_revealed().unwrap_err().to_string();
    assert!(e.contains("it is locked"), "{e}");
    let loaded = locked.load().unwrap();
    assert!(pixdrop_core::hosts::build(loaded.host("blog").unwrap()).is_err());

    // Without the keyring: new secrets stay in the file, and those in the keyring are asked
    // for in words instead of being lost.
    service.stop_keyring();
    let store = ConfigStore::open(&file);
    assert_eq!(store.secret_store(), Location::File);
    let e = store.load_revealed().unwrap_err().to_string();
    assert!(e.contains("keeps its token in the system keyring"), "{e}");
    assert!(e.contains("no Secret Service"), "{e}");
    // The config still loads as it is (not the defaults), and the host is refused in words.
    let loaded = store.load().unwrap();
    assert!(loaded.host("shx").is_some());
    assert!(pixdrop_core::hosts::build(loaded.host("blog").unwrap())
        .err()
        .unwrap()
        .to_string()
        .contains("cannot give it now"));
    assert!(std::fs::read_to_string(&file).unwrap().contains(&a));
    // Changes that leave the secrets alone still work, the token staying in the keyring; a copy
    // (which would share the keyring's item) is refused, and nothing is written.
    store
        .update(|c| {
            c.settings.notify = false;
            Ok(())
        })
        .unwrap();
    let v: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(v["settings"]["notify"], false);
    store
        .update(|c| c.set_host_values("blog", vec![("api".into(), Some(json!("v2")))]))
        .unwrap();
    assert_eq!(
        stored_id(&file, "blog", &["token"]).as_deref(),
        Some(a.as_str())
    );
    let before = std::fs::read(&file).unwrap();
    let e = store
        .update(|c| {
            let mut copy = c.host("blog").unwrap().clone();
            copy.name = "blog 2".into();
            c.add_host(copy, false)
        })
        .unwrap_err()
        .to_string();
    assert!(e.contains("keeps its token in the system keyring"), "{e}");
    assert_eq!(std::fs::read(&file).unwrap(), before);
}
