//! The hosted kinds (GitHub, Imgur, Lsky Pro, Chevereto, Upyun) against the stand-in, which
//! answers as each service documents, errors included, and records what Pixdrop sent.

mod support;

use pixdrop_core::error::ErrorKind;
use pixdrop_standin::{tiny_png, Behavior, StandIn};
use serde_json::{json, Value};
use support::engine::env;

const TOKEN: &str = "hosted-token";

fn year() -> String {
    chrono::Local::now().format("%Y").to_string()
}

async fn fetch(url: &str) -> (u16, Vec<u8>) {
    let resp = reqwest::get(url).await.unwrap();
    (resp.status().as_u16(), resp.bytes().await.unwrap().to_vec())
}

#[tokio::test(flavor = "multi_thread")]
async fn github_contents_api() {
    let host = StandIn::start(TOKEN);
    let api = format!("{}/github", host.base_url());
    let env = env();
    env.add(
        "gh",
        "github",
        json!({"repo": "pix/images", "token": TOKEN, "api_url": api, "path": "img/{Y}"}),
    )
    .unwrap();
    let said = env.engine.test_host("gh").await.unwrap();
    assert!(said.contains("can write to pix/images"), "{said}");

    let png = tiny_png(1);
    let done = env.upload_bytes("gh", "shot one.png", &png).await.unwrap();
    let path = format!("img/{}/shot one.png", year());
    assert_eq!(
        done.record.url,
        format!(
            "{}/o/github/pix/images/main/img/{}/shot%20one.png",
            host.base_url(),
            year()
        )
    );
    assert_eq!(fetch(&done.record.url).await, (200, png.clone()));
    let put = host.hosted_requests().pop().unwrap();
    assert_eq!(put.method, "PUT");
    assert_eq!(put.headers["authorization"], format!("token {TOKEN}"));
    assert!(
        put.target
            .ends_with(&format!("/contents/img/{}/shot%20one.png", year())),
        "{}",
        put.target
    );
    let sha = &host.objects()[&format!("github/pix/images/main/{path}")].handle;
    assert_eq!(
        done.record.delete_handle.as_deref(),
        Some(format!("{sha} pix/images main {path}").as_str())
    );

    // The same bytes at the same path (another album, or a record removed from this one): GitHub
    // says 422, the file is ours, so it is a success with its link.
    let other = support::engine::env();
    other
        .add(
            "gh",
            "github",
            json!({"repo": "pix/images", "token": TOKEN, "api_url": api, "path": "img/{Y}"}),
        )
        .unwrap();
    let again = other
        .upload_bytes("gh", "shot one.png", &png)
        .await
        .unwrap();
    assert_eq!(again.record.url, done.record.url);
    // Other bytes under that name: refused in words, nothing replaced or recorded.
    let e = other
        .upload_bytes("gh", "shot one.png", &tiny_png(2))
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("already exists in pix/images with other content"),
        "{e}"
    );
    assert_eq!(other.records(), 1);
    assert_eq!(fetch(&done.record.url).await.1, png);

    // A CDN prefix makes the links.
    env.set(
        "gh",
        "custom_url",
        json!("https://cdn.example.com/gh/pix/images@main"),
    );
    let cdn = env
        .upload_bytes("gh", "图 #1.png", &tiny_png(3))
        .await
        .unwrap();
    assert_eq!(
        cdn.record.url,
        format!(
            "https://cdn.example.com/gh/pix/images@main/img/{}/%E5%9B%BE%20%231.png",
            year()
        )
    );

    // A config moved to another branch names other files: nothing is deleted there.
    env.set("gh", "branch", json!("dev"));
    let e = env.delete_remote(cdn.record.id).await.unwrap_err();
    assert!(e.to_string().contains("points elsewhere"), "{e}");
    env.set("gh", "branch", json!("main"));

    // Delete on the host: the file goes (by its SHA).
    env.delete_remote(cdn.record.id).await.unwrap();
    assert!(!host
        .objects()
        .keys()
        .any(|k| k.contains("%231") || k.contains("#1")));

    // The API limit used up: said with the time it resets, nothing recorded.
    let reset = chrono::Utc::now().timestamp() + 600;
    host.script([Behavior::Answer {
        status: 403,
        headers: vec![
            ("x-ratelimit-remaining".into(), "0".into()),
            ("x-ratelimit-reset".into(), reset.to_string()),
            ("content-type".into(), "application/json".into()),
        ],
        body: json!({"message": "API rate limit exceeded for user ID 1."}).to_string(),
    }]);
    let before = env.records();
    let e = env
        .upload_bytes("gh", "late.png", &tiny_png(4))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited, "{e}");
    assert!(e.to_string().contains("resets in 10 min"), "{e}");
    assert_eq!(env.records(), before);

    // A wrong token, a repository that is not there.
    env.set("gh", "token", json!("wrong"));
    let e = env
        .upload_bytes("gh", "x.png", &tiny_png(5))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
    assert!(e.to_string().contains("Bad credentials"), "{e}");
    env.set("gh", "token", json!(TOKEN));
    env.set("gh", "repo", json!("pix/nope"));
    let e = env.engine.test_host("gh").await.unwrap_err();
    assert!(
        e.to_string().contains("pix/nope") && e.to_string().contains("does not exist"),
        "{e}"
    );
    // A repo that is not owner/name is refused before anything is sent.
    let e = env
        .add(
            "bad",
            "github",
            json!({"repo": "just-a-name", "token": TOKEN}),
        )
        .unwrap_err();
    assert!(e.to_string().contains("owner/name"), "{e}");
}

