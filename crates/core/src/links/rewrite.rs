//! `rewrite`: the links of moved images in notes, replaced by their new links. Every other byte
//! of a note stays as it was; nothing is written without a backup of the original first.

use crate::msg;
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use super::check::LinkStatus;
use super::diff;
use super::scan::{code_regions, Kind, Known};
use crate::album::Album;
use crate::error::{Error, Result};
use crate::fsutil::write_atomic;

#[derive(Debug, Clone, Default)]
pub struct RewriteOptions {
    /// Say what would change (a diff per file) and write nothing.
    pub dry_run: bool,
    /// Where the originals go (default: a timestamped folder beside the first path).
    pub backup_dir: Option<PathBuf>,
}

/// A file that changed (or would, in a dry run).
#[derive(Debug, Clone, Serialize)]
pub struct FileChange {
    pub path: PathBuf,
    /// Links replaced in it.
    pub links: usize,
    /// The unified diff (dry runs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

/// A link into the album whose last check found it broken, with no moved copy to point to.
#[derive(Debug, Clone, Serialize)]
pub struct BrokenLink {
    pub path: PathBuf,
    /// 1-based.
    pub line: usize,
    pub url: String,
    pub id: i64,
    pub status: LinkStatus,
}

#[derive(Debug, Clone, Serialize)]
pub struct RewriteReport {
    pub dry_run: bool,
    pub files_scanned: usize,
    pub changed: Vec<FileChange>,
    pub links_rewritten: usize,
    pub broken: Vec<BrokenLink>,
    /// Files left alone, and why (not UTF-8 text).
    pub skipped: Vec<(PathBuf, String)>,
    /// Where the originals of changed files were copied (none in a dry run or when nothing
    /// changed).
    pub backup_dir: Option<PathBuf>,
}

/// Walk `paths` (files, and folders recursively) and replace every link of a moved record with
/// the link of where it went.
pub fn rewrite(album: &Album, paths: &[PathBuf], opts: &RewriteOptions) -> Result<RewriteReport> {
    let moved = Known::new(album.moved_links()?);
    let broken = Known::new(
        album
            .broken_links()?
            .into_iter()
            .map(|(id, url, status)| (url, (id, status))),
    );
    let files = collect(paths)?;
    let mut report = RewriteReport {
        dry_run: opts.dry_run,
        files_scanned: files.len(),
        changed: Vec::new(),
        links_rewritten: 0,
        broken: Vec::new(),
        skipped: Vec::new(),
        backup_dir: None,
    };
    let mut writes = Vec::new();
    for (path, kind) in files {
        let bytes =
            std::fs::read(&path).map_err(|e| Error::io(msg!("reading {}", path.display()), e))?;
        let Ok(text) = std::str::from_utf8(&bytes) else {
            report
                .skipped
                .push((path, "not UTF-8 text; left alone".into()));
            continue;
        };
        let code = code_regions(text, kind);
        for (range, (id, status)) in broken.find(text, &code) {
            report.broken.push(BrokenLink {
                line: text[..range.start].matches('\n').count() + 1,
                url: text[range].to_string(),
                path: path.clone(),
                id: *id,
                status: *status,
            });
        }
        let edits = moved.find(text, &code);
        if edits.is_empty() {
            continue;
        }
        let mut new = String::with_capacity(text.len());
        let mut at = 0;
        for (range, to) in &edits {
            new.push_str(&text[at..range.start]);
            new.push_str(to);
            at = range.end;
        }
        new.push_str(&text[at..]);
        if new == text {
            continue;
        }
        report.links_rewritten += edits.len();
        report.changed.push(FileChange {
            path: path.clone(),
            links: edits.len(),
            diff: opts
                .dry_run
                .then(|| diff::unified(&path.display().to_string(), text, &new)),
        });
        writes.push((path, bytes, new));
    }
    if opts.dry_run || writes.is_empty() {
        return Ok(report);
    }
    report.backup_dir = Some(write_with_backups(
        &writes,
        opts.backup_dir.as_deref(),
        &paths[0],
    )?);
    Ok(report)
}

/// Copy every original (path, its bytes as read) to the backup folder (`backup_dir`, else a
/// new one beside `first`), and only then replace each note with its new text, atomically and
/// keeping its permissions. Returns the backup folder.
pub(super) fn write_with_backups(
    writes: &[(PathBuf, Vec<u8>, String)],
    backup_dir: Option<&Path>,
    first: &Path,
) -> Result<PathBuf> {
    let backup = match backup_dir {
        Some(dir) => dir.to_path_buf(),
        None => default_backup_dir(first)?,
    };
    // Every original is copied before any note is written.
    for (path, old, _) in writes {
        let copy = backup.join(mirrored(path));
        if let Some(dir) = copy.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io(msg!("creating {}", dir.display()), e))?;
        }
        write_atomic(&copy, old)?;
    }
    for (path, _, new) in writes {
        let permissions = std::fs::metadata(path).map(|m| m.permissions());
        write_atomic(path, new.as_bytes())?;
        if let Ok(p) = permissions {
            std::fs::set_permissions(path, p)
                .map_err(|e| Error::io(msg!("keeping the permissions of {}", path.display()), e))?;
        }
    }
    Ok(backup)
}

/// `pixdrop-backup-YYYYMMDD-HHMMSS` beside `first` (a number added if that exists).
fn default_backup_dir(first: &Path) -> Result<PathBuf> {
    let first = canonical(first)?;
    let beside = first.parent().unwrap_or(&first);
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S").to_string();
    let mut dir = beside.join(format!("{BACKUP_PREFIX}{stamp}"));
    let mut n = 1;
    while dir.exists() {
        n += 1;
        dir = beside.join(format!("{BACKUP_PREFIX}{stamp}-{n}"));
    }
    Ok(dir)
}

const BACKUP_PREFIX: &str = "pixdrop-backup-";

/// A file's absolute path as a relative one (its backup's place under the backup folder).
fn mirrored(path: &Path) -> PathBuf {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part),
            _ => None,
        })
        .collect()
}

pub(super) fn canonical(path: &Path) -> Result<PathBuf> {
    path.canonicalize()
        .map_err(|e| Error::io(msg!("reading {}", path.display()), e))
}

/// The files to look at: each file given (as Markdown unless it is HTML), and in each folder
/// given, every note file, skipping hidden folders, `node_modules`, backup folders and links.
fn collect(paths: &[PathBuf]) -> Result<Vec<(PathBuf, Kind)>> {
    if paths.is_empty() {
        return Err(Error::Input(msg!("no files or folders given")));
    }
    let mut out = BTreeSet::new();
    for p in paths {
        let path = canonical(p)?;
        if path.is_dir() {
            walk(&path, &mut out)?;
        } else {
            let kind = Kind::of(&path).unwrap_or(Kind::Markdown);
            out.insert((path, kind));
        }
    }
    Ok(out.into_iter().collect())
}

fn walk(dir: &Path, out: &mut BTreeSet<(PathBuf, Kind)>) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| Error::io(msg!("reading {}", dir.display()), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(msg!("reading {}", dir.display()), e))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            if !(name.starts_with('.') || name == "node_modules" || name.starts_with(BACKUP_PREFIX))
            {
                walk(&path, out)?;
            }
        } else if kind.is_file() {
            if let Some(k) = Kind::of(&path) {
                out.insert((path, k));
            }
        }
    }
    Ok(())
}
