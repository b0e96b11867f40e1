//! The request side of Pixdrop's PicGo-compatible local server: who may call it (`Host`,
//! `Origin`, secret) and what a `/upload` or `/delete` body asks for. Kept apart from the engine, with few
//! dependencies, because it faces untrusted input and is fuzzed (`fuzz/`).

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The largest JSON body (a list of paths).
pub const MAX_JSON: usize = 1024 * 1024;

/// Who may call the server.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Policy {
    /// Required as `Authorization: Bearer …` or `X-PicGo-Secret: …` when not empty.
    pub secret: String,
    /// Web origins allowed to call (exact match); any other `Origin` is refused.
    pub allowed_origins: Vec<String>,
}

/// How many leading bytes [`check_listed_path`] reads.
pub const SNIFF_LEN: usize = 32;

/// Why a request is turned away: an HTTP status and the words for `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub status: u16,
    pub message: String,
}

impl Rejection {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Rejection {
            status,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.message)
    }
}

/// The headers that decide whether a request may be served at all.
#[derive(Debug, Default, Clone)]
pub struct RequestHeaders<'a> {
    pub host: Option<&'a str>,
    pub origin: Option<&'a str>,
    pub authorization: Option<&'a str>,
    pub picgo_secret: Option<&'a str>,
}

/// Check `Host` (DNS rebinding), `Origin` (web pages) and the secret, in that order.
pub fn check_headers(
    opts: &Policy,
    port: u16,
    h: &RequestHeaders<'_>,
    query: Option<&str>,
) -> Result<(), Rejection> {
    let host = h.host.unwrap_or_default().trim().to_ascii_lowercase();
    let allowed_hosts = [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ];
    if !allowed_hosts.contains(&host) {
        return Err(Rejection::new(
            403,
            format!("refused: Host {host:?} is not this computer's loopback address and port"),
        ));
    }
    if let Some(origin) = h.origin {
        if !opts.allowed_origins.iter().any(|o| o == origin.trim()) {
            return Err(Rejection::new(
                403,
                format!("refused: requests from web origin {origin:?} are not allowed (add it to server_allowed_origins to allow it)"),
            ));
        }
    }
    if !opts.secret.is_empty() {
        let bearer = h.authorization.and_then(bearer_token);
        let given = bearer.or(h.picgo_secret.map(str::trim));
        if given != Some(opts.secret.as_str()) {
            let in_query = query.is_some_and(|q| {
                q.split('&')
                    .any(|kv| kv.starts_with("key=") || kv.starts_with("secret="))
            });
            let hint = if in_query {
                "the secret must be sent as `Authorization: Bearer …` or `X-PicGo-Secret: …`, never in the URL"
            } else if given.is_some() {
                "wrong secret"
            } else {
                "this server needs its secret (`Authorization: Bearer …` or `X-PicGo-Secret: …`)"
            };
            return Err(Rejection::new(401, format!("refused: {hint}")));
        }
    }
    Ok(())
}

/// The credentials of an `Authorization: Bearer …` header; the scheme is case-insensitive
/// (RFC 9110), so `bearer …` and `BEARER …` are the same.
fn bearer_token(authorization: &str) -> Option<&str> {
    let (scheme, token) = authorization.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// What a `/upload` body asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadRequest {
    /// Files named by absolute path.
    Paths(Vec<String>),
    /// The clipboard image.
    Clipboard,
    /// Files in the request (multipart parts with a file name): (file name, bytes).
    Files(Vec<(String, Vec<u8>)>),
}

