//! Fuzz the local server's request handling: the header checks, the JSON `/upload` and
//! `/delete` bodies and the multipart body. None may panic, and what they accept must be well-formed.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pixdrop_picgo_api::{check_headers, parse_delete_body, parse_json_body, parse_multipart, DeleteTarget, Policy, RequestHeaders, UploadRequest};

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_current_thread().build().unwrap())
}

fuzz_target!(|data: &[u8]| {
    // The JSON body: anything accepted is the clipboard or a non-empty list of paths.
    if let Ok(UploadRequest::Paths(p)) = parse_json_body(data) {
        assert!(!p.is_empty() && p.len() <= 1000);
    }

    // The `/delete` body: anything accepted names 1–1000 items, each an id or a non-empty link.
    if let Ok(r) = parse_delete_body(data) {
        assert!(!r.targets.is_empty() && r.targets.len() <= 1000);
        for t in r.targets.iter().flatten() {
            if let DeleteTarget::Url(u) = t {
                assert!(!u.trim().is_empty());
            }
        }
    }

    // The headers: text split into Host, Origin, Authorization, X-PicGo-Secret and a query.
    if let Ok(text) = std::str::from_utf8(data) {
        let mut parts = text.splitn(5, '\n');
        let h = RequestHeaders { host: parts.next(), origin: parts.next(), authorization: parts.next(), picgo_secret: parts.next() };
        let query = parts.next();
        let opts = Policy { secret: "s3cret".into(), allowed_origins: vec!["app://obsidian.md".into()] };
        if check_headers(&opts, 36677, &h, query).is_ok() {
            let host = h.host.unwrap_or_default().to_ascii_lowercase();
            assert!(["127.0.0.1:36677", "localhost:36677", "[::1]:36677"].contains(&host.trim()));
            assert!(h.origin.is_none_or(|o| o.trim() == "app://obsidian.md"));
        }
    }

    // The multipart body, with a fixed boundary.
    let body = bytes::Bytes::copy_from_slice(data);
    if let Ok(UploadRequest::Files(files)) = runtime().block_on(parse_multipart("multipart/form-data; boundary=XyZ", body)) {
        assert!(!files.is_empty());
    }
});
