//! `cargo bench -p pixdrop-core`: prints Pixdrop's speed figures. Targets (from the issues):
//! - upload of 200 × 1 MB images to a loopback host, Pixdrop vs curl at the same concurrency:
//!   ratio ≤ 1.10;
//! - album at 100,000 rows: first page ≤ 5 ms, search ≤ 20 ms;
//! - 50 × 1 MB to a local S3 server (SeaweedFS from .venv), Pixdrop vs boto3 at the same
//!   concurrency: the ratio.
//!
//! Figures are medians of several runs. Nothing here fails on a figure: it measures.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use pixdrop_core::config::HostConfig;
use pixdrop_core::{Album, Engine, Input, ListQuery, NewRecord, Paths, UploadOptions};
use pixdrop_standin::{noise_png, StandIn};

const TOKEN: &str = "bench-token";
const FILES: usize = 200;
const CONCURRENCY: usize = 4;
const RUNS: usize = 7;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// CPU seconds used so far by this process (the stand-in server, and Pixdrop when it runs here)
/// and by its finished children (curl).
fn cpu() -> (f64, f64) {
    let get = |who| unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        libc::getrusage(who, &mut u);
        let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
        t(u.ru_utime) + t(u.ru_stime)
    };
    (get(libc::RUSAGE_SELF), get(libc::RUSAGE_CHILDREN))
}

fn make_files(dir: &Path) -> Vec<PathBuf> {
    (0..FILES)
        .map(|i| {
            let p = dir.join(format!("img{i:03}.png"));
            std::fs::write(&p, noise_png(i as u64 + 1, 1_000_000)).unwrap();
            p
        })
        .collect()
}

fn pixdrop_run(files: &[PathBuf], rt: &tokio::runtime::Runtime) -> Duration {
    let host = StandIn::start(TOKEN);
    let home = tempfile::tempdir().unwrap();
    let engine = Engine::open(Paths::in_dir(home.path())).unwrap();
    engine
        .config()
        .update(|c| {
            c.settings.set("concurrency", &CONCURRENCY.to_string())?;
            c.add_host(
                HostConfig {
                    name: "bench".into(),
                    kind: "smms".into(),
                    settings: [
                        ("token".to_string(), TOKEN.into()),
                        ("server".to_string(), host.base_url().into()),
                        ("api".to_string(), "see".into()),
                    ]
                    .into(),
                },
                true,
            )
        })
        .unwrap();
    let inputs: Vec<Input> = files.iter().cloned().map(Input::Path).collect();
    let start = Instant::now();
    let out = rt.block_on(engine.upload_all(inputs, UploadOptions::default()));
    let took = start.elapsed();
    assert!(
        out.iter().all(|o| o.result.is_ok()),
        "an upload failed: {:?}",
        out.iter().find(|o| o.result.is_err())
    );
    assert_eq!(host.stored().len(), FILES);
    took
}

fn curl_run(files: &[PathBuf]) -> Option<Duration> {
    let host = StandIn::start(TOKEN);
    let url = format!("{}/api/v1/file/upload", host.base_url());
    let mut cmd = Command::new("curl");
    cmd.args([
        "--silent",
        "--no-progress-meter",
        "--show-error",
        "--fail",
        "--parallel",
        "--parallel-max",
        &CONCURRENCY.to_string(),
    ]);
    for (i, f) in files.iter().enumerate() {
        if i > 0 {
            cmd.arg("--next");
        }
        cmd.args([
            "-o",
            "/dev/null",
            "-H",
            &format!("Authorization: {TOKEN}"),
            "-F",
        ])
        .arg(format!("smfile=@{}", f.display()))
        .arg(&url);
    }
    let start = Instant::now();
    let status = cmd.status().ok()?;
    let took = start.elapsed();
    if !status.success() || host.stored().len() != FILES {
        eprintln!("curl run failed ({status}, {} stored)", host.stored().len());
        return None;
    }
    Some(took)
}

