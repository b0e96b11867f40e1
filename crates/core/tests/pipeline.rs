//! The engine against a stand-in SM.MS / S.EE host on 127.0.0.1.

use std::time::Duration;

use pixdrop_core::config::HostConfig;
use pixdrop_core::{
    Engine, EngineOptions, Error, Input, LinkFormat, ListQuery, Paths, UploadOptions,
};
use pixdrop_standin::{noise_png, tiny_png, Behavior, StandIn};
use serde_json::Value;

const TOKEN: &str = "s3cret-token-1234";

struct Env {
    dir: tempfile::TempDir,
    engine: Engine,
    host: StandIn,
}

fn env(api: &str) -> Env {
    let host = StandIn::start(TOKEN);
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(Paths::in_dir(dir.path().join("data")))
        .unwrap()
        .with_options(EngineOptions {
            backoff: Duration::from_millis(20),
            ..Default::default()
        });
    engine
        .config()
        .update(|c| {
            c.add_host(
                HostConfig {
                    name: "main".into(),
                    kind: "smms".into(),
                    settings: [
                        ("token".to_string(), Value::from(TOKEN)),
                        ("server".to_string(), Value::from(host.base_url())),
                        ("api".to_string(), Value::from(api)),
                    ]
                    .into(),
                },
                true,
            )
        })
        .unwrap();
    Env { dir, engine, host }
}

impl Env {
    fn file(&self, name: &str, bytes: &[u8]) -> Input {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        Input::Path(p)
    }
    fn set(&self, key: &str, value: &str) {
        self.engine
            .config()
            .update(|c| c.settings.set(key, value))
            .unwrap();
    }
    fn records(&self) -> usize {
        self.engine.album().count(&ListQuery::default()).unwrap() as usize
    }
}

async fn one(env: &Env, input: Input) -> Result<pixdrop_core::Done, Error> {
    env.engine
        .upload_all(vec![input], UploadOptions::default())
        .await
        .pop()
        .unwrap()
        .result
}

#[tokio::test]
async fn uploads_to_see_and_records_before_returning() {
    let env = env("see");
    let input = env.file("cat.png", &tiny_png(1));
    let done = one(&env, input).await.unwrap();
    assert!(!done.duplicate);
    let stored = env.host.stored();
    assert_eq!(stored.len(), 1);
    assert_eq!(done.record.url, stored[0].url);
    assert_eq!(done.link, format!("![cat]({})", stored[0].url));
    assert_eq!(
        done.record.delete_handle.as_deref(),
        Some(stored[0].hash.as_str())
    );
    assert_eq!((done.record.width, done.record.height), (Some(4), Some(3)));
    assert_eq!(done.record.file_name, "cat.png");
    assert_eq!(
        done.record.sha256.as_deref(),
        Some(stored[0].sha256.as_str())
    );
    let again = env.engine.album().get(done.record.id).unwrap().unwrap();
    assert_eq!(again, done.record);
    assert_eq!(env.host.auth_seen(), vec![TOKEN.to_string()]);
}

#[tokio::test]
async fn uploads_with_the_v2_api_in_every_format() {
    let env = env("v2");
    env.set("link_format", "html");
    let done = one(&env, env.file("a.png", &tiny_png(2))).await.unwrap();
    assert_eq!(
        done.link,
        format!("<img src=\"{}\" alt=\"a\"/>", done.record.url)
    );
    let opts = UploadOptions {
        format: Some(LinkFormat::Ubb),
        ..Default::default()
    };
    let out = env
        .engine
        .upload_all(vec![env.file("b.png", &tiny_png(3))], opts)
        .await;
    let url = &env.host.stored()[1].url;
    assert_eq!(
        out[0].result.as_ref().unwrap().link,
        format!("[img]{url}[/img]")
    );
    env.set("custom_link", "<$fileName|$extName|$url>");
    let opts = UploadOptions {
        format: Some(LinkFormat::Custom),
        ..Default::default()
    };
    let out = env
        .engine
        .upload_all(vec![env.file("c.png", &tiny_png(4))], opts)
        .await;
    let url = &env.host.stored()[2].url;
    assert_eq!(
        out[0].result.as_ref().unwrap().link,
        format!("<c|.png|{url}>")
    );
}