#[tokio::test(flavor = "multi_thread")]
async fn imgur_api() {
    let host = StandIn::start(TOKEN);
    let api = format!("{}/imgur", host.base_url());
    let env = env();
    env.add("im", "imgur", json!({"client_id": TOKEN, "api_url": api}))
        .unwrap();
    let said = env.engine.test_host("im").await.unwrap();
    assert!(said.contains("12400 application credits"), "{said}");

    let png = tiny_png(11);
    let done = env.upload_bytes("im", "cat.png", &png).await.unwrap();
    assert_eq!(fetch(&done.record.url).await, (200, png));
    assert_eq!((done.record.width, done.record.height), (Some(4), Some(3)));
    let sent = host.hosted_requests().pop().unwrap();
    assert_eq!(sent.headers["authorization"], format!("Client-ID {TOKEN}"));
    assert_eq!(sent.file_field.as_deref(), Some("image"));
    assert_eq!(sent.fields.get("type").map(String::as_str), Some("file"));
    let hash = done.record.delete_handle.clone().unwrap();
    env.delete_remote(done.record.id).await.unwrap();
    assert!(!host.objects().values().any(|o| o.handle == hash));

    // To the account: the access token, with Bearer added once.
    env.set("im", "access_token", json!(TOKEN));
    env.upload_bytes("im", "b.png", &tiny_png(12))
        .await
        .unwrap();
    assert_eq!(
        host.hosted_requests().pop().unwrap().headers["authorization"],
        format!("Bearer {TOKEN}")
    );

    // The post limit used up: Imgur's 429 and its headers, in words; not retried.
    host.imgur_post_limit(1);
    env.upload_bytes("im", "c.png", &tiny_png(13))
        .await
        .unwrap();
    let sent = host.hosted_requests().len();
    let e = env
        .upload_bytes("im", "d.png", &tiny_png(14))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited, "{e}");
    assert!(
        e.to_string()
            .contains("upload limit for this address is used up; it resets in 50 min"),
        "{e}"
    );
    assert_eq!(host.hosted_requests().len(), sent + 1);

    // A wrong Client ID; a Cloudflare block page.
    host.imgur_post_limit(1000);
    let other = support::engine::env();
    other
        .add("im", "imgur", json!({"client_id": "nope", "api_url": api}))
        .unwrap();
    let e = other
        .upload_bytes("im", "e.png", &tiny_png(15))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
    assert!(
        e.to_string()
            .contains("Imgur refused the Client ID: Permission Denied"),
        "{e}"
    );
    host.script([Behavior::Html403]);
    other.set("im", "client_id", json!(TOKEN));
    let e = other
        .upload_bytes("im", "f.png", &tiny_png(16))
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("web page") && e.to_string().contains("Cloudflare"),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn lsky_pro_v2_and_legacy() {
    let host = StandIn::start(TOKEN);
    let site = format!("{}/lsky", host.base_url());
    let env = env();
    env.add(
        "lsky",
        "lsky",
        json!({"url": site, "token": TOKEN, "strategy_id": "1", "album_id": "2", "permission": "private"}),
    )
    .unwrap();
    let said = env.engine.test_host("lsky").await.unwrap();
    assert!(said.contains("signed in as standin"), "{said}");
    let png = tiny_png(21);
    let done = env.upload_bytes("lsky", "dog.png", &png).await.unwrap();
    assert_eq!(fetch(&done.record.url).await, (200, png));
    let sent = host.hosted_requests().pop().unwrap();
    assert_eq!(sent.headers["authorization"], format!("Bearer {TOKEN}"));
    assert_eq!(sent.headers["accept"], "application/json");
    assert_eq!(sent.file_field.as_deref(), Some("file"));
    let field = |k: &str| sent.fields.get(k).cloned().unwrap_or_default();
    assert_eq!(
        (field("strategy_id"), field("album_id"), field("permission")),
        ("1".into(), "2".into(), "0".into())
    );
    env.delete_remote(done.record.id).await.unwrap();
    assert!(!host.objects().keys().any(|k| k.starts_with("lsky/")));

    // "Bearer" typed by the user is not doubled; a wrong token is named; an unknown strategy is
    // the site's own words.
    env.set("lsky", "token", json!(format!("Bearer {TOKEN}")));
    env.upload_bytes("lsky", "a.png", &tiny_png(22))
        .await
        .unwrap();
    assert_eq!(
        host.hosted_requests().pop().unwrap().headers["authorization"],
        format!("Bearer {TOKEN}")
    );
    env.set("lsky", "token", json!("wrong"));
    let e = env
        .upload_bytes("lsky", "b.png", &tiny_png(23))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
    assert!(e.to_string().contains("Unauthenticated"), "{e}");
    env.set("lsky", "token", json!(TOKEN));
    env.set("lsky", "strategy_id", json!("7"));
    let e = env
        .upload_bytes("lsky", "c.png", &tiny_png(24))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("储存策略不存在"), "{e}");
    let e = env
        .add(
            "bad",
            "lsky",
            json!({"url": site, "token": TOKEN, "strategy_id": "first"}),
        )
        .unwrap_err();
    assert!(
        e.to_string().contains("strategy_id must be a number"),
        "{e}"
    );

    // Lsky Pro 1.x: /api/upload with a token header; its API cannot delete.
    env.add(
        "old",
        "lsky",
        json!({"url": site, "token": TOKEN, "version": "v1"}),
    )
    .unwrap();
    let done = env
        .upload_bytes("old", "d.png", &tiny_png(25))
        .await
        .unwrap();
    let sent = host.hosted_requests().pop().unwrap();
    assert!(sent.target.ends_with("/api/upload"), "{}", sent.target);
    assert_eq!(sent.headers["token"], TOKEN);
    assert_eq!(sent.file_field.as_deref(), Some("image"));
    assert_eq!(fetch(&done.record.url).await.0, 200);
    let e = env.delete_remote(done.record.id).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    env.set("old", "token", json!("wrong"));
    let e = env
        .upload_bytes("old", "e.png", &tiny_png(26))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
}

