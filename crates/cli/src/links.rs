//! `pixdrop links check` and `pixdrop rewrite`: which of the album's links still work, and
//! notes brought up to date with the links of moved images.

use pixdrop_core::msg;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use pixdrop_core::links::{
    self, CheckOptions, LocalizeOptions, MoveOptions, MoveStatus, RewriteOptions,
};
use pixdrop_core::{Engine, ListQuery};

use crate::Failure;

#[derive(Debug, Subcommand)]
pub enum LinksCmd {
    /// Ask every record's link whether it still serves the uploaded image: ok, gone (404/410),
    /// changed (another size, or not an image), unreachable. Exit 1 when any is not ok.
    Check {
        /// Only records of this config.
        #[arg(long, value_name = "NAME", add = crate::names::names())]
        host: Option<String>,
        /// Only records whose file name or URL has this text.
        #[arg(long)]
        search: Option<String>,
        /// Print a JSON array of {id, config_name, file_name, url, status, detail, checked_at}.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct RewriteArgs {
    /// Notes (.md .markdown .mdx .html .htm .txt) and folders of them (searched recursively,
    /// skipping hidden folders and node_modules).
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub write: WriteArgs,
}

/// How `rewrite` and `localize` write notes.
#[derive(Debug, Args)]
pub struct WriteArgs {
    /// Say what would change (rewrite: a diff per file) and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Copy the originals here (default: pixdrop-backup-TIME beside the first path).
    #[arg(long, value_name = "DIR")]
    pub backup_dir: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct LocalizeArgs {
    /// Notes whose local images (relative to the note, absolute, or file: URLs) to upload.
    #[arg(value_name = "FILE", required = true)]
    pub notes: Vec<PathBuf>,
    /// Upload with this config instead of the default.
    #[arg(long, value_name = "NAME", add = crate::names::names())]
    pub host: Option<String>,
    #[command(flatten)]
    pub write: WriteArgs,
}

#[derive(Debug, Args)]
pub struct MoveArgs {
    /// Album record ids (see `pixdrop album list`).
    #[arg(
        value_name = "ID",
        required_unless_present = "host",
        conflicts_with = "host"
    )]
    pub ids: Vec<i64>,
    /// Every record of this config instead of ids.
    #[arg(long, value_name = "OLD", add = crate::names::names())]
    pub host: Option<String>,
    /// The config to move to.
    #[arg(long, value_name = "NAME", required = true, add = crate::names::names())]
    pub to: String,
    /// Delete each old copy on its host once its new copy is recorded (the record stays, so
    /// notes can still be rewritten).
    #[arg(long)]
    pub delete_old: bool,
    /// Find each image and say what would be done; upload, record and delete nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the report as JSON: {to, dry_run, results: [{id, file_name, config_name, url,
    /// status, source, new_id, new_url, old_deleted, detail}]}.
    #[arg(long)]
    pub json: bool,
}

/// `pixdrop album move`: exit 1 when any record is lost, failed or skipped, or an old copy
/// asked to be deleted was not.
pub async fn album_move(engine: &Engine, args: MoveArgs) -> Result<(), Failure> {
    let ids = match &args.host {
        Some(old) => {
            let ids = engine.album().ids(&ListQuery {
                config: Some(old.clone()),
                limit: 0,
                sort: pixdrop_core::Sort::Oldest,
                ..Default::default()
            })?;
            if ids.is_empty() {
                return Err(pixdrop_core::Error::NotFound(msg!(
                    "the album has no records of a config named {old:?}"
                ))
                .into());
            }
            ids
        }
        None => args.ids.clone(),
    };
    let opts = MoveOptions {
        to: args.to,
        delete_old: args.delete_old,
        dry_run: args.dry_run,
    };
    let report = links::move_records(engine, &ids, &opts).await?;
    if args.json {
        let value = serde_json::to_value(&report).map(messages_as_text);
        println!(
            "{}",
            value
                .and_then(|v| serde_json::to_string_pretty(&v))
                .unwrap_or_default()
        );
    } else {
        for r in &report.results {
            let deleted = if r.old_deleted && opts.delete_old {
                " (old copy deleted)"
            } else {
                ""
            };
            let new_url = r.new_url.as_deref().unwrap_or("");
            match r.status {
                MoveStatus::Moved => println!(
                    "{} {}: moved from {} → {new_url}{deleted}",
                    r.id,
                    r.file_name,
                    r.source.as_deref().unwrap_or("its link")
                ),
                MoveStatus::AlreadyMoved => println!(
                    "{} {}: moved already → {new_url}{deleted}",
                    r.id, r.file_name
                ),
                MoveStatus::WouldMove => println!(
                    "{} {}: would move from {} to {}",
                    r.id,
                    r.file_name,
                    r.source.as_deref().unwrap_or("its link"),
                    report.to
                ),
                MoveStatus::Lost => eprintln!(
                    "pixdrop: {} {}: lost: {}",
                    r.id,
                    r.file_name,
                    r.detail.as_deref().unwrap_or("")
                ),
                MoveStatus::Failed => eprintln!(
                    "pixdrop: {} {}: not moved: {}",
                    r.id,
                    r.file_name,
                    r.detail.as_deref().unwrap_or("")
                ),
                MoveStatus::Skipped => eprintln!(
                    "pixdrop: {}: skipped: {}",
                    r.id,
                    r.detail.as_deref().unwrap_or("")
                ),
            }
            if !matches!(
                r.status,
                MoveStatus::Lost | MoveStatus::Failed | MoveStatus::Skipped
            ) {
                if let Some(d) = &r.detail {
                    eprintln!("pixdrop: {} {}: {d}", r.id, r.file_name);
                }
            }
        }
        let verb = if report.dry_run {
            "would move"
        } else {
            "moved"
        };
        let moved = report.count(MoveStatus::Moved) + report.count(MoveStatus::WouldMove);
        let mut summary = format!("{verb} {moved} to {}", report.to);
        for (status, word) in [
            (MoveStatus::AlreadyMoved, "moved already"),
            (MoveStatus::Lost, "lost"),
            (MoveStatus::Failed, "failed"),
            (MoveStatus::Skipped, "skipped"),
        ] {
            let n = report.count(status);
            if n > 0 {
                summary.push_str(&format!(", {n} {word}"));
            }
        }
        println!("{summary}");
        if !report.dry_run && moved > 0 {
            println!("next: pixdrop rewrite NOTES… puts the new links in your notes");
        }
    }
    if report.all_done(opts.delete_old) {
        Ok(())
    } else {
        Err(Failure::Partial)
    }
}

