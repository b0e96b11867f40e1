//! The `custom` host kind against stand-in web APIs on 127.0.0.1 (nested JSON, relative paths,
//! plain-text answers, raw bodies, header checks, errors).

use std::collections::BTreeMap;
use std::time::Duration;

use pixdrop_core::config::HostConfig;
use pixdrop_core::hosts;
use pixdrop_core::{Engine, EngineOptions, Error, Input, ListQuery, Paths, UploadOptions};
use pixdrop_standin::{tiny_png, Behavior, StandIn};
use serde_json::{json, Value};

const KEY: &str = "custom-api-key-0042";

struct Env {
    dir: tempfile::TempDir,
    engine: Engine,
    host: StandIn,
}

fn env() -> Env {
    let host = StandIn::start(KEY);
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(Paths::in_dir(dir.path().join("data")))
        .unwrap()
        .with_options(EngineOptions {
            backoff: Duration::from_millis(20),
            ..Default::default()
        });
    Env { dir, engine, host }
}

impl Env {
    /// Add a custom config `name` with these settings (values as JSON).
    fn add(&self, name: &str, settings: Value) -> Result<(), Error> {
        let Value::Object(m) = settings else { panic!() };
        let settings: BTreeMap<String, Value> = m.into_iter().collect();
        self.engine.config().update(|c| {
            c.add_host(
                HostConfig {
                    name: name.into(),
                    kind: "custom".into(),
                    settings,
                },
                false,
            )
        })
    }

    async fn upload(
        &self,
        config: &str,
        name: &str,
        seed: u64,
    ) -> Result<pixdrop_core::Done, Error> {
        let p = self.dir.path().join(name);
        std::fs::write(&p, tiny_png(seed)).unwrap();
        let opts = UploadOptions {
            host: Some(config.into()),
            ..Default::default()
        };
        self.engine
            .upload_all(vec![Input::Path(p)], opts)
            .await
            .pop()
            .unwrap()
            .result
    }

    fn records(&self) -> usize {
        self.engine.album().count(&ListQuery::default()).unwrap() as usize
    }
}

#[tokio::test]
async fn nested_json_with_headers_fields_and_put() {
    let env = env();
    let base = env.host.base_url();
    env.add(
        "nested",
        json!({
            "url": format!("{base}/custom/nested?album=blog"),
            "method": "PUT",
            "field": "image",
            "headers": {"X-Api-Key": KEY, "X-Client": "pixdrop"},
            "body": {"format": "json", "title": "{filename}"},
            "json_path": "data.links[0].url",
            "delete_json_path": "$.data.delete_url",
        }),
    )
    .unwrap();
    let done = env.upload("nested", "cat.png", 1).await.unwrap();
    assert_eq!(done.record.url, env.host.url_of("cat.png"));
    assert_eq!(done.record.host_kind, "custom");
    assert!(done
        .record
        .delete_handle
        .as_deref()
        .unwrap()
        .contains("/custom/delete/"));

    let req = env.host.custom_requests().pop().unwrap();
    assert_eq!(req.method, "PUT");
    assert_eq!(req.query.get("album").map(String::as_str), Some("blog"));
    assert_eq!(req.file_field.as_deref(), Some("image"));
    assert_eq!(req.file_name.as_deref(), Some("cat.png"));
    assert_eq!(req.fields.get("format").map(String::as_str), Some("json"));
    assert_eq!(req.fields.get("title").map(String::as_str), Some("cat.png"));
    assert_eq!(
        req.headers.get("x-client").map(String::as_str),
        Some("pixdrop")
    );

    // The same path spelled with a dot index finds the same link.
    env.engine
        .config()
        .update(|c| {
            c.set_host_values(
                "nested",
                vec![("json_path".into(), Some(json!("data.links.0.url")))],
            )
        })
        .unwrap();
    let second = env.upload("nested", "dog.png", 2).await.unwrap();
    assert_eq!(second.record.url, env.host.url_of("dog.png"));

    // Deleting on the host calls the delete URL and then drops the record.
    let results = env.engine.delete(&[done.record.id], true).await;
    assert!(results[0].1.is_ok(), "{:?}", results[0].1);
    assert!(env
        .host
        .stored()
        .iter()
        .any(|s| s.file_name == "cat.png" && s.deleted));
    assert_eq!(env.records(), 1);
}