fn bench_upload() {
    println!(
        "== upload: {FILES} × 1 MB PNG to a loopback S.EE stand-in, concurrency {CONCURRENCY} =="
    );
    let dir = tempfile::tempdir().unwrap();
    let files = make_files(dir.path());
    // The same runtime shape as the CLI's.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // Warm up (page cache, sockets), then alternate the two so drift hits both alike.
    pixdrop_run(&files, &rt);
    if curl_run(&files).is_none() {
        println!("curl is not available: no ratio");
        return;
    }
    let (mut pix, mut curl) = (Vec::new(), Vec::new());
    let (mut pix_cpu, mut curl_cpu, mut server_cpu) = (0.0, 0.0, 0.0);
    for _ in 0..RUNS {
        let before = cpu();
        pix.push(pixdrop_run(&files, &rt));
        let mid = cpu();
        curl.push(curl_run(&files).expect("curl run"));
        let after = cpu();
        pix_cpu += mid.0 - before.0;
        server_cpu += after.0 - mid.0;
        curl_cpu += after.1 - mid.1;
    }
    let per_run = |x: f64| x * 1000.0 / RUNS as f64;
    let (pix, curl) = (median(pix), median(curl));
    println!(
        "pixdrop (read, check, hash, dedupe, upload, record): {} (median of {RUNS})",
        ms(pix)
    );
    println!(
        "curl --parallel --parallel-max {CONCURRENCY}: {} (median of {RUNS})",
        ms(curl)
    );
    println!(
        "CPU per run: stand-in server {:.0} ms; pixdrop {:.0} ms; curl {:.0} ms",
        per_run(server_cpu),
        per_run(pix_cpu - server_cpu),
        per_run(curl_cpu)
    );
    println!(
        "ratio pixdrop / curl: {:.3} (target ≤ 1.10)",
        pix.as_secs_f64() / curl.as_secs_f64()
    );
}

/// `rows` records as a busy album holds them: two configs, screenshots by date.
fn album_records(rows: usize) -> Vec<NewRecord> {
    let base = 1_700_000_000_000i64;
    (0..rows)
        .map(|i| NewRecord {
            host_kind: "smms".into(),
            config_name: if i % 10 == 0 {
                "work".into()
            } else {
                "main".into()
            },
            file_name: format!(
                "Screenshot_2026-{:02}-{:02}_{i:06}.png",
                i % 12 + 1,
                i % 28 + 1
            ),
            stored_name: format!("{i:08x}.png"),
            url: format!(
                "https://i.see.you/2026/{:02}/{:02}/{i:08x}.png",
                i % 12 + 1,
                i % 28 + 1
            ),
            delete_handle: Some(format!("{i:016x}")),
            size: 100_000 + i as u64,
            width: Some(1920),
            height: Some(1080),
            sha256: Some(format!("{i:064x}")),
            created_at: base + i as i64 * 1000,
            sent_sha256: None,
            origin_url: None,
        })
        .collect()
}

fn bench_album() {
    const ROWS: usize = 100_000;
    println!("== album: {ROWS} records ==");
    let dir = tempfile::tempdir().unwrap();
    let album = Album::open(&dir.path().join("album.db")).unwrap();
    let records = album_records(ROWS);
    let start = Instant::now();
    album.insert_many(&records).unwrap();
    println!("insert {ROWS} in one transaction: {}", ms(start.elapsed()));

    let time = |q: &ListQuery| {
        let runs: Vec<Duration> = (0..30)
            .map(|_| {
                let s = Instant::now();
                std::hint::black_box(album.list(q).unwrap());
                s.elapsed()
            })
            .collect();
        median(runs)
    };
    let page = ListQuery {
        limit: 50,
        ..Default::default()
    };
    println!(
        "first page (50, newest first): {} (target ≤ 5 ms)",
        ms(time(&page))
    );
    let deep = ListQuery {
        limit: 50,
        offset: 50_000,
        ..Default::default()
    };
    println!("page at offset 50,000: {}", ms(time(&deep)));
    let host = ListQuery {
        limit: 50,
        config: Some("work".into()),
        ..Default::default()
    };
    println!("first page of one config: {}", ms(time(&host)));
    for (what, text) in [
        ("rare term (1 match)", "_077777."),
        ("common term (every row)", "screenshot"),
        ("no match", "no-such-name"),
        ("moderate term (~1,200 matches)", "-03-15_"),
        ("two characters, no match (scans every row)", "zq"),
    ] {
        let q = ListQuery {
            limit: 50,
            search: Some(text.into()),
            ..Default::default()
        };
        println!("search, {what}: {} (target ≤ 20 ms)", ms(time(&q)));
    }
    let q = ListQuery {
        search: Some("_077777.".into()),
        ..Default::default()
    };
    let s = Instant::now();
    let n = album.count(&q).unwrap();
    println!("count of a search ({n} match): {}", ms(s.elapsed()));

    let fresh = tempfile::tempdir().unwrap();
    let small = Album::open(&fresh.path().join("album.db")).unwrap();
    let start = Instant::now();
    for r in records.iter().take(200) {
        small.insert(r).unwrap();
    }
    println!(
        "200 single-record commits (as 200 uploads make them): {}",
        ms(start.elapsed())
    );
}