#[tokio::test]
async fn same_bytes_reuse_the_album_record_without_a_request() {
    let env = env("see");
    let first = one(&env, env.file("a.png", &tiny_png(5))).await.unwrap();
    let second = one(&env, env.file("copy-of-a.png", &tiny_png(5)))
        .await
        .unwrap();
    assert!(second.duplicate);
    assert_eq!(second.record.id, first.record.id);
    assert_eq!(env.host.upload_requests(), 1);
    assert_eq!(env.records(), 1);
    // --force sends it anyway; the host answers image_repeated, which is a success.
    let opts = UploadOptions {
        force: true,
        ..Default::default()
    };
    let forced = env
        .engine
        .upload_all(vec![env.file("a.png", &tiny_png(5))], opts)
        .await;
    let forced = forced[0].result.as_ref().unwrap();
    assert!(!forced.duplicate);
    assert_eq!(forced.record.url, first.record.url);
    assert_eq!(env.host.upload_requests(), 2);
    assert_eq!(env.records(), 2);
}

#[tokio::test]
async fn image_repeated_is_a_success_whose_link_is_images() {
    let env = env("v2");
    let pre = env.host.preload("old.png", &tiny_png(6), 1_700_000_000);
    let done = one(&env, env.file("new.png", &tiny_png(6))).await.unwrap();
    assert_eq!(done.record.url, pre.url);
    assert_eq!(done.record.delete_handle, None);
    assert_eq!(env.records(), 1);
}

#[tokio::test]
async fn identical_files_in_one_batch_upload_once() {
    let env = env("see");
    let inputs = vec![
        env.file("x.png", &tiny_png(7)),
        env.file("y.png", &tiny_png(7)),
        env.file("z.png", &tiny_png(8)),
    ];
    let out = env
        .engine
        .upload_all(inputs, UploadOptions::default())
        .await;
    assert!(out.iter().all(|o| o.result.is_ok()));
    assert_eq!(env.host.upload_requests(), 2);
    assert_eq!(
        out.iter()
            .filter(|o| o.result.as_ref().unwrap().duplicate)
            .count(),
        1
    );
}

#[tokio::test]
async fn wrong_token_is_named_and_not_retried() {
    for api in ["v2", "see"] {
        let env = env(api);
        env.engine
            .config()
            .update(|c| {
                c.set_host_values("main", vec![("token".into(), Some(Value::from("wrong")))])
            })
            .unwrap();
        let err = one(&env, env.file("a.png", &tiny_png(9)))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), "auth", "{api}: {err}");
        assert_eq!(err.to_string(), "the host refused the token: Unauthorized.");
        assert_eq!(env.host.upload_requests(), 1);
        assert_eq!(env.records(), 0);
    }
}

#[tokio::test]
async fn flood_detected_is_a_rate_limit_and_not_retried() {
    let env = env("v2");
    env.host.script([Behavior::Flood]);
    let err = one(&env, env.file("a.png", &tiny_png(10)))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "rate_limited");
    assert!(err.to_string().contains("Flood detected"), "{err}");
    assert_eq!(env.host.upload_requests(), 1);
}

#[tokio::test]
async fn cloudflare_403_page_is_described_and_not_retried() {
    let env = env("see");
    env.host.script([Behavior::Html403]);
    let err = one(&env, env.file("a.png", &tiny_png(11)))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("the host answered HTTP 403 with a web page, not JSON"),
        "{err}"
    );
    assert_eq!(env.host.upload_requests(), 1);
    assert_eq!(env.records(), 0);
}

#[tokio::test]
async fn server_errors_are_retried_until_success() {
    let env = env("see");
    env.host.script([Behavior::Status500, Behavior::Html503]);
    let done = one(&env, env.file("a.png", &tiny_png(12))).await.unwrap();
    assert_eq!(env.host.upload_requests(), 3);
    assert_eq!(env.host.stored().len(), 1);
    assert_eq!(done.record.url, env.host.stored()[0].url);
}

#[tokio::test]
async fn each_retry_is_announced_with_its_number_and_wait() {
    let env = env("see");
    env.host.script([Behavior::Status500, Behavior::Html503]);
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    let opts = UploadOptions {
        retrying: Some(std::sync::Arc::new(move |index, r| {
            record.lock().unwrap().push((index, r))
        })),
        ..Default::default()
    };
    let input = env.file("a.png", &tiny_png(15));
    let out = env.engine.upload_all(vec![input], opts).await;
    assert!(out[0].result.is_ok());
    let seen = seen.lock().unwrap();
    let attempts: Vec<(usize, u32, u32)> =
        seen.iter().map(|(i, r)| (*i, r.attempt, r.of)).collect();
    assert_eq!(attempts, [(0, 2, 3), (0, 3, 3)]);
    assert!(seen[0].1.why.contains("500"), "{}", seen[0].1.why);
    assert!(seen[1].1.wait_ms >= seen[0].1.wait_ms, "the backoff grows");
}

