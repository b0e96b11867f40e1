//! What the storage kinds (`s3`, `webdav`, `sftp`, `local`) share: the object key an
//! `upload_path` template gives, the public link under a URL prefix, and the next free key when
//! one is taken (none of them overwrites a file).

use crate::msg;
use async_trait::async_trait;
use chrono::Local;

use super::{Deletes, FieldKind, FieldSpec, Http, Payload};
use crate::error::{Error, Result};
use crate::rename;

/// Where a file goes when the config says nothing: year and month folders, the file's name.
pub const DEFAULT_UPLOAD_PATH: &str = "{Y}/{m}/{filename}.{ext}";

/// The setting of the kinds that write files with permissions (`sftp`, `local`).
pub const FILE_MODE: FieldSpec = FieldSpec::new(
    "file_mode",
    "File mode",
    FieldKind::Text,
    "The permissions of uploaded files, in octal.",
)
.default("0644");

/// `0644`, `644` or `0o644` as a mode.
pub fn parse_mode(text: &str) -> Result<u32> {
    let t = text.trim().trim_start_matches("0o");
    u32::from_str_radix(t, 8)
        .ok()
        .filter(|m| *m <= 0o7777 && !t.is_empty())
        .ok_or_else(|| {
            Error::Input(msg!(
                "File mode (file_mode) must be an octal mode such as 0644, not {text:?}"
            ))
        })
}

/// How many numbered names are tried when a key is taken (`cat.png`, `cat-2.png` … ).
pub const MAX_TRIES: u32 = 100;

/// What is escaped in each part of a key put into a link: everything but RFC 3986's unreserved
/// characters, so a space is `%20`, `+` is `%2B`, `#` is `%23` and CJK is its UTF-8 bytes.
const KEY_PART: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The key a file is stored under: the template filled for this file (see [`rename::fill_path`]).
pub fn key_for(upload_path: &str, file: &Payload) -> Result<String> {
    rename::fill_path(upload_path, &file.name, &file.bytes, Local::now())
}

/// A folder setting (`img/{Y}`, `/img/`, empty) as an upload path: the folder, then the file's
/// name (the hosted kinds whose setting is a folder: GitHub, Upyun; PicGo's folder settings).
pub fn folder_template(folder: &str) -> String {
    let f = folder.trim().trim_matches('/');
    if f.is_empty() {
        "{filename}.{ext}".to_string()
    } else {
        format!("{f}/{{filename}}.{{ext}}")
    }
}

/// The `n`-th name tried for `key` (n from 1): `key` itself, then `-2`, `-3` … before the
/// extension of its last part.
pub fn numbered(key: &str, n: u32) -> String {
    if n <= 1 {
        return key.to_string();
    }
    let (dir, name) = match key.rfind('/') {
        Some(i) => (&key[..=i], &key[i + 1..]),
        None => ("", key),
    };
    match name.rfind('.') {
        Some(i) if i > 0 => format!("{dir}{}-{n}{}", &name[..i], &name[i..]),
        _ => format!("{dir}{name}-{n}"),
    }
}

