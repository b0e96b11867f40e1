//! Renaming files before upload: keep the name, use a timestamp (as PicGo's auto-rename), or
//! fill a pattern.
//!
//! Pattern placeholders: `{Y}` year, `{y}` two-digit year, `{m}` month, `{d}` day, `{h}` hour,
//! `{i}` minute, `{s}` second, `{ms}` millisecond, `{timestamp}` Unix milliseconds, `{md5}` MD5
//! of the file's bytes, `{md5-16}` its first 16 hex digits, `{sha256}` its SHA-256, `{uuid}` a
//! random UUID, `{filename}` the original name without extension, `{ext}` the extension without
//! its dot. A renamed file always keeps its original extension.
//!
//! The same language fills the storage hosts' `upload_path` templates ([`fill_path`]), where `/`
//! separates folders.

use crate::{msg, Msg};
use chrono::{DateTime, Datelike, Local, Timelike};
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum RenameMode {
    #[default]
    None,
    Timestamp,
    Pattern,
}

const PLACEHOLDERS: &[&str] = &[
    "Y",
    "y",
    "m",
    "d",
    "h",
    "i",
    "s",
    "ms",
    "timestamp",
    "md5",
    "md5-16",
    "uuid",
    "filename",
    "sha256",
    "ext",
];

/// Check a pattern without renaming anything: braces balanced, placeholders known, no slashes.
pub fn check_pattern(pattern: &str) -> Result<()> {
    if pattern.trim().is_empty() {
        return Err(Error::Input(msg!("the rename pattern is empty")));
    }
    if pattern.contains('/') || pattern.contains('\\') {
        return Err(Error::Input(msg!(
            "the rename pattern {pattern:?} must not contain / or \\"
        )));
    }
    check_placeholders(pattern, msg!("the rename pattern"))
}

/// Check an `upload_path` template: placeholders known, folders separated by `/` only, no
/// `.` or `..` folder, no control characters.
pub fn check_path_template(template: &str) -> Result<()> {
    let what = msg!("the upload path {template:?}");
    if template.trim().is_empty() {
        return Err(Error::Input(msg!("the upload path is empty")));
    }
    if template.contains('\\') || template.chars().any(char::is_control) {
        return Err(Error::Input(msg!(
            "{what} must not contain \\ or control characters; folders are separated by /"
        )));
    }
    if template
        .split('/')
        .any(|seg| matches!(seg.trim(), "." | ".."))
    {
        return Err(Error::Input(msg!(
            "{what} must not contain . or .. folders"
        )));
    }
    check_placeholders(template, msg!("the upload path"))
}

