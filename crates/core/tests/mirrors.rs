//! Uploads to a config and its mirrors at once: each host's result is its own album record, the
//! records of one upload are linked, the link is the config's own unless its host failed, and
//! each host is deduplicated on its own.

mod support;

use pixdrop_core::error::ErrorKind;
use pixdrop_core::{Input, UploadOptions};
use pixdrop_standin::{tiny_png, StandIn};
use serde_json::json;
use support::engine::{env, Env};

/// Two stand-in hosts: config `main` on the first, `backup` on the second, `main` mirrored to
/// `backup`.
fn two_hosts() -> (Env, StandIn, StandIn) {
    let (a, b) = (StandIn::start("tok-a"), StandIn::start("tok-b"));
    let env = env();
    env.add(
        "backup",
        "smms",
        json!({"token": "tok-b", "server": b.base_url(), "api": "v2"}),
    )
    .unwrap();
    env.add(
        "main",
        "smms",
        json!({"token": "tok-a", "server": a.base_url(), "api": "v2", "mirrors": ["backup"]}),
    )
    .unwrap();
    (env, a, b)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upload_goes_to_the_config_and_its_mirrors() {
    let (env, a, b) = two_hosts();
    let png = tiny_png(1);
    let done = env.upload_bytes("main", "cat.png", &png).await.unwrap();
    assert_eq!(done.record.config_name, "main");
    assert_eq!(done.record.url, a.url_of("cat.png"));
    assert!(done.fallback.is_none());
    assert_eq!(done.mirrors.len(), 1);
    let m = &done.mirrors[0];
    assert_eq!(m.config, "backup");
    assert!(m.error.is_none());
    let mirror = m.record.clone().unwrap();
    assert_eq!(mirror.url, b.url_of("cat.png"));
    // Two records, one group.
    assert_eq!(env.records(), 2);
    assert!(done.record.mirror_group.is_some());
    assert_eq!(done.record.mirror_group, mirror.mirror_group);
    let also = env.engine.album().mirrors_of(done.record.id).unwrap();
    assert_eq!(also.iter().map(|r| r.id).collect::<Vec<_>>(), [mirror.id]);

    // Each host is deduplicated on its own: the record on the mirror removed from the album,
    // the same file goes to the mirror only, and joins the first record's group.
    env.engine
        .delete(&[mirror.id], false)
        .await
        .remove(0)
        .1
        .unwrap();
    let again = env.upload_bytes("main", "cat.png", &png).await.unwrap();
    assert!(again.duplicate);
    assert_eq!(again.record.id, done.record.id);
    assert_eq!((a.upload_requests(), b.upload_requests()), (1, 2));
    let re = again.mirrors[0].record.clone().unwrap();
    assert!(!again.mirrors[0].duplicate);
    assert_eq!(re.mirror_group, done.record.mirror_group);

    // `also`: more hosts for one upload (the CLI's second --host).
    env.add(
        "third",
        "smms",
        json!({"token": "tok-a", "server": a.base_url(), "api": "v2"}),
    )
    .unwrap();
    let outcome = env
        .engine
        .upload_all(
            vec![Input::Bytes {
                name: "dog.png".into(),
                bytes: tiny_png(2).into(),
            }],
            UploadOptions {
                host: Some("backup".into()),
                also: vec!["third".into()],
                ..Default::default()
            },
        )
        .await
        .pop()
        .unwrap()
        .result
        .unwrap();
    assert_eq!(outcome.record.config_name, "backup");
    assert_eq!(
        outcome
            .mirrors
            .iter()
            .map(|m| m.config.as_str())
            .collect::<Vec<_>>(),
        ["third"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_host_is_said_and_the_mirror_gives_the_link() {
    let (env, a, b) = two_hosts();
    // The config's own host refuses the token: the mirror's link, and why.
    env.set("main", "token", json!("wrong"));
    let done = env
        .upload_bytes("main", "a.png", &tiny_png(3))
        .await
        .unwrap();
    assert_eq!(done.record.config_name, "backup");
    assert_eq!(done.record.url, b.url_of("a.png"));
    let fallback = done.fallback.clone().unwrap();
    assert_eq!(fallback.config, "main");
    assert_eq!(fallback.error.unwrap().kind, ErrorKind::Auth);
    assert!(done.mirrors.is_empty());
    assert_eq!(env.records(), 1);

    // A mirror that fails does not fail the upload; its failure is in the result.
    env.set("main", "token", json!("tok-a"));
    env.set("backup", "token", json!("wrong"));
    let done = env
        .upload_bytes("main", "b.png", &tiny_png(4))
        .await
        .unwrap();
    assert_eq!(done.record.url, a.url_of("b.png"));
    assert!(done.fallback.is_none());
    let e = done.mirrors[0].error.clone().unwrap();
    assert_eq!(
        (done.mirrors[0].config.as_str(), e.kind),
        ("backup", ErrorKind::Auth)
    );
    assert!(done.mirrors[0].record.is_none());
    assert_eq!(env.records(), 2);
    assert_eq!(
        env.engine.album().mirrors_of(done.record.id).unwrap().len(),
        0
    );

    // A mirror removed by hand from config.json (so still named): that mirror fails in words,
    // the upload does not.
    env.set("backup", "token", json!("tok-b"));
    env.engine
        .config()
        .update(|c| {
            c.hosts.retain(|h| h.name != "backup");
            Ok(())
        })
        .unwrap();
    let done = env
        .upload_bytes("main", "d.png", &tiny_png(6))
        .await
        .unwrap();
    assert_eq!(done.record.config_name, "main");
    let e = done.mirrors[0].error.clone().unwrap();
    assert!(
        e.message.contains("no host config named \"backup\""),
        "{e:?}"
    );
    assert_eq!(env.records(), 3);

    // Both fail: each host's error, of the config's own kind; nothing recorded.
    env.set("main", "token", json!("wrong"));
    let e = env
        .upload_bytes("main", "c.png", &tiny_png(5))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth);
    let text = e.to_string();
    assert!(
        text.starts_with("main failed: the host refused the token")
            && text.contains("; backup failed: there is no host config named \"backup\""),
        "{text}"
    );
    assert_eq!(env.records(), 3);
}

#[tokio::test]
async fn mirrors_name_configs_that_exist_and_follow_renames_and_removals() {
    let (env, _a, _b) = two_hosts();
    let cfg = |name: &str| env.host(name);
    // Unknown names and a config as its own mirror are refused before anything is saved.
    let set = |name: &str, text: &str| {
        let values = pixdrop_core::hosts::parse_values(
            &cfg(name).kind,
            [("mirrors".to_string(), text.to_string())],
        )
        .unwrap();
        env.engine
            .config()
            .update(|c| c.set_host_values(name, values))
    };
    let e = set("main", "backup, nowhere").unwrap_err();
    assert!(
        e.to_string().contains("no host config named \"nowhere\""),
        "{e}"
    );
    let e = set("main", "main").unwrap_err();
    assert!(e.to_string().contains("its own mirror"), "{e}");
    assert_eq!(cfg("main").mirrors(), ["backup"]);

    // A rename is followed; a removal takes the name out, and its undo puts it back.
    let mut renamed = cfg("backup");
    renamed.name = "spare".into();
    env.engine.replace_host("backup", renamed, false).unwrap();
    assert_eq!(cfg("main").mirrors(), ["spare"]);
    let removed = env.engine.remove_host("spare").unwrap();
    assert_eq!(removed.mirror_of, ["main"]);
    assert!(cfg("main").mirrors().is_empty());
    env.engine.restore_host(&removed).unwrap();
    assert_eq!(cfg("main").mirrors(), ["spare"]);
    // The form shows them as text.
    assert_eq!(
        pixdrop_core::hosts::shown_text(&cfg("main"), "mirrors", false).as_deref(),
        Some("spare")
    );
}