/// Parse a JSON `/upload` body. Empty bodies, `{}` and `{"list": []}` mean the clipboard.
pub fn parse_json_body(body: &[u8]) -> Result<UploadRequest, Rejection> {
    if body.len() > MAX_JSON {
        return Err(Rejection::new(
            413,
            format!("the JSON body is larger than {} KB", MAX_JSON / 1024),
        ));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(UploadRequest::Clipboard);
    }
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| Rejection::new(400, format!("the body is not valid JSON: {e}")))?;
    let obj = v.as_object().ok_or_else(|| {
        Rejection::new(
            400,
            "the body must be a JSON object like {\"list\": [\"/path/to/image.png\"]}",
        )
    })?;
    let list = match obj.get("list") {
        None | Some(Value::Null) => return Ok(UploadRequest::Clipboard),
        Some(Value::Array(a)) => a,
        Some(_) => {
            return Err(Rejection::new(
                400,
                "\"list\" must be an array of file paths",
            ))
        }
    };
    if list.is_empty() {
        return Ok(UploadRequest::Clipboard);
    }
    if list.len() > 1000 {
        return Err(Rejection::new(413, "at most 1000 files per request"));
    }
    let paths = list
        .iter()
        .map(|p| {
            p.as_str()
                .map(str::to_string)
                .ok_or_else(|| Rejection::new(400, "\"list\" must hold file paths as strings"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(UploadRequest::Paths(paths))
}

/// Parse a multipart `/upload` body. The files are the parts that carry a file name, whatever
/// their field name (PicGo's `files`, the Obsidian plugin's `list`, vs-PicList's `file`), in
/// order; parts without a file name (plain form fields) are ignored.
pub async fn parse_multipart(
    content_type: &str,
    body: bytes::Bytes,
) -> Result<UploadRequest, Rejection> {
    let boundary = multer::parse_boundary(content_type)
        .map_err(|e| Rejection::new(400, format!("bad multipart Content-Type: {e}")))?;
    let stream = futures::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    let mut files = Vec::new();
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let Some(name) = field.file_name().map(str::to_string) else {
                    continue;
                };
                let name = if name.is_empty() {
                    "image".into()
                } else {
                    name
                };
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| Rejection::new(400, format!("bad multipart body: {e}")))?;
                files.push((name, bytes.to_vec()));
            }
            Ok(None) => break,
            Err(e) => return Err(Rejection::new(400, format!("bad multipart body: {e}"))),
        }
    }
    if files.is_empty() {
        return Err(Rejection::new(
            400,
            "the multipart body has no file: no part carries a file name (filename=\"…\" in its Content-Disposition)",
        ));
    }
    Ok(UploadRequest::Files(files))
}

/// One image a `/delete` body names: by album record id, or by its link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeleteTarget {
    Id(i64),
    Url(String),
}

/// What a `/delete` body asks for (PicList's `{"list": [fullResult item, …]}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteRequest {
    /// One per item, in order; an item that names no image is its reason.
    pub targets: Vec<Result<DeleteTarget, String>>,
    /// `"deleteRemote": true`: delete on the host too.
    pub delete_remote: bool,
}

/// Parse a JSON `/delete` body: `{"list": [{"id": N, …} | {"imgUrl": "…", …}, …],
/// "deleteRemote": bool}`. An item's `id` (a number, or digits in a string) wins over its
/// `imgUrl`; an item with neither is refused on its own, the others still count.
pub fn parse_delete_body(body: &[u8]) -> Result<DeleteRequest, Rejection> {
    if body.len() > MAX_JSON {
        return Err(Rejection::new(
            413,
            format!("the JSON body is larger than {} KB", MAX_JSON / 1024),
        ));
    }
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| Rejection::new(400, format!("the body is not valid JSON: {e}")))?;
    let shape = "the body must be a JSON object like {\"list\": [{\"id\": 12}]} or {\"list\": [{\"imgUrl\": \"https://…\"}]}";
    let obj = v.as_object().ok_or_else(|| Rejection::new(400, shape))?;
    let list = match obj.get("list") {
        Some(Value::Array(a)) if !a.is_empty() => a,
        Some(Value::Array(_)) => {
            return Err(Rejection::new(400, "\"list\" is empty: nothing to delete"))
        }
        _ => return Err(Rejection::new(400, shape)),
    };
    if list.len() > 1000 {
        return Err(Rejection::new(413, "at most 1000 images per request"));
    }
    let delete_remote = match obj.get("deleteRemote") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(Rejection::new(
                400,
                "\"deleteRemote\" must be true or false",
            ))
        }
    };
    let targets = list.iter().map(delete_target).collect();
    Ok(DeleteRequest {
        targets,
        delete_remote,
    })
}

fn delete_target(item: &Value) -> Result<DeleteTarget, String> {
    let id = match item.get("id") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    if let Some(id) = id {
        return Ok(DeleteTarget::Id(id));
    }
    match item.get("imgUrl").and_then(Value::as_str).map(str::trim) {
        Some(url) if !url.is_empty() => Ok(DeleteTarget::Url(url.to_string())),
        _ => Err("the item has neither an album id (\"id\") nor a link (\"imgUrl\")".into()),
    }
}