#[tokio::test]
async fn relative_paths_get_the_prefix_and_text_answers_are_the_link() {
    let env = env();
    let base = env.host.base_url();
    env.add(
        "relative",
        json!({"url": format!("{base}/custom/relative"), "headers": {"X-Api-Key": KEY},
               "json_path": "path", "prefix": base, "delete_json_path": "delete"}),
    )
    .unwrap();
    let done = env.upload("relative", "rel.png", 3).await.unwrap();
    assert_eq!(done.record.url, env.host.url_of("rel.png"));
    // The answer's delete path is relative too ("/custom/delete/…"): it gets the prefix, and
    // deleting on the host works.
    let handle = done.record.delete_handle.clone().unwrap_or_default();
    assert!(
        handle.starts_with(&format!("{base}/custom/delete/")),
        "{handle:?}"
    );
    let deleted = env.engine.delete(&[done.record.id], true).await;
    assert!(deleted[0].1.is_ok(), "{:?}", deleted[0].1);
    assert!(env
        .host
        .stored()
        .iter()
        .any(|s| s.file_name == "rel.png" && s.deleted));
    // Without a prefix a relative delete path is resolved against the upload URL.
    env.add(
        "relative-delete",
        json!({"url": format!("{base}/custom/relative"), "headers": {"X-Api-Key": KEY},
               "link_template": format!("{base}{{json:path}}"), "delete_json_path": "delete"}),
    )
    .unwrap();
    let done = env.upload("relative-delete", "rel3.png", 33).await.unwrap();
    let handle = done.record.delete_handle.clone().unwrap_or_default();
    assert!(
        handle.starts_with(&format!("{base}/custom/delete/")),
        "{handle:?}"
    );
    assert_eq!(
        env.host.custom_requests()[0].file_field.as_deref(),
        Some("file")
    );

    // Without the prefix the path is not a link: the upload fails and says why.
    env.add(
        "no-prefix",
        json!({"url": format!("{base}/custom/relative"), "headers": {"X-Api-Key": KEY}, "json_path": "path"}),
    )
    .unwrap();
    let e = env.upload("no-prefix", "rel2.png", 4).await.unwrap_err();
    let records_before_text = env.records();
    assert!(
        e.to_string()
            .contains("not an http(s) URL (a prefix may be missing)"),
        "{e}"
    );

    env.add(
        "text",
        json!({"url": format!("{base}/custom/text"), "headers": {"X-Api-Key": KEY}}),
    )
    .unwrap();
    let done = env.upload("text", "plain.png", 5).await.unwrap();
    assert_eq!(done.record.url, env.host.url_of("plain.png"));
    assert_eq!(env.records(), records_before_text + 1);
}

#[tokio::test]
async fn binary_bodies_with_the_name_in_the_url() {
    let env = env();
    let base = env.host.base_url();
    env.add(
        "raw",
        json!({"url": format!("{base}/custom/nested?name={{filename}}"), "method": "PUT", "body_type": "binary",
               "headers": {"X-Api-Key": KEY}, "link_template": "{json:data.links[0].url}"}),
    )
    .unwrap();
    let done = env.upload("raw", "raw shot.png", 6).await.unwrap();
    assert_eq!(done.record.url, env.host.url_of("raw shot.png"));
    let req = env.host.custom_requests().pop().unwrap();
    assert_eq!(req.content_type, "image/png");
    assert_eq!(req.size, tiny_png(6).len());
    assert_eq!(req.file_field, None);
}