#[tokio::test(flavor = "multi_thread")]
async fn chevereto_api() {
    let host = StandIn::start(TOKEN);
    let site = format!("{}/chevereto", host.base_url());
    let env = env();
    env.add(
        "chv",
        "chevereto",
        json!({"url": site, "api_key": TOKEN, "album_id": "X3Bd", "expiration": "P1D"}),
    )
    .unwrap();
    env.engine.test_host("chv").await.unwrap();
    let png = tiny_png(31);
    let done = env.upload_bytes("chv", "my cat.png", &png).await.unwrap();
    assert_eq!(fetch(&done.record.url).await, (200, png));
    let sent = host.hosted_requests().pop().unwrap();
    assert_eq!(sent.headers["x-api-key"], TOKEN);
    assert_eq!(sent.file_field.as_deref(), Some("source"));
    assert_eq!(sent.fields["album_id"], "X3Bd");
    assert_eq!(sent.fields["expiration"], "P1D");
    assert_eq!(sent.fields["format"], "json");
    // The delete page is kept; the API itself cannot delete, and says so.
    assert!(done
        .record
        .delete_handle
        .as_deref()
        .unwrap()
        .contains("/delete/"));
    let e = env.delete_remote(done.record.id).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");

    env.set("chv", "api_key", json!("wrong"));
    let e = env.engine.test_host("chv").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
    let e = env
        .upload_bytes("chv", "b.png", &tiny_png(32))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("Invalid API v1 key"), "{e}");
    let e = env
        .add(
            "bad",
            "chevereto",
            json!({"url": site, "api_key": TOKEN, "expiration": "tomorrow"}),
        )
        .unwrap_err();
    assert!(e.to_string().contains("ISO 8601"), "{e}");
}

#[tokio::test(flavor = "multi_thread")]
async fn upyun_rest_api() {
    let host = StandIn::start(TOKEN);
    let settings = |password: &str| -> Value {
        json!({"bucket": "pixbucket", "operator": "op", "password": password,
               "url": format!("{}/o/upyun", host.base_url()), "path": "img/{Y}",
               "options": "!thumb", "api_url": format!("{}/upyun", host.base_url())})
    };
    let env = env();
    env.add("up", "upyun", settings(TOKEN)).unwrap();
    let said = env.engine.test_host("up").await.unwrap();
    assert!(said.contains("may use \"pixbucket\""), "{said}");
    let png = tiny_png(41);
    let done = env.upload_bytes("up", "a b.png", &png).await.unwrap();
    let plain = format!("{}/o/upyun/img/{}/a%20b.png", host.base_url(), year());
    assert_eq!(done.record.url, format!("{plain}!thumb"));
    assert_eq!(fetch(&plain).await, (200, png.clone()));
    assert_eq!((done.record.width, done.record.height), (Some(4), Some(3)));
    let sent = host.hosted_requests().pop().unwrap();
    assert!(sent.headers["authorization"].starts_with("UPYUN op:"));
    assert_eq!(sent.headers["content-type"], "image/png");

    // Another file of that name is not replaced: it gets the next name.
    let second = env
        .upload_bytes("up", "a b.png", &tiny_png(42))
        .await
        .unwrap();
    assert!(
        second.record.url.contains("/a%20b-2.png"),
        "{}",
        second.record.url
    );
    assert_eq!(fetch(&plain).await.1, png);

    env.delete_remote(done.record.id).await.unwrap();
    assert_eq!(fetch(&plain).await.0, 404);

    let other = support::engine::env();
    other.add("up", "upyun", settings("wrong")).unwrap();
    let e = other
        .upload_bytes("up", "c.png", &tiny_png(43))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
    assert!(e.to_string().contains("refused operator \"op\""), "{e}");
}