#[tokio::test]
async fn retries_are_bounded() {
    let env = env("see");
    env.set("retries", "2");
    env.host.script([
        Behavior::Status500,
        Behavior::Status500,
        Behavior::Status500,
    ]);
    let err = one(&env, env.file("a.png", &tiny_png(13)))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "http");
    assert!(err.to_string().contains("500"), "{err}");
    assert_eq!(env.host.upload_requests(), 2);
}

#[tokio::test]
async fn too_many_requests_honours_retry_after() {
    let env = env("v2");
    env.host.script([Behavior::TooMany {
        retry_after_secs: 1,
    }]);
    let start = std::time::Instant::now();
    one(&env, env.file("a.png", &tiny_png(14))).await.unwrap();
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        start.elapsed()
    );
    assert_eq!(env.host.upload_requests(), 2);
}

#[tokio::test]
async fn slow_answers_time_out_with_the_limit_named() {
    let env = env("see");
    env.set("timeout_secs", "1");
    env.set("retries", "1");
    env.host.script([Behavior::Slow(Duration::from_secs(3))]);
    let err = one(&env, env.file("a.png", &tiny_png(15)))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "timeout");
    assert_eq!(err.to_string(), "the host did not answer within 1 s");
    // A slow answer is retried like a dropped one.
    env.set("retries", "2");
    env.host.script([Behavior::Slow(Duration::from_secs(3))]);
    one(&env, env.file("b.png", &tiny_png(16))).await.unwrap();
}

#[tokio::test]
async fn plain_text_answer_is_reported() {
    let env = env("v2");
    env.host
        .script([Behavior::PlainText("Flood detected".into())]);
    let err = one(&env, env.file("a.png", &tiny_png(17)))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("not JSON") && err.to_string().contains("Flood detected"),
        "{err}"
    );
}

#[tokio::test]
async fn bad_inputs_are_refused_before_any_request() {
    let env = env("see");
    // Files over the host's limit are refused when they are not to be made to fit.
    env.engine
        .config()
        .update(|c| c.settings.set("fit_host_limit", "false"))
        .unwrap();
    let dir = env.dir.path();
    std::fs::create_dir(dir.join("folder.png")).unwrap();
    let cases: Vec<(Input, &str)> = vec![
        (
            Input::Path(dir.join("missing.png")),
            "missing.png: no such file",
        ),
        (env.file("empty.png", b""), "empty.png: the file is empty"),
        (
            env.file("notes.png", b"just some text, not pixels"),
            "notes.png: not an image",
        ),
        (
            Input::Path(dir.join("folder.png")),
            "folder.png: is a folder",
        ),
        (
            env.file("huge.png", &noise_png(1, 6 * 1024 * 1024)),
            "larger than the host's limit of 5.0 MB",
        ),
    ];
    for (input, expected) in cases {
        let err = one(&env, input).await.unwrap_err();
        assert!(
            err.to_string().contains(expected),
            "{err} should say {expected}"
        );
    }
    assert_eq!(env.host.upload_requests(), 0);
    assert_eq!(env.records(), 0);
}