/// Exit 1 when an image is missing or failed to upload.
pub async fn localize(engine: &Engine, args: LocalizeArgs) -> Result<(), Failure> {
    let opts = LocalizeOptions {
        host: args.host,
        dry_run: args.write.dry_run,
        backup_dir: args.write.backup_dir,
    };
    let report = links::localize(engine, &args.notes, &opts).await?;
    if args.write.json {
        let value = serde_json::to_value(&report).map(messages_as_text);
        println!(
            "{}",
            value
                .and_then(|v| serde_json::to_string_pretty(&v))
                .unwrap_or_default()
        );
    } else {
        for (path, url) in &report.images {
            match url {
                Some(url) => println!("{}  {url}", path.display()),
                None if report.dry_run => println!("would upload {}", path.display()),
                None => {}
            }
        }
        for f in &report.changed {
            println!("{}: {} reference(s) rewritten", f.path.display(), f.links);
        }
        if let Some(dir) = &report.backup_dir {
            println!("originals copied to {}", dir.display());
        }
        for p in &report.problems {
            eprintln!(
                "pixdrop: {}:{}: {}: {}",
                p.note.display(),
                p.line,
                p.reference,
                p.error
            );
        }
    }
    if report.problems.is_empty() {
        Ok(())
    } else {
        Err(Failure::Partial)
    }
}

pub async fn links_cmd(engine: &Engine, cmd: LinksCmd) -> Result<(), Failure> {
    let LinksCmd::Check { host, search, json } = cmd;
    let query = ListQuery {
        search,
        config: host,
        ..Default::default()
    };
    let report = links::check(engine, &query, CheckOptions::default()).await?;
    if json {
        println!(
            "{}",
            serde_json::to_value(&report.results)
                .map(messages_as_text)
                .and_then(|v| serde_json::to_string_pretty(&v))
                .unwrap_or_default()
        );
    } else {
        use links::LinkStatus::*;
        println!(
            "checked {} link(s): {} ok, {} gone, {} changed, {} unreachable",
            report.results.len(),
            report.count(Ok),
            report.count(Gone),
            report.count(Changed),
            report.count(Unreachable)
        );
        for r in report.broken() {
            println!(
                "{:<11} {:>6}  {}  {}{}",
                r.check.status.as_str(),
                r.id,
                r.config_name,
                r.url,
                r.check
                    .detail
                    .as_deref()
                    .map(|d| format!("  ({d})"))
                    .unwrap_or_default()
            );
        }
    }
    if report.all_ok() {
        Ok(())
    } else {
        Err(Failure::Partial)
    }
}

/// The command line speaks English: each message of a report (`{text, template, args}`, made
/// for the app to translate) as its text.
fn messages_as_text(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(map)
            if map.get("text").is_some_and(Value::is_string)
                && map
                    .keys()
                    .all(|k| matches!(k.as_str(), "text" | "template" | "args" | "term")) =>
        {
            map["text"].clone()
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, messages_as_text(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(messages_as_text).collect()),
        other => other,
    }
}

pub fn rewrite(engine: &Engine, args: RewriteArgs) -> Result<(), Failure> {
    let opts = RewriteOptions {
        dry_run: args.write.dry_run,
        backup_dir: args.write.backup_dir,
    };
    let report = links::rewrite(engine.album(), &args.paths, &opts)?;
    if args.write.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
        return Ok(());
    }
    for (path, why) in &report.skipped {
        eprintln!("pixdrop: {}: {why}", path.display());
    }
    for f in &report.changed {
        match &f.diff {
            Some(diff) => print!("{diff}"),
            None => println!("{}: {} link(s) rewritten", f.path.display(), f.links),
        }
    }
    let verb = if report.dry_run {
        "would change"
    } else {
        "changed"
    };
    println!(
        "{} file(s) looked at, {} {verb}, {} link(s) {}",
        report.files_scanned,
        report.changed.len(),
        report.links_rewritten,
        if report.dry_run {
            "to rewrite"
        } else {
            "rewritten"
        }
    );
    if let Some(dir) = &report.backup_dir {
        println!("originals copied to {}", dir.display());
    }
    if !report.broken.is_empty() {
        println!(
            "{} link(s) into the album are broken and have no moved copy:",
            report.broken.len()
        );
        for b in &report.broken {
            println!(
                "  {}:{}  {}  ({}, record {})",
                b.path.display(),
                b.line,
                b.url,
                b.status,
                b.id
            );
        }
    }
    Ok(())
}