fn check_placeholders(pattern: &str, what: Msg) -> Result<()> {
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| Error::Input(msg!("{what} {pattern:?} has a {{ without }}")))?;
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) {
            return Err(Error::Input(msg!(
                "unknown placeholder {{{name}}} in {what}; use {}",
                PLACEHOLDERS
                    .iter()
                    .map(|p| format!("{{{p}}}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            )));
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

fn split_ext(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name, ""),
    }
}

/// The longest name sent to a host, in bytes (file systems and object stores take 255).
pub const MAX_UPLOAD_NAME: usize = 200;

/// A name as it may be sent to a host (a multipart `filename`, `{filename}` in URLs, paths and
/// headers): control characters (CR, LF, tab, DEL …) and path separators become `_`, so a name
/// can neither add a header line nor climb out of a folder; `.`, `..` and blank names become
/// `image`; a name longer than [`MAX_UPLOAD_NAME`] bytes is cut, keeping its extension. The
/// album keeps the real name; only what is sent is cleaned.
pub fn safe_upload_name(name: &str) -> String {
    let cleaned: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim();
    let cleaned = if cleaned.is_empty() || cleaned.chars().all(|c| c == '.') {
        "image"
    } else {
        cleaned
    };
    if cleaned.len() <= MAX_UPLOAD_NAME {
        return cleaned.to_string();
    }
    let (stem, ext) = split_ext(cleaned);
    // An "extension" that is itself most of the name is not kept whole.
    let ext = if ext.len() > 16 { "" } else { ext };
    let mut cut = MAX_UPLOAD_NAME - ext.len();
    while !stem.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{ext}", &stem[..cut])
}

/// The name to upload `original` (whose bytes are `bytes`) under.
pub fn apply(
    mode: RenameMode,
    pattern: &str,
    original: &str,
    bytes: &[u8],
    now: DateTime<Local>,
) -> Result<String> {
    let (_, ext) = split_ext(original);
    match mode {
        RenameMode::None => Ok(original.to_string()),
        RenameMode::Timestamp => Ok(format!("{}{ext}", now.format("%Y%m%d%H%M%S%3f"))),
        RenameMode::Pattern => {
            check_pattern(pattern)?;
            let out = fill(pattern, original, bytes, now);
            let out = out.trim().to_string();
            if out.is_empty() {
                return Err(Error::Input(msg!(
                    "the rename pattern {pattern:?} gives an empty name"
                )));
            }
            Ok(format!("{out}{ext}"))
        }
    }
}

/// A checked pattern with its placeholders filled in for the file `name` with `bytes`. A value
/// never adds a folder: `/` and `\` in it become `_`.
fn fill(pattern: &str, name: &str, bytes: &[u8], now: DateTime<Local>) -> String {
    let (stem, ext) = split_ext(name);
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').unwrap_or(after.len());
        let value = match &after[..close] {
            "Y" => format!("{:04}", now.year()),
            "y" => format!("{:02}", now.year() % 100),
            "m" => format!("{:02}", now.month()),
            "d" => format!("{:02}", now.day()),
            "h" => format!("{:02}", now.hour()),
            "i" => format!("{:02}", now.minute()),
            "s" => format!("{:02}", now.second()),
            "ms" => format!("{:03}", now.timestamp_subsec_millis()),
            "timestamp" => now.timestamp_millis().to_string(),
            "md5" => hex::encode(Md5::digest(bytes)),
            "md5-16" => hex::encode(Md5::digest(bytes))[..16].to_string(),
            "sha256" => hex::encode(sha2::Sha256::digest(bytes)),
            "uuid" => uuid::Uuid::new_v4().simple().to_string(),
            "filename" => stem.to_string(),
            "ext" => ext.trim_start_matches('.').to_string(),
            _ => String::new(),
        };
        out.push_str(&value.replace(['/', '\\'], "_"));
        rest = &after[(close + 1).min(after.len())..];
    }
    out.push_str(rest);
    out
}

/// The object key (a relative path, `/`-separated) an `upload_path` template gives for the file
/// `name` with `bytes`: placeholders filled, empty folders dropped, no leading `/`, and no part
/// that is `.`, `..` or holds a control character (those become `_`), whatever the name was.
pub fn fill_path(template: &str, name: &str, bytes: &[u8], now: DateTime<Local>) -> Result<String> {
    check_path_template(template)?;
    let filled = fill(template, name, bytes, now);
    let parts: Vec<String> = filled
        .split('/')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let p: String = p
                .chars()
                .map(|c| if c.is_control() { '_' } else { c })
                .collect();
            if p.chars().all(|c| c == '.') {
                "_".repeat(p.len())
            } else {
                p
            }
        })
        .collect();
    if parts.is_empty() {
        return Err(Error::Input(msg!(
            "the upload path {template:?} gives an empty name for {name:?}"
        )));
    }
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sent_to_hosts_are_cleaned() {
        assert_eq!(safe_upload_name("new\nline.png"), "new_line.png");
        assert_eq!(
            safe_upload_name("a\r\nX-Injected: 1\r\n.png"),
            "a__X-Injected: 1__.png"
        );
        assert_eq!(safe_upload_name("../../etc/passwd"), ".._.._etc_passwd");
        assert_eq!(safe_upload_name("..\\win.png"), ".._win.png");
        assert_eq!(safe_upload_name(".."), "image");
        assert_eq!(safe_upload_name("  \t "), "image");
        assert_eq!(safe_upload_name("tab\there\u{7f}.png"), "tab_here_.png");
        assert_eq!(safe_upload_name("图片 ü+#.png"), "图片 ü+#.png");
        let long = format!("{}.png", "é".repeat(40_000));
        let cut = safe_upload_name(&long);
        assert!(
            cut.len() <= MAX_UPLOAD_NAME && cut.ends_with(".png"),
            "{cut}"
        );
        assert!(cut.starts_with("éé"));
    }
    use chrono::TimeZone;

    fn now() -> DateTime<Local> {
        Local.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap()
    }

    #[test]
    fn modes() {
        assert_eq!(
            apply(RenameMode::None, "", "a b.png", b"x", now()).unwrap(),
            "a b.png"
        );
        assert_eq!(
            apply(RenameMode::Timestamp, "", "a.png", b"x", now()).unwrap(),
            "20260304050607000.png"
        );
        let p = apply(RenameMode::Pattern, "{Y}/{m}", "a.png", b"x", now());
        assert!(p.is_err());
        assert_eq!(
            apply(
                RenameMode::Pattern,
                "{Y}-{m}-{d}_{h}{i}{s}_{filename}",
                "cat.jpg",
                b"x",
                now()
            )
            .unwrap(),
            "2026-03-04_050607_cat.jpg"
        );
        assert_eq!(
            apply(RenameMode::Pattern, "{md5-16}", "cat.jpg", b"hello", now()).unwrap(),
            "5d41402abc4b2a76.jpg"
        );
        let u = apply(RenameMode::Pattern, "{uuid}", "x.gif", b"", now()).unwrap();
        assert_eq!(u.len(), 32 + 4);
    }

    #[test]
    fn bad_patterns_are_named() {
        assert!(check_pattern("{nope}")
            .unwrap_err()
            .to_string()
            .contains("{nope}"));
        assert!(check_pattern("{Y")
            .unwrap_err()
            .to_string()
            .contains("without"));
        assert!(check_pattern("").is_err());
        check_pattern("plain-name").unwrap();
    }
}