#[tokio::test]
async fn names_with_line_breaks_spaces_and_plus_are_sent_safely() {
    let env = env();
    let base = env.host.base_url();
    // The name as the last path segment of a binary upload, and in a multipart body.
    env.add(
        "in-path",
        json!({"url": format!("{base}/custom/text/{{filename}}"), "method": "PUT", "body_type": "binary",
               "headers": {"X-Api-Key": KEY}}),
    )
    .unwrap();
    let done = env.upload("in-path", "图片 ü+#.png", 40).await.unwrap();
    let req = env.host.custom_requests().pop().unwrap();
    assert_eq!(
        req.target, "/custom/text/%E5%9B%BE%E7%89%87%20%C3%BC%2B%23.png",
        "a space is %20 and a plus %2B in a path"
    );
    assert_eq!(req.file_name.as_deref(), Some("图片 ü+#.png"));
    assert_eq!(done.record.file_name, "图片 ü+#.png");

    env.add(
        "form",
        json!({"url": format!("{base}/custom/nested"), "headers": {"X-Api-Key": KEY, "X-Name": "{filename}"},
               "body": {"title": "{filename}"}, "json_path": "data.links[0].url"}),
    )
    .unwrap();
    let done = env
        .upload("form", "new\r\nX-Evil: 1\nline.png", 41)
        .await
        .unwrap();
    let req = env.host.custom_requests().pop().unwrap();
    let sent = "new__X-Evil: 1_line.png";
    assert_eq!(
        req.file_name.as_deref(),
        Some(sent),
        "no line break reaches the request"
    );
    assert_eq!(req.fields.get("title").map(String::as_str), Some(sent));
    assert_eq!(req.headers.get("x-name").map(String::as_str), Some(sent));
    assert!(!req.headers.contains_key("x-evil"));
    assert_eq!(req.size, tiny_png(41).len(), "the body is the file, whole");
    // The album keeps the real name.
    assert_eq!(done.record.file_name, "new\r\nX-Evil: 1\nline.png");
}

#[tokio::test]
async fn failures_name_the_problem_and_record_nothing() {
    let env = env();
    let base = env.host.base_url();
    env.add(
        "wrong-key",
        json!({"url": format!("{base}/custom/nested"), "headers": {"X-Api-Key": "nope"}, "json_path": "data.links[0].url"}),
    )
    .unwrap();
    let e = env.upload("wrong-key", "a.png", 7).await.unwrap_err();
    assert_eq!(e.kind(), "auth", "{e}");
    assert!(
        e.to_string().contains("HTTP 401") && e.to_string().contains("invalid API key"),
        "{e}"
    );

    // With error_template the host's own message is what the user reads.
    env.add(
        "wrong-key-msg",
        json!({"url": format!("{base}/custom/nested"), "headers": {"X-Api-Key": "nope"},
               "json_path": "data.links[0].url", "error_template": "{json:message}"}),
    )
    .unwrap();
    let e = env.upload("wrong-key-msg", "a.png", 7).await.unwrap_err();
    assert_eq!(e.to_string(), "the host refused the token: invalid API key");

    env.add(
        "bad-path",
        json!({"url": format!("{base}/custom/nested"), "headers": {"X-Api-Key": KEY}, "json_path": "data.link"}),
    )
    .unwrap();
    let e = env.upload("bad-path", "b.png", 8).await.unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("nothing at the JSON path data.link") && msg.contains("{\"data\":"),
        "{msg}"
    );

    // A firewall page is described, not dumped; a 500 is retried and then succeeds.
    env.add(
        "good",
        json!({"url": format!("{base}/custom/nested"), "headers": {"X-Api-Key": KEY}, "json_path": "data.links[0].url"}),
    )
    .unwrap();
    env.host.script([Behavior::Html403]);
    let e = env.upload("good", "c.png", 9).await.unwrap_err();
    assert!(
        e.to_string()
            .contains("with a web page, not JSON (“Attention Required! | Cloudflare”)"),
        "{e}"
    );
    env.host.script([Behavior::Status500]);
    let done = env.upload("good", "d.png", 10).await.unwrap();
    assert_eq!(done.record.url, env.host.url_of("d.png"));
    assert_eq!(env.records(), 1);

    // Files over max_size_mb are refused before anything is sent.
    env.add(
        "small",
        json!({"url": format!("{base}/custom/nested"), "headers": {"X-Api-Key": KEY}, "max_size_mb": 0.00001}),
    )
    .unwrap();
    let before = env.host.custom_requests().len();
    let e = env.upload("small", "e.png", 11).await.unwrap_err();
    assert_eq!(e.kind(), "too_large", "{e}");
    assert_eq!(env.host.custom_requests().len(), before);
}