#[tokio::test]
async fn a_file_over_the_hosts_limit_is_made_to_fit_and_says_so() {
    let env = env("see");
    // 7 MB of noise: S.EE takes 5 MB. It is downscaled (a PNG stays a PNG) until it fits.
    let big = noise_png(7, 7 * 1024 * 1024);
    let done = one(&env, env.file("screen.png", &big)).await.unwrap();
    let p = done.processed.clone().unwrap();
    assert_eq!(p.fitted, Some(5 * 1024 * 1024));
    assert!(
        p.size_after <= 5 * 1024 * 1024 && p.size_before == big.len() as u64,
        "{p:?}"
    );
    assert!(
        p.describe().contains("to fit the host's 5.0 MB: 7.0 MB → "),
        "{}",
        p.describe()
    );
    let stored = env.host.stored().pop().unwrap();
    assert_eq!(stored.size as u64, p.size_after);
    assert_eq!(&stored.bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert!(done.record.url.ends_with(".png"));

    // Converted to JPEG on request: the name and the link follow, the type is JPEG.
    env.engine
        .config()
        .update(|c| c.settings.set("convert_to", "JPEG"))
        .unwrap();
    let done = one(&env, env.file("small.png", &noise_png(8, 40_000)))
        .await
        .unwrap();
    assert_eq!(done.record.file_name, "small.jpg");
    assert!(done.link.contains("small"), "{}", done.link);
    let stored = env.host.stored().pop().unwrap();
    assert_eq!(&stored.bytes[..3], &[0xFF, 0xD8, 0xFF]);
    assert!(stored.file_name.ends_with(".jpg"), "{}", stored.file_name);
    // A quality out of range is refused by name.
    let e = env
        .engine
        .config()
        .update(|c| c.settings.set("quality", "0"))
        .unwrap_err();
    assert!(e.to_string().contains("quality must be 1–100"), "{e}");
}

#[tokio::test]
async fn batch_keeps_order_and_one_failure_does_not_stop_the_others() {
    let env = env("see");
    env.set("concurrency", "4");
    let mut inputs = Vec::new();
    for i in 0..12u64 {
        if i == 5 {
            inputs.push(env.file("bad.png", b"not an image"));
        } else {
            inputs.push(env.file(
                &format!("img{i:02}.png"),
                &noise_png(i, 20_000 + (11 - i as usize) * 5_000),
            ));
        }
    }
    let out = env
        .engine
        .upload_all(inputs, UploadOptions::default())
        .await;
    assert_eq!(out.len(), 12);
    for (i, o) in out.iter().enumerate() {
        assert_eq!(o.index, i);
        if i == 5 {
            assert!(o.result.is_err());
        } else {
            let d = o.result.as_ref().unwrap();
            assert_eq!(d.record.file_name, format!("img{i:02}.png"));
        }
    }
    assert_eq!(env.records(), 11);
}

#[tokio::test]
async fn progress_reports_bytes_sent() {
    let env = env("see");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let s = seen.clone();
    let opts = UploadOptions {
        progress: Some(std::sync::Arc::new(move |i, sent, total| {
            s.lock().unwrap().push((i, sent, total))
        })),
        ..Default::default()
    };
    let png = noise_png(3, 1_200_000);
    env.engine
        .upload_all(vec![env.file("p.png", &png)], opts)
        .await[0]
        .result
        .as_ref()
        .unwrap();
    let seen = seen.lock().unwrap();
    assert!(seen.len() >= 4, "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0].1 <= w[1].1));
    assert_eq!(
        *seen.last().unwrap(),
        (0, png.len() as u64, png.len() as u64)
    );
}

#[tokio::test]
async fn image_urls_are_downloaded_then_uploaded() {
    let env = env("see");
    let url = env
        .host
        .serve_file("remote shot", "image/png", tiny_png(18));
    let done = one(&env, Input::Url(url)).await.unwrap();
    assert_eq!(done.record.file_name, "remote shot.png");
    let page = env
        .host
        .serve_file("page.html", "text/html", b"<html></html>".to_vec());
    let err = one(&env, Input::Url(page.clone())).await.unwrap_err();
    assert!(err.to_string().contains("not an image"), "{err}");
    let missing = format!("{}/files/nope.png", env.host.base_url());
    let err = one(&env, Input::Url(missing)).await.unwrap_err();
    assert!(err.to_string().contains("HTTP 404"), "{err}");
    assert_eq!(env.host.upload_requests(), 1);
}

#[tokio::test]
async fn pasted_pixels_are_uploaded_as_png() {
    let env = env("see");
    let input = Input::from_rgba(2, 2, &[255; 16]).unwrap();
    let done = one(&env, input).await.unwrap();
    assert!(
        done.record.file_name.starts_with("clipboard-") && done.record.file_name.ends_with(".png")
    );
    assert_eq!((done.record.width, done.record.height), (Some(2), Some(2)));
}

#[tokio::test]
async fn rename_patterns_apply_to_the_uploaded_name_only() {
    let env = env("v2");
    env.set("rename", "pattern");
    env.set("rename_pattern", "shot-{md5-16}");
    let png = tiny_png(19);
    let done = one(&env, env.file("original.png", &png)).await.unwrap();
    let stored = &env.host.stored()[0];
    assert!(
        stored.file_name.starts_with("shot-") && stored.file_name.ends_with(".png"),
        "{}",
        stored.file_name
    );
    assert_eq!(done.record.file_name, "original.png");
}

#[tokio::test]
async fn delete_on_the_host_and_keep_records_the_host_refused() {
    let env = env("see");
    let a = one(&env, env.file("a.png", &tiny_png(20)))
        .await
        .unwrap()
        .record;
    let b = one(&env, env.file("b.png", &tiny_png(21)))
        .await
        .unwrap()
        .record;

    let res = env.engine.delete(&[a.id, 999], true).await;
    assert!(res[0].1.is_ok(), "{:?}", res[0].1);
    assert!(res[1]
        .1
        .as_ref()
        .unwrap_err()
        .to_string()
        .contains("no album record with id 999"));
    assert!(env.engine.album().get(a.id).unwrap().is_none());
    assert!(env
        .host
        .stored()
        .iter()
        .any(|s| Some(&s.hash) == a.delete_handle.as_ref() && s.deleted));

    // b disappears from the host behind our back: the host refuses, the record is kept.
    let hash = b.delete_handle.clone().unwrap();
    let http = pixdrop_core::hosts::Http::new(Duration::from_secs(5), None).unwrap();
    let url = format!("{}/api/v1/file/delete/{hash}", env.host.base_url());
    http.client
        .get(url)
        .header("Authorization", TOKEN)
        .send()
        .await
        .unwrap();
    let err = env
        .engine
        .delete(&[b.id], true)
        .await
        .remove(0)
        .1
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the host refused to delete the image: File already deleted.",
        "the message says what was attempted"
    );
    assert!(env.engine.album().get(b.id).unwrap().is_some());

    // Forgetting it locally always works.
    env.engine.delete(&[b.id], false).await.remove(0).1.unwrap();
    assert!(env.engine.album().get(b.id).unwrap().is_none());
}

#[tokio::test]
async fn records_without_a_hash_cannot_be_deleted_remotely() {
    let env = env("v2");
    env.host.preload("old.png", &tiny_png(24), 1);
    let r = one(&env, env.file("n.png", &tiny_png(24)))
        .await
        .unwrap()
        .record;
    let err = env
        .engine
        .delete(&[r.id], true)
        .await
        .remove(0)
        .1
        .unwrap_err();
    assert!(err.to_string().contains("no delete handle"), "{err}");
    assert!(env.engine.album().get(r.id).unwrap().is_some());
}

#[tokio::test]
async fn sync_imports_history_once() {
    for (api, n) in [("see", 65usize), ("v2", 3)] {
        let env = env(api);
        for i in 0..n {
            env.host.preload(
                &format!("h{i}.png"),
                &tiny_png(1000 + i as u64),
                1_700_000_000 + i as u64,
            );
        }
        let report = env.engine.sync("main").await.unwrap();
        assert_eq!(report.imported, n, "{api}");
        assert_eq!(env.records(), n);
        let newest = env
            .engine
            .album()
            .list(&ListQuery::default())
            .unwrap()
            .remove(0);
        assert_eq!(newest.file_name, format!("h{}.png", n - 1));
        assert_eq!(newest.created_at, (1_700_000_000 + n as i64 - 1) * 1000);
        let again = env.engine.sync("main").await.unwrap();
        assert_eq!((again.imported, again.already_there), (0, n));
    }
}

#[tokio::test]
async fn sync_skips_what_another_config_of_the_account_has() {
    let env = env("v2");
    for i in 0..3u64 {
        env.host
            .preload(&format!("s{i}.png"), &tiny_png(2000 + i), 1_700_000_000 + i);
    }
    // A second config of the same account (a copy of "main", as Duplicate makes).
    env.engine
        .config()
        .update(|c| {
            let mut copy = c.hosts.iter().find(|h| h.name == "main").unwrap().clone();
            copy.name = "main copy".into();
            c.add_host(copy, false)
        })
        .unwrap();
    assert_eq!(env.engine.sync("main").await.unwrap().imported, 3);
    let second = env.engine.sync("main copy").await.unwrap();
    assert_eq!((second.imported, second.already_there), (0, 3));
    assert_eq!(env.records(), 3);
}

#[tokio::test]
async fn test_checks_the_token() {
    for api in ["v2", "see"] {
        let env = env(api);
        let ok = env.engine.test_host("main").await.unwrap();
        assert!(ok.starts_with("token accepted"), "{ok}");
        env.engine
            .config()
            .update(|c| {
                c.set_host_values("main", vec![("token".into(), Some(Value::from("nope")))])
            })
            .unwrap();
        assert_eq!(
            env.engine.test_host("main").await.unwrap_err().kind(),
            "auth"
        );
    }
}

#[tokio::test]
async fn unreachable_host_is_a_network_error() {
    let env = env("see");
    let port = env.host.addr().port();
    drop(env.host);
    env.engine
        .config()
        .update(|c| c.settings.set("retries", "1"))
        .unwrap();
    let p = env.dir.path().join("a.png");
    std::fs::write(&p, tiny_png(25)).unwrap();
    let err = env
        .engine
        .upload_all(vec![Input::Path(p)], UploadOptions::default())
        .await
        .remove(0)
        .result
        .unwrap_err();
    assert_eq!(err.kind(), "network", "{err}");
    assert!(
        err.to_string()
            .starts_with(&format!("could not reach http://127.0.0.1:{port}: ")),
        "the address keeps its port: {err}"
    );
}

#[tokio::test]
async fn a_proxy_that_is_down_is_named() {
    let env = env("see");
    // A port nothing listens on.
    let down = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy = format!("http://127.0.0.1:{}", down.local_addr().unwrap().port());
    drop(down);
    env.engine
        .config()
        .update(|c| {
            c.settings.set("retries", "1")?;
            c.settings.set("proxy", &proxy)
        })
        .unwrap();
    let p = env.dir.path().join("a.png");
    std::fs::write(&p, tiny_png(27)).unwrap();
    let err = env
        .engine
        .upload_all(vec![Input::Path(p)], UploadOptions::default())
        .await
        .remove(0)
        .result
        .unwrap_err();
    assert_eq!(err.kind(), "network", "{err}");
    assert!(
        err.to_string()
            .starts_with(&format!("could not reach the proxy {proxy}: ")),
        "{err}"
    );
    assert_eq!(env.host.upload_requests(), 0);
}

#[tokio::test]
async fn no_host_configured_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(Paths::in_dir(dir.path())).unwrap();
    let p = dir.path().join("a.png");
    std::fs::write(&p, tiny_png(26)).unwrap();
    let err = engine
        .upload_all(vec![Input::Path(p)], UploadOptions::default())
        .await
        .remove(0)
        .result
        .unwrap_err();
    assert!(
        err.to_string().contains("no image host is configured"),
        "{err}"
    );
}