#[path = "../tests/support/servers.rs"]
mod servers;

const S3_FILES: usize = 50;
const S3_RUNS: usize = 5;

fn pixdrop_s3_run(
    files: &[PathBuf],
    endpoint: &str,
    prefix: &str,
    rt: &tokio::runtime::Runtime,
) -> Duration {
    let home = tempfile::tempdir().unwrap();
    let engine = Engine::open(Paths::in_dir(home.path())).unwrap();
    engine
        .config()
        .update(|c| {
            c.settings.set("concurrency", &CONCURRENCY.to_string())?;
            c.add_host(
                HostConfig {
                    name: "bench".into(),
                    kind: "s3".into(),
                    settings: [
                        ("access_key_id".to_string(), servers::S3_KEY.into()),
                        ("secret_access_key".to_string(), servers::S3_SECRET.into()),
                        ("bucket".to_string(), "bench".into()),
                        ("endpoint".to_string(), endpoint.into()),
                        ("path_style".to_string(), true.into()),
                        (
                            "upload_path".to_string(),
                            format!("{prefix}/{{filename}}.{{ext}}").into(),
                        ),
                    ]
                    .into(),
                },
                true,
            )
        })
        .unwrap();
    let inputs: Vec<Input> = files.iter().cloned().map(Input::Path).collect();
    let start = Instant::now();
    let out = rt.block_on(engine.upload_all(inputs, UploadOptions::default()));
    let took = start.elapsed();
    assert!(
        out.iter().all(|o| o.result.is_ok()),
        "an upload failed: {:?}",
        out.iter().find(|o| o.result.is_err())
    );
    took
}

fn boto3_run(files: &[PathBuf], endpoint: &str, prefix: &str) -> Duration {
    let out = Command::new(servers::venv_bin("python"))
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../bench/s3_boto3.py"
        ))
        .args([
            endpoint,
            servers::S3_KEY,
            servers::S3_SECRET,
            "bench",
            prefix,
            &CONCURRENCY.to_string(),
        ])
        .args(files)
        .output()
        .expect("python from .venv");
    assert!(
        out.status.success(),
        "boto3 run failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let secs: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    Duration::from_secs_f64(secs)
}

fn bench_s3() {
    println!(
        "== s3: {S3_FILES} × 1 MB PNG to a local SeaweedFS S3 gateway (SigV4 checked), concurrency {CONCURRENCY} =="
    );
    let server = servers::seaweedfs("bench");
    let endpoint = format!("http://127.0.0.1:{}", server.port);
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = make_files(dir.path()).into_iter().take(S3_FILES).collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // Warm up both, then alternate so drift hits both alike; every run writes new keys.
    pixdrop_s3_run(&files, &endpoint, "warm-pixdrop", &rt);
    boto3_run(&files, &endpoint, "warm-boto3");
    let (mut pix, mut boto) = (Vec::new(), Vec::new());
    for run in 0..S3_RUNS {
        pix.push(pixdrop_s3_run(
            &files,
            &endpoint,
            &format!("pixdrop-{run}"),
            &rt,
        ));
        boto.push(boto3_run(&files, &endpoint, &format!("boto3-{run}")));
    }
    let (pix, boto) = (median(pix), median(boto));
    println!("pixdrop upload_all: {} (median of {S3_RUNS})", ms(pix));
    println!(
        "boto3 put_object, {CONCURRENCY} threads: {} (median of {S3_RUNS})",
        ms(boto)
    );
    println!(
        "ratio pixdrop / boto3: {:.3}",
        pix.as_secs_f64() / boto.as_secs_f64()
    );
}

