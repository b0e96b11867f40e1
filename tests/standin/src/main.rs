//! `pixdrop-standin [--port N] [--token T]`: run the stand-in SM.MS / S.EE host until stdin
//! closes or the process is stopped. Prints its base URL on the first line.
//!
//! Lines on stdin script how the next uploads are answered, as a failing host would:
//! `script 500 slow:30 flood html503 429:2` (HTTP 500, a 30 s wait, "Flood detected", a
//! Cloudflare 503 page, HTTP 429 with Retry-After 2). Each is used once, in order; it answers
//! `scripted N` when queued.

use std::io::BufRead;
use std::time::Duration;

use pixdrop_standin::Behavior;

fn behavior(word: &str) -> Option<Behavior> {
    Some(match word.split_once(':') {
        None if word == "500" => Behavior::Status500,
        None if word == "flood" => Behavior::Flood,
        None if word == "html503" => Behavior::Html503,
        None if word == "html403" => Behavior::Html403,
        Some(("slow", s)) => Behavior::Slow(Duration::from_secs(s.parse().ok()?)),
        Some(("429", s)) => Behavior::TooMany {
            retry_after_secs: s.parse().ok()?,
        },
        _ => return None,
    })
}

fn main() {
    let mut port = 0u16;
    let mut token = "standin-token".to_string();
    // Files to serve at /files/NAME (images to "upload from a URL").
    let mut serve: Vec<String> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => port = args.next().and_then(|p| p.parse().ok()).expect("--port N"),
            "--token" => token = args.next().expect("--token T"),
            "--serve" => serve.push(args.next().expect("--serve NAME=PATH")),
            other => {
                eprintln!(
                    "unknown argument {other:?}; usage: pixdrop-standin [--port N] [--token T] [--serve NAME=PATH]…"
                );
                std::process::exit(2);
            }
        }
    }
    let host = pixdrop_standin::StandIn::start_on(&token, port).expect("bind 127.0.0.1");
    for spec in serve {
        let (name, path) = spec.split_once('=').expect("--serve NAME=PATH");
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("--serve {path}: {e}"));
        let ct = match path.rsplit('.').next().unwrap_or("") {
            "png" => "image/png",
            "jpg" | "jpeg" => "image/jpeg",
            "gif" => "image/gif",
            "webp" => "image/webp",
            _ => "application/octet-stream",
        };
        host.serve_file(name, ct, bytes);
    }
    println!("{}", host.base_url());
    // Serve until whoever started us closes our stdin (or kills us).
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let mut words = line.split_whitespace();
        if words.next() != Some("script") {
            continue;
        }
        let script: Vec<Behavior> = words.filter_map(behavior).collect();
        let n = script.len();
        host.script(script);
        println!("scripted {n}");
    }
    drop(host);
}