/// A key as the path of a URL: each part percent-encoded, the `/` between them kept.
pub fn encode_key(key: &str) -> String {
    key.split('/')
        .map(|p| percent_encoding::utf8_percent_encode(p, KEY_PART).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// The public link of `key` under `prefix` (a URL; a trailing `/` is not doubled).
pub fn link(prefix: &str, key: &str) -> String {
    format!(
        "{}/{}",
        prefix.trim().trim_end_matches('/'),
        encode_key(key)
    )
}

/// A stored file's delete handle: the place it is in (`location`, a URL ending in `/` that names
/// the server and bucket or folder) and its key, as one URL. Deleting checks the place against
/// the config as it is then: a config moved to another bucket, folder or server since would
/// name another file with the same key.
pub fn handle(location: &str, key: &str) -> String {
    format!("{location}{}", encode_key(key))
}

/// The key a handle names in `location`; `None` when it names a file elsewhere (the config
/// changed since the upload) or is no handle of a stored file.
pub fn key_in(location: &str, handle: &str) -> Option<String> {
    let rest = handle.strip_prefix(location)?;
    let key = percent_encoding::percent_decode_str(rest)
        .decode_utf8()
        .ok()?
        .into_owned();
    is_key(&key).then_some(key)
}

/// Whether `key` names a file below a place: parts of a path, none empty, `.` or `..`, no
/// backslash or control character, nothing absolute.
pub fn is_key(key: &str) -> bool {
    !(key.is_empty()
        || key.starts_with('/')
        || key.contains('\\')
        || key.chars().any(char::is_control)
        || key
            .split('/')
            .any(|p| p.is_empty() || p == "." || p == ".."))
}

/// The key of `handle` in `location`, or the refusal to delete anything else.
pub fn key_to_delete(location: &str, handle: &str) -> crate::error::Result<String> {
    key_in(location, handle).ok_or_else(|| {
        crate::error::Error::Refused(msg!(
            "{handle:?} is not a file in {location} (where the config points now), so nothing was deleted on the host"
        ))
    })
}

/// A kind that keeps files under keys in one place (a bucket, a folder, a server). Its delete
/// handles are [`handle`]s of that place, so a handle of another place (the config moved since
/// the upload) is refused before anything is sent.
#[async_trait]
pub trait Storage: Send + Sync {
    /// Where this config's files are, as a URL ending in `/`.
    fn location(&self) -> String;

    /// Delete the file `key` of this place; a file already gone counts as deleted.
    async fn delete_key(&self, http: &Http, key: &str) -> Result<()>;

    /// The delete handle of `key`.
    fn handle_of(&self, key: &str) -> String {
        handle(&self.location(), key)
    }
}

#[async_trait]
impl<T: Storage> Deletes for T {
    fn names(&self, handle: &str) -> bool {
        key_in(&self.location(), handle).is_some()
    }

    async fn delete(&self, http: &Http, handle: &str) -> Result<()> {
        let key = key_to_delete(&self.location(), handle)?;
        self.delete_key(http, &key).await
    }
}

/// One file in a folder of a [`SyncPlace`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceFile {
    /// Its name in the folder (no `/`).
    pub name: String,
    pub size: u64,
}

/// A storage kind that can keep the sealed objects of a sync (`crate::sync`) in a folder of its
/// place: files listed, read back bounded, created whole and removed ([`Storage::delete_key`]).
/// A file is never overwritten, and another machine never reads one in part: it appears whole
/// under its name or not at all.
#[async_trait]
pub trait SyncPlace: Storage {
    /// The files directly in `folder` (a key, no trailing `/`); a folder not made yet is empty.
    /// The names writes use for a moment are not listed (see [`is_listed`]).
    async fn list(&self, http: &Http, folder: &str) -> Result<Vec<PlaceFile>>;

    /// The file `key`, or `None` when there is none; a file over `max` bytes is refused before
    /// it is read.
    async fn read(&self, http: &Http, key: &str, max: u64) -> Result<Option<Vec<u8>>>;

    /// Write `bytes` as `key`, with the folders it needs, unless a file of that name exists
    /// (`Ok(false)`, nothing written).
    async fn create(&self, http: &Http, key: &str, bytes: bytes::Bytes) -> Result<bool>;
}

/// Send a request that reads `key` of a sync place over HTTP, at most `max` bytes of it.
pub async fn read_over_http(
    http: &Http,
    req: reqwest::RequestBuilder,
    key: &str,
    max: u64,
) -> Result<(super::HttpAnswer, Vec<u8>)> {
    http.send_bytes(req, max).await.map_err(|e| match e {
        Error::TooLarge(_) => too_large(key, max),
        e => e,
    })
}

/// Whether a file's name is listed by [`SyncPlace::list`]: not a name a write is using for a
/// moment (hidden, or a `.part`).
pub fn is_listed(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('.') && !name.ends_with(".part")
}

/// The refusal of a file in a sync place larger than `max` bytes.
pub fn too_large(key: &str, max: u64) -> Error {
    Error::TooLarge(msg!(
        "{key} in the sync place is larger than the {max} bytes a sync file can be"
    ))
}

/// The folders of `key`, outermost first: `a/b/c.png` → `a`, `a/b`.
pub fn parents(key: &str) -> Vec<&str> {
    key.match_indices('/').map(|(i, _)| &key[..i]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes() {
        assert_eq!(parse_mode("0644").unwrap(), 0o644);
        assert_eq!(parse_mode("600").unwrap(), 0o600);
        assert!(parse_mode("0999").is_err());
        assert!(parse_mode("rw-r--r--").is_err());
    }

    #[test]
    fn numbered_names_keep_the_extension() {
        assert_eq!(numbered("2026/11/cat.png", 1), "2026/11/cat.png");
        assert_eq!(numbered("2026/11/cat.png", 2), "2026/11/cat-2.png");
        assert_eq!(numbered("a.b/noext", 3), "a.b/noext-3");
        assert_eq!(numbered(".hidden", 2), ".hidden-2");
    }

    #[test]
    fn keys_are_encoded_for_links() {
        assert_eq!(
            link("https://cdn.example.com/", "2026/11/a b+c#d 图.png"),
            "https://cdn.example.com/2026/11/a%20b%2Bc%23d%20%E5%9B%BE.png"
        );
        assert_eq!(parents("a/b/c.png"), vec!["a", "a/b"]);
    }

    #[test]
    fn handles_name_the_place_and_the_key() {
        let at = "file:///srv/img/";
        let h = handle(at, "2026/a b#图.png");
        assert_eq!(h, "file:///srv/img/2026/a%20b%23%E5%9B%BE.png");
        assert_eq!(key_in(at, &h).as_deref(), Some("2026/a b#图.png"));
        // Another folder, or a key that would leave the folder: not this config's file.
        assert_eq!(key_in("file:///srv/other/", &h), None);
        assert_eq!(key_in(at, "file:///srv/img/..%2Fetc/passwd"), None);
        assert_eq!(key_in(at, "file:///srv/img/a//b"), None);
        assert_eq!(key_in(at, "2026/a.png"), None);
        assert!(parents("c.png").is_empty());
    }
}