/// A 12-megapixel phone photo (4000 × 3000): ImageMagick writes it, exiftool tags it with GPS,
/// camera, orientation and a thumbnail. `None` without those tools.
fn phone_photo(dir: &Path) -> Option<PathBuf> {
    let photo = dir.join("photo.jpg");
    let thumb = dir.join("thumb.jpg");
    let made = Command::new("/usr/bin/convert")
        .args(["-size", "4000x3000", "plasma:", "-quality", "90"])
        .arg(&photo)
        .status()
        .is_ok_and(|s| s.success())
        && Command::new("/usr/bin/convert")
            .args(["-size", "160x120", "xc:gray"])
            .arg(&thumb)
            .status()
            .is_ok_and(|s| s.success())
        && Command::new("exiftool")
            .args([
                "-q",
                "-overwrite_original",
                "-GPSLatitude=48.8584",
                "-GPSLatitudeRef=N",
            ])
            .args([
                "-Make=Phone",
                "-Model=P1",
                "-Orientation#=1",
                "-XMP-dc:Description=home",
            ])
            .arg(format!("-ThumbnailImage<={}", thumb.display()))
            .arg(&photo)
            .status()
            .is_ok_and(|s| s.success());
    if !made {
        println!("skipped: needs ImageMagick (/usr/bin/convert) and exiftool (scripts/test.sh installs them)");
        return None;
    }
    Some(photo)
}

fn time_median(runs: usize, mut f: impl FnMut()) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

/// The prepare stage's image work on a 12-megapixel phone photo, side by side with sharp
/// (libvips, what PicList uses; `npm ci` in bench/sharp) on the same file: metadata removed
/// (target ≤ 5 ms; sharp must re-encode for it), resized to 1920 px + WebP q80, JPEG q80, and
/// the album's 320 px thumbnail (targets: no slower than sharp).
fn bench_images() {
    println!("== images: a 12-megapixel JPEG (4000 × 3000), Pixdrop vs sharp ==");
    let dir = tempfile::tempdir().unwrap();
    let Some(photo) = phone_photo(dir.path()) else {
        return;
    };
    let bytes = std::fs::read(&photo).unwrap();
    let kind = pixdrop_core::image::sniff(&bytes).unwrap();
    use pixdrop_core::process::{self, ConvertTo, Options};
    let plain = Options {
        strip_metadata: true,
        convert_to: ConvertTo::None,
        quality: 80,
        max_width: 0,
        max_height: 0,
        fit_limit: None,
        watermark: None,
    };
    let webp = Options {
        convert_to: ConvertTo::Webp,
        max_width: 1920,
        max_height: 1920,
        ..plain.clone()
    };
    let runs = 7;
    let strip = time_median(runs, || {
        std::hint::black_box(pixdrop_core::metadata::strip(kind, &bytes).expect("metadata"));
    });
    let resize_webp = time_median(runs, || {
        std::hint::black_box(process::run(kind, &bytes, &webp).unwrap());
    });
    let jpeg = time_median(runs, || {
        std::hint::black_box(
            process::reencode(&bytes, pixdrop_core::image::ImageKind::Jpeg, 80).unwrap(),
        );
    });
    let thumbnail = time_median(runs, || {
        std::hint::black_box(process::thumbnail(&bytes, 320).unwrap());
    });
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let ours = [
        ("strip metadata", ms(strip)),
        ("resize 1920 + WebP q80", ms(resize_webp)),
        ("JPEG q80", ms(jpeg)),
        ("thumbnail 320 WebP", ms(thumbnail)),
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/sharp");
    let sharp = Command::new("node")
        .arg(root.join("ops.mjs"))
        .arg(&photo)
        .arg(runs.to_string())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| serde_json::from_slice::<serde_json::Value>(&o.stdout).ok());
    let theirs = ["strip", "resize_webp", "jpeg", "thumbnail"];
    for ((what, pix), key) in ours.iter().zip(theirs) {
        match sharp.as_ref().and_then(|v| v[key].as_f64()) {
            Some(sh) => println!(
                "{what:<24} pixdrop {pix:8.2} ms   sharp {sh:8.2} ms   ratio {:.2}",
                pix / sh
            ),
            None => println!("{what:<24} pixdrop {pix:8.2} ms"),
        }
    }
    match sharp {
        Some(v) => println!(
            "(medians of {runs}; sharp {} with libvips on {} thread(s), its default here; Pixdrop on one thread; sharp re-encodes to strip)",
            v["version"], v["threads"]
        ),
        None => println!("sharp: not installed (cd bench/sharp && npm ci), so no comparison"),
    }
}