#[test]
fn broken_settings_are_refused_before_anything_is_written() {
    let env = env();
    let before = std::fs::read(env.engine.paths().config_file()).ok();
    let e = hosts::parse_value("custom", "headers", "{\"X-Api-Key\": ").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("headers is not valid JSON: EOF while parsing"),
        "{e}"
    );
    let e = hosts::parse_value("custom", "body", "[1, 2]").unwrap_err();
    assert!(e.to_string().contains("body must be a JSON object"), "{e}");
    for (settings, needle) in [
        (json!({"json_path": "data.url"}), "needs url"),
        (
            json!({"url": "ftp://x"}),
            "must be an http:// or https:// URL",
        ),
        (
            json!({"url": "https://x", "headers": "{\"a\": }"}),
            "Headers (headers) is not valid JSON",
        ),
        (
            json!({"url": "https://x", "headers": {"bad name": "v"}}),
            "is not a header name",
        ),
        (
            json!({"url": "https://x", "headers": {"a": {"b": 1}}}),
            "must be text",
        ),
        (
            json!({"url": "https://x", "json_path": "data..url"}),
            "empty name",
        ),
        (
            json!({"url": "https://x", "link_template": "{xml:/a}"}),
            "{xml} is not supported",
        ),
        (
            json!({"url": "https://x", "link_template": "{json:a}", "prefix": "https://p"}),
            "not both",
        ),
        (
            json!({"url": "https://x", "body_type": "binary", "body": {"a": "b"}}),
            "cannot be sent",
        ),
        (
            json!({"url": "https://x", "method": "GET"}),
            "Method (method) must be one of POST, PUT, PATCH",
        ),
        (
            json!({"url": "https://x", "max_size_mb": -3}),
            "Largest file (MB) (max_size_mb) must be a number above 0",
        ),
        (
            json!({"url": "not a url !!"}),
            "Upload URL (url) \"not a url !!\" is not a URL",
        ),
    ] {
        let e = env.add("broken", settings.clone()).unwrap_err();
        assert!(e.to_string().contains(needle), "{settings}: {e}");
    }
    assert_eq!(std::fs::read(env.engine.paths().config_file()).ok(), before);
}

#[test]
fn header_secrets_are_masked_when_shown() {
    let cfg = HostConfig {
        name: "c".into(),
        kind: "custom".into(),
        settings: [
            ("url".to_string(), json!("https://x/up")),
            (
                "headers".to_string(),
                json!({"Authorization": "Bearer abcdefghijklmnop", "Accept": "application/json"}),
            ),
            (
                "body".to_string(),
                json!({"api_key": "k", "format": "json"}),
            ),
        ]
        .into(),
    };
    let shown = hosts::display_settings(&cfg, false);
    assert_eq!(shown["headers"]["Authorization"], "••••••••mnop");
    assert_eq!(shown["headers"]["Accept"], "application/json");
    assert_eq!(shown["body"]["api_key"], "••••••••");
    assert_eq!(shown["body"]["format"], "json");
    assert_eq!(
        hosts::display_settings(&cfg, true)["headers"]["Authorization"],
        "Bearer abcdefghijklmnop"
    );
}
