//! `localize`: a note's local images uploaded through the normal pipeline, and its references
//! to them replaced by their links, with the backup rules of `rewrite`.

use crate::msg;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::rewrite::{canonical, write_with_backups};
use super::scan::{code_regions, Kind};
use crate::error::{Error, Result};
use crate::pipeline::{Engine, Input, UploadOptions};

#[derive(Debug, Clone, Default)]
pub struct LocalizeOptions {
    /// The config to upload with (the default one when `None`).
    pub host: Option<String>,
    /// Say what would be uploaded and write nothing (nothing is uploaded either).
    pub dry_run: bool,
    pub backup_dir: Option<PathBuf>,
}

/// A local image a note names that is not there, or that could not be uploaded.
#[derive(Debug, Clone, Serialize)]
pub struct LocalProblem {
    pub note: PathBuf,
    /// 1-based.
    pub line: usize,
    pub reference: String,
    pub error: crate::Msg,
}

#[derive(Debug, Clone, Serialize)]
pub struct LocalizeReport {
    pub dry_run: bool,
    /// Each image uploaded (or to upload, in a dry run) with its link (none in a dry run).
    pub images: Vec<(PathBuf, Option<String>)>,
    pub changed: Vec<super::FileChange>,
    pub links_rewritten: usize,
    pub problems: Vec<LocalProblem>,
    pub backup_dir: Option<PathBuf>,
}

/// One reference to a local image: where its destination is written, and the file.
struct Reference {
    range: Range<usize>,
    file: Option<PathBuf>,
}

/// Whether `path` is a note whose local images can be uploaded (Markdown: `.md`, `.markdown`,
/// `.mdx`), as a file dropped on the app is offered.
pub fn is_note(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "md" | "markdown" | "mdx"))
}

/// Upload the local images `notes` reference and point the references at their links.
pub async fn localize(
    engine: &Engine,
    notes: &[PathBuf],
    opts: &LocalizeOptions,
) -> Result<LocalizeReport> {
    if notes.is_empty() {
        return Err(Error::Input(msg!("no notes given")));
    }
    let mut report = LocalizeReport {
        dry_run: opts.dry_run,
        images: Vec::new(),
        changed: Vec::new(),
        links_rewritten: 0,
        problems: Vec::new(),
        backup_dir: None,
    };
    let mut read = Vec::new();
    let mut files: BTreeMap<PathBuf, Option<String>> = BTreeMap::new();
    for note in notes {
        let note = canonical(note)?;
        let bytes =
            std::fs::read(&note).map_err(|e| Error::io(msg!("reading {}", note.display()), e))?;
        let text = String::from_utf8(bytes.clone()).map_err(|_| Error::File {
            path: note.clone(),
            reason: msg!("not UTF-8 text"),
        })?;
        let kind = Kind::of(&note).unwrap_or(Kind::Markdown);
        let refs = references(&text, kind, note.parent().unwrap_or(Path::new("/")));
        for r in &refs {
            match &r.file {
                Some(f) => {
                    files.insert(f.clone(), None);
                }
                None => report
                    .problems
                    .push(problem(&note, &text, &r.range, msg!("no such file"))),
            }
        }
        read.push((note, bytes, text, refs));
    }
    if !opts.dry_run && !files.is_empty() {
        let inputs: Vec<PathBuf> = files.keys().cloned().collect();
        let outcomes = engine
            .upload_all(
                inputs.iter().cloned().map(Input::Path).collect(),
                UploadOptions {
                    host: opts.host.clone(),
                    ..Default::default()
                },
            )
            .await;
        for o in outcomes {
            let path = &inputs[o.index];
            match o.result {
                Ok(done) => {
                    files.insert(path.clone(), Some(done.record.url));
                }
                Err(e) => {
                    for (note, _, text, refs) in &read {
                        for r in refs.iter().filter(|r| r.file.as_ref() == Some(path)) {
                            report.problems.push(problem(note, text, &r.range, e.msg()));
                        }
                    }
                }
            }
        }
    }
    report.images = files.iter().map(|(p, u)| (p.clone(), u.clone())).collect();
    let mut writes = Vec::new();
    for (note, bytes, text, refs) in read {
        let mut new = String::with_capacity(text.len());
        let mut at = 0;
        let mut n = 0;
        for r in &refs {
            if let Some(Some(url)) = r.file.as_ref().and_then(|f| files.get(f)) {
                new.push_str(&text[at..r.range.start]);
                new.push_str(url);
                at = r.range.end;
                n += 1;
            }
        }
        new.push_str(&text[at..]);
        if n == 0 {
            continue;
        }
        report.links_rewritten += n;
        report.changed.push(super::FileChange {
            path: note.clone(),
            links: n,
            diff: None,
        });
        writes.push((note, bytes, new));
    }
    // In a dry run nothing was uploaded and nothing changes: `images` says what would go.
    if !writes.is_empty() {
        report.backup_dir = Some(write_with_backups(
            &writes,
            opts.backup_dir.as_deref(),
            &notes[0],
        )?);
    }
    Ok(report)
}