/// `links check` of 1,000 records whose links the stand-in serves (a tiny PNG each), at the
/// default politeness (4 at once, 2 per host: one host here, so 2 at a time).
fn bench_links() {
    const LINKS: usize = 1000;
    println!("== links: check {LINKS} links on one stand-in host ==");
    let host = StandIn::start(TOKEN);
    let home = tempfile::tempdir().unwrap();
    let engine = Engine::open(Paths::in_dir(home.path())).unwrap();
    let png = pixdrop_standin::tiny_png(1);
    let records: Vec<NewRecord> = (0..LINKS)
        .map(|i| NewRecord {
            host_kind: "smms".into(),
            config_name: "main".into(),
            file_name: format!("l{i}.png"),
            stored_name: format!("l{i}.png"),
            url: host.serve_file(&format!("l{i}.png"), "image/png", png.clone()),
            delete_handle: None,
            size: png.len() as u64,
            width: None,
            height: None,
            sha256: None,
            created_at: i as i64,
            sent_sha256: None,
            origin_url: None,
        })
        .collect();
    engine.album().insert_many(&records).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let times: Vec<Duration> = (0..3)
        .map(|_| {
            let t = Instant::now();
            let report = rt
                .block_on(pixdrop_core::links::check(
                    &engine,
                    &ListQuery::default(),
                    Default::default(),
                ))
                .unwrap();
            assert!(report.all_ok());
            t.elapsed()
        })
        .collect();
    println!("check of {LINKS} links: median {} of 3", ms(median(times)));
}

fn main() {
    // `cargo bench` passes --bench; a filter argument picks one part.
    let filter = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let wants = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));
    if wants("links") {
        bench_links();
    }
    if wants("album") {
        bench_album();
    }
    if wants("upload") {
        bench_upload();
    }
    if wants("s3") {
        bench_s3();
    }
    if wants("images") || wants("strip") {
        bench_images();
    }
    if wants("sync") {
        bench_sync();
    }
}

/// Issue 27's benchmark: the first sync of a 100,000-record album, and a one-record sync
/// after it (time and bytes), through a local folder (the storage's speed left out).
fn bench_sync() {
    use pixdrop_core::sync::exchange::new_machine_id;
    use pixdrop_core::sync::{sync_album, Cursors, Local, Place};
    const ROWS: usize = 100_000;
    println!("== sync: an album of {ROWS} records through a local folder ==");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    let store = pixdrop_core::hosts::build(&HostConfig {
        name: "nas".into(),
        kind: "local".into(),
        settings: serde_json::from_value(serde_json::json!({
            "path": shared.to_str().unwrap(),
            "url_prefix": "https://nas.example.com",
        }))
        .unwrap(),
    })
    .unwrap();
    let http = pixdrop_core::hosts::Http::new(Duration::from_secs(60), None).unwrap();
    let place = Place::new(store.sync_place().unwrap(), &http, "pixdrop-sync").unwrap();
    let home = |name: &str| {
        let album = Album::open(&dir.path().join(name).join("album.db")).unwrap();
        Local::new(&album)
            .start(&Cursors::new(new_machine_id()))
            .unwrap();
        album
    };
    let a = home("a");
    a.insert_many(&album_records(ROWS)).unwrap();
    // The album was filled before sync was set up: start again so all of it is noted.
    Local::new(&a)
        .start(&Cursors::new(new_machine_id()))
        .unwrap();
    let b = home("b");
    let (key, _) = rt
        .block_on(place.unlock_or_start("bench passphrase 0123"))
        .unwrap();
    let bytes_on_storage = || -> u64 {
        std::fs::read_dir(shared.join("pixdrop-sync"))
            .map(|d| d.map(|e| e.unwrap().metadata().unwrap().len()).sum())
            .unwrap_or(0)
    };
    let t = Instant::now();
    let first = rt.block_on(sync_album(&a, None, &place, &key)).unwrap();
    println!(
        "first sync, sending {} records: {} ({:.1} MB sent; {:.1} MB on the storage)",
        first.sent,
        ms(t.elapsed()),
        first.sent_bytes as f64 / 1e6,
        bytes_on_storage() as f64 / 1e6
    );
    let t = Instant::now();
    let joined = rt.block_on(sync_album(&b, None, &place, &key)).unwrap();
    println!(
        "a second computer's first sync, receiving them: {} ({:.1} MB read, {} records)",
        ms(t.elapsed()),
        joined.read_bytes as f64 / 1e6,
        joined.received.records
    );
    a.insert(&album_records(1)[0]).unwrap();
    let t = Instant::now();
    let one = rt.block_on(sync_album(&a, None, &place, &key)).unwrap();
    let sent_in = t.elapsed();
    let t = Instant::now();
    let got = rt.block_on(sync_album(&b, None, &place, &key)).unwrap();
    println!(
        "then one record: sent in {} ({} bytes), received in {} ({} bytes) — anchor: the bytes grow with the changes, not with the album",
        ms(sent_in),
        one.sent_bytes,
        ms(t.elapsed()),
        got.read_bytes
    );
}