#[tokio::test]
async fn a_config_converts_its_own_uploads_to_webp_and_watermarks_them() {
    let env = env("see");
    // The global settings stay as they are; this config converts to WebP and marks its images.
    env.engine
        .config()
        .update(|c| {
            c.set_host_values(
                "main",
                vec![
                    ("convert_to".into(), Some(Value::from("webp"))),
                    ("quality".into(), Some(Value::from(80))),
                    ("watermark_text".into(), Some(Value::from("© me"))),
                ],
            )
        })
        .unwrap();
    // A 2 MB photo-like JPEG.
    let mut state = 1u32;
    let img = image::RgbImage::from_fn(1400, 1000, |x, y| {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let n = (state >> 24) as u8 / 4;
        image::Rgb([
            (x / 6) as u8 ^ n,
            (y / 4) as u8 ^ n,
            ((x + y) / 10) as u8 ^ n,
        ])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 98)
        .encode_image(&img)
        .unwrap();
    assert!(jpeg.len() > 1_500_000, "{}", jpeg.len());
    let done = one(&env, env.file("photo.jpg", &jpeg)).await.unwrap();
    let stored = env.host.stored().pop().unwrap();
    assert_eq!(stored.content_type, "image/webp");
    assert!(
        stored.file_name.ends_with("photo.webp"),
        "{}",
        stored.file_name
    );
    assert_eq!(&stored.bytes[8..12], b"WEBP");
    assert!(done.record.url.ends_with(".webp"), "{}", done.record.url);
    assert_eq!(done.record.file_name, "photo.webp");
    let p = done.processed.unwrap();
    assert!(
        p.watermarked && p.describe().contains("converted JPEG → WebP"),
        "{}",
        p.describe()
    );
    assert!(p.size_after < p.size_before / 2, "{p:?}");

    // A config asking for a quality out of range is refused by name, and nothing changes.
    let e = env
        .engine
        .config()
        .update(|c| c.set_host_values("main", vec![("quality".into(), Some(Value::from(400)))]))
        .unwrap_err();
    assert!(e.to_string().contains("quality must be 1–100"), "{e}");
    // Another config without its own choice keeps the global one (no conversion).
    env.engine
        .config()
        .update(|c| {
            c.set_host_values(
                "main",
                vec![("convert_to".into(), None), ("watermark_text".into(), None)],
            )
        })
        .unwrap();
    one(&env, env.file("again.png", &noise_png(3, 30_000)))
        .await
        .unwrap();
    let stored = env.host.stored().pop().unwrap();
    assert_eq!(stored.content_type, "image/png");
}

#[tokio::test]
async fn thumbnails_are_made_at_upload_and_fetched_for_imported_records() {
    let env = env("see");
    // An upload leaves its thumbnail in the cache folder (not the config folder).
    let done = one(&env, env.file("shot.png", &noise_png(5, 300_000)))
        .await
        .unwrap();
    let thumbs = env.engine.thumbs();
    let key = pixdrop_core::thumbs::Thumbs::key(&done.record);
    // Made after the link was given, on a blocking thread.
    thumbs.settled().await;
    assert!(thumbs.has(&key));
    assert!(thumbs
        .dir()
        .starts_with(env.engine.paths().cache_dir.as_path()));
    let t = env.engine.thumbnail(&done.record).await.unwrap();
    assert_eq!(&t[8..12], b"WEBP");
    // Sent as AVIF (which is not decoded here): the thumbnail comes from the file before.
    env.set("convert_to", "avif");
    let avif = one(&env, env.file("photo.png", &noise_png(6, 40_000)))
        .await
        .unwrap();
    assert!(avif.record.url.ends_with(".avif"));
    thumbs.settled().await;
    assert!(thumbs.has(&pixdrop_core::thumbs::Thumbs::key(&avif.record)));
    env.set("convert_to", "none");
    let requests = env.host.upload_requests();

    // Records from a host sync have none: a background round downloads their originals.
    for i in 0..4 {
        env.host.preload(
            &format!("old{i}.png"),
            &noise_png(40 + i, 20_000),
            1_700_000_000 + i,
        );
    }
    env.engine.sync("main").await.unwrap();
    let report = env.engine.fill_thumbnails().await;
    assert_eq!(
        (report.made, report.failed, report.cache_full),
        (4, 0, false)
    );
    for r in env.engine.album().list(&ListQuery::default()).unwrap() {
        assert!(
            thumbs.has(&pixdrop_core::thumbs::Thumbs::key(&r)),
            "{}",
            r.file_name
        );
    }
    assert_eq!(env.engine.fill_thumbnails().await.made, 0, "made once");

    // A damaged thumbnail is made again, never served.
    let old = env
        .engine
        .album()
        .list(&ListQuery::default())
        .unwrap()
        .into_iter()
        .find(|r| r.file_name.starts_with("old"))
        .unwrap();
    let okey = pixdrop_core::thumbs::Thumbs::key(&old);
    let path = thumbs.dir().join(&okey[..2]).join(format!("{okey}.webp"));
    std::fs::write(&path, b"RIFF\x10\x00\x00\x00WEBPVP8 trunc").unwrap();
    let again = env.engine.thumbnail(&old).await.unwrap();
    assert_eq!(&again[8..12], b"WEBP");
    assert_ne!(
        std::fs::read(&path).unwrap(),
        b"RIFF\x10\x00\x00\x00WEBPVP8 trunc"
    );

    // A record whose image is gone: the failure is said, and not tried again at once.
    let mut gone = old.clone();
    gone.url = format!("{}/i/2026/11/23/missing.png", env.host.base_url());
    gone.sha256 = None;
    let e = env.engine.thumbnail(&gone).await.unwrap_err();
    assert!(e.to_string().contains("missing.png"), "{e}");
    let e = env.engine.thumbnail(&gone).await.unwrap_err();
    assert!(e.to_string().contains("tried again later"), "{e}");
    // Nothing was uploaded for any of this.
    assert_eq!(env.host.upload_requests(), requests);
}