fn problem(note: &Path, text: &str, range: &Range<usize>, error: crate::Msg) -> LocalProblem {
    LocalProblem {
        note: note.to_path_buf(),
        line: text[..range.start].matches('\n').count() + 1,
        reference: text[range.clone()].to_string(),
        error,
    }
}

/// The local image references of a note outside code: `![alt](dest "title")`,
/// `![alt](<dest>)` and `<img src="dest">`, whose destination is not a web or data link.
fn references(text: &str, kind: Kind, dir: &Path) -> Vec<Reference> {
    let code = code_regions(text, kind);
    let in_code = |i: usize| code.iter().any(|r| r.contains(&i));
    let mut out = Vec::new();
    let markdown = regex::Regex::new(
        r#"!\[[^\]\n]*\]\(([ \t]*)(<[^>\n]*>|[^)\n]*?)(?:[ \t]+"[^"\n]*")?[ \t]*\)"#,
    )
    .expect("a valid pattern");
    let img = regex::Regex::new(r#"(?i)<img\b[^>]*?\bsrc\s*=\s*(?:"([^"\n]*)"|'([^'\n]*)')"#)
        .expect("a valid pattern");
    for c in markdown.captures_iter(text) {
        let whole = c.get(0).expect("a match");
        let m = c.get(2).expect("a destination");
        let mut range = m.range();
        if m.as_str().starts_with('<') {
            range = range.start + 1..range.end - 1;
        }
        if !in_code(whole.start()) {
            out.extend(local(text, range, dir));
        }
    }
    for c in img.captures_iter(text) {
        let whole = c.get(0).expect("a match");
        let m = c.get(1).or_else(|| c.get(2)).expect("a source");
        if !in_code(whole.start()) {
            out.extend(local(text, m.range(), dir));
        }
    }
    out.sort_by_key(|r| r.range.start);
    out
}

/// A reference to a local file, if `text[range]` is one (None for web and data links).
fn local(text: &str, range: Range<usize>, dir: &Path) -> Option<Reference> {
    let dest = text[range.clone()].trim();
    let lower = dest.to_ascii_lowercase();
    if dest.is_empty()
        || ["http://", "https://", "data:", "//"]
            .iter()
            .any(|p| lower.starts_with(p))
    {
        return None;
    }
    let candidates: Vec<PathBuf> = if lower.starts_with("file:") {
        url::Url::parse(dest)
            .ok()
            .and_then(|u| u.to_file_path().ok())
            .into_iter()
            .collect()
    } else {
        let decoded = percent_encoding::percent_decode_str(dest).decode_utf8_lossy();
        [dest, decoded.as_ref()]
            .iter()
            .map(|d| dir.join(d))
            .collect()
    };
    let file = candidates
        .into_iter()
        .find(|p| p.is_file())
        .and_then(|p| p.canonicalize().ok());
    Some(Reference { range, file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_references_are_found_outside_code() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a b.png"), b"x").unwrap();
        std::fs::write(dir.path().join("图.png"), b"x").unwrap();
        let abs = dir.path().join("图.png").display().to_string();
        let text = format!(
            "![x](a b.png \"t\") ![y](<a%20b.png>) <img src='{abs}'> ![w](https://h/a.png)\n\
             `![z](a b.png)` ![m](missing.png) ![f](file://{abs})\n"
        );
        let refs = references(&text, Kind::Markdown, dir.path());
        let seen: Vec<(&str, bool)> = refs
            .iter()
            .map(|r| (&text[r.range.clone()], r.file.is_some()))
            .collect();
        let file_url = format!("file://{abs}");
        assert_eq!(
            seen,
            [
                ("a b.png", true),
                ("a%20b.png", true),
                (abs.as_str(), true),
                ("missing.png", false),
                (file_url.as_str(), true),
            ]
        );
    }
}
