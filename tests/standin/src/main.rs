//! `pixdrop-standin [--port N] [--token T]`: run the stand-in SM.MS / S.EE host until stdin
//! closes or the process is stopped. Prints its base URL on the first line.

use std::io::Read;

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
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    drop(host);
}