/// Check a listed path before anything reads it: absolute, a regular file, and an image by its
/// first [`SNIFF_LEN`] bytes as `is_image` judges them (nothing beyond those is read here).
pub fn check_listed_path(raw: &str, is_image: impl Fn(&[u8]) -> bool) -> Result<PathBuf, String> {
    use std::io::Read;
    let path = Path::new(raw);
    if !path.is_absolute() {
        return Err("not an absolute path".into());
    }
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    })?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    let mut head = [0u8; SNIFF_LEN];
    let mut f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) => return Err(e.to_string()),
        }
    }
    if !is_image(&head[..n]) {
        return Err("not an image file".into());
    }
    Ok(path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy {
            secret: String::new(),
            allowed_origins: vec!["app://obsidian.md".into()],
        }
    }

    fn hdr(host: &str) -> RequestHeaders<'_> {
        RequestHeaders {
            host: Some(host),
            ..Default::default()
        }
    }

    #[test]
    fn hosts_must_be_loopback_with_our_port() {
        for ok in [
            "127.0.0.1:36677",
            "localhost:36677",
            "LOCALHOST:36677",
            "[::1]:36677",
        ] {
            assert!(
                check_headers(&policy(), 36677, &hdr(ok), None).is_ok(),
                "{ok}"
            );
        }
        for bad in [
            "evil.example:36677",
            "127.0.0.1:80",
            "127.0.0.1",
            "",
            "localhost.evil.example:36677",
        ] {
            assert_eq!(
                check_headers(&policy(), 36677, &hdr(bad), None)
                    .unwrap_err()
                    .status,
                403,
                "{bad}"
            );
        }
    }

    #[test]
    fn origins_need_the_allow_list() {
        let mut h = hdr("127.0.0.1:36677");
        h.origin = Some("https://evil.example");
        assert_eq!(
            check_headers(&policy(), 36677, &h, None)
                .unwrap_err()
                .status,
            403
        );
        h.origin = Some("app://obsidian.md");
        assert!(check_headers(&policy(), 36677, &h, None).is_ok());
        h.origin = Some("null");
        assert_eq!(
            check_headers(&policy(), 36677, &h, None)
                .unwrap_err()
                .status,
            403
        );
    }

    #[test]
    fn secrets_come_in_headers_only() {
        let o = Policy {
            secret: "s3".into(),
            ..policy()
        };
        let mut h = hdr("127.0.0.1:36677");
        assert_eq!(check_headers(&o, 36677, &h, None).unwrap_err().status, 401);
        let e = check_headers(&o, 36677, &h, Some("key=s3")).unwrap_err();
        assert!(e.message.contains("never in the URL"), "{}", e.message);
        for header in ["Bearer s3", "bearer s3", "BEARER  s3"] {
            h.authorization = Some(header);
            assert!(check_headers(&o, 36677, &h, None).is_ok(), "{header}");
        }
        h.authorization = Some("Basic s3");
        assert_eq!(check_headers(&o, 36677, &h, None).unwrap_err().status, 401);
        h.authorization = Some("Bearer nope");
        assert!(check_headers(&o, 36677, &h, None)
            .unwrap_err()
            .message
            .contains("wrong secret"));
        h.authorization = None;
        h.picgo_secret = Some("s3");
        assert!(check_headers(&o, 36677, &h, None).is_ok());
    }

    #[test]
    fn json_bodies() {
        assert_eq!(parse_json_body(b"").unwrap(), UploadRequest::Clipboard);
        assert_eq!(parse_json_body(b" {} ").unwrap(), UploadRequest::Clipboard);
        assert_eq!(
            parse_json_body(br#"{"list": []}"#).unwrap(),
            UploadRequest::Clipboard
        );
        assert_eq!(
            parse_json_body(br#"{"list": ["/a.png"]}"#).unwrap(),
            UploadRequest::Paths(vec!["/a.png".into()])
        );
        assert_eq!(parse_json_body(b"{nope").unwrap_err().status, 400);
        assert_eq!(
            parse_json_body(br#"{"list": [1]}"#).unwrap_err().status,
            400
        );
        assert_eq!(
            parse_json_body(br#"{"list": "x"}"#).unwrap_err().status,
            400
        );
        assert_eq!(parse_json_body(b"[]").unwrap_err().status, 400);
        assert_eq!(
            parse_json_body(&vec![b' '; MAX_JSON + 1])
                .unwrap_err()
                .status,
            413
        );
    }

    #[tokio::test]
    async fn multipart_bodies() {
        let body = "--B\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.png\"\r\n\r\nPNGDATA\r\n--B--\r\n";
        let got = parse_multipart("multipart/form-data; boundary=B", body.into())
            .await
            .unwrap();
        assert_eq!(
            got,
            UploadRequest::Files(vec![("a.png".into(), b"PNGDATA".to_vec())])
        );
        // Any field name, in order; parts without a file name are skipped.
        let mixed = "--B\r\nContent-Disposition: form-data; name=\"list\"; filename=\"1.png\"\r\n\r\nONE\r\n--B\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"2.png\"\r\n\r\nTWO\r\n--B--\r\n";
        assert_eq!(
            parse_multipart("multipart/form-data; boundary=B", mixed.into())
                .await
                .unwrap(),
            UploadRequest::Files(vec![
                ("1.png".into(), b"ONE".to_vec()),
                ("2.png".into(), b"TWO".to_vec())
            ])
        );
        let other = "--B\r\nContent-Disposition: form-data; name=\"files\"\r\n\r\nv\r\n--B--\r\n";
        let e = parse_multipart("multipart/form-data; boundary=B", other.into())
            .await
            .unwrap_err();
        assert!(e.message.contains("no part carries a file name"), "{e}");
        assert_eq!(
            parse_multipart("multipart/form-data; boundary=B", other.into())
                .await
                .unwrap_err()
                .status,
            400
        );
        assert_eq!(
            parse_multipart("multipart/form-data", body.into())
                .await
                .unwrap_err()
                .status,
            400
        );
    }

    #[test]
    fn delete_bodies() {
        let r = parse_delete_body(
            br#"{"list": [{"id": 3, "imgUrl": "https://x/a.png"}, {"id": "4"}, {"imgUrl": "https://x/b.png"}, {"fileName": "c.png"}], "deleteRemote": true}"#,
        )
        .unwrap();
        assert!(r.delete_remote);
        assert_eq!(
            r.targets[..3],
            [
                Ok(DeleteTarget::Id(3)),
                Ok(DeleteTarget::Id(4)),
                Ok(DeleteTarget::Url("https://x/b.png".into()))
            ]
        );
        assert!(r.targets[3].as_ref().unwrap_err().contains("neither"));
        assert!(
            !parse_delete_body(br#"{"list": [{"id": 1}]}"#)
                .unwrap()
                .delete_remote
        );
        for bad in [
            &b""[..],
            b"{}",
            b"[]",
            br#"{"list": []}"#,
            br#"{"list": [{"id": 1}], "deleteRemote": "yes"}"#,
        ] {
            assert_eq!(parse_delete_body(bad).unwrap_err().status, 400, "{bad:?}");
        }
    }

    fn png(head: &[u8]) -> bool {
        head.starts_with(b"\x89PNG\r\n\x1a\n")
    }

    #[test]
    fn listed_paths_must_be_absolute_image_files() {
        let dir = std::env::temp_dir().join(format!("picgo-api-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let img = dir.join("a.png");
        std::fs::write(&img, b"\x89PNG\r\n\x1a\n rest").unwrap();
        let txt = dir.join("secret.png");
        std::fs::write(&txt, b"password=hunter2").unwrap();
        assert!(check_listed_path(img.to_str().unwrap(), png).is_ok());
        assert_eq!(
            check_listed_path(txt.to_str().unwrap(), png).unwrap_err(),
            "not an image file"
        );
        assert_eq!(
            check_listed_path("/etc/passwd", png).unwrap_err(),
            "not an image file"
        );
        assert_eq!(
            check_listed_path("a.png", png).unwrap_err(),
            "not an absolute path"
        );
        assert_eq!(
            check_listed_path(dir.to_str().unwrap(), png).unwrap_err(),
            "not a regular file"
        );
        assert_eq!(
            check_listed_path("/dev/zero", png).unwrap_err(),
            "not a regular file"
        );
        assert_eq!(
            check_listed_path("/no/such.png", png).unwrap_err(),
            "no such file"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
