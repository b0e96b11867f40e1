//! The command line, as scripts and editors rely on it.

use std::path::PathBuf;

use crate::names::names;
use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "pixdrop",
    version,
    about = "Upload images to your image host and keep an album of them."
)]
pub struct Cli {
    /// Keep config, album and logs in DIR (default: $PIXDROP_HOME, else the platform's folders).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Manage named image-host configs.
    #[command(subcommand)]
    Hosts(HostsCmd),
    /// Upload files, image URLs or the clipboard image; prints one link per input.
    Upload(UploadArgs),
    /// Browse, copy and delete what you uploaded.
    #[command(subcommand)]
    Album(AlbumCmd),
    /// Read and change app settings.
    #[command(subcommand)]
    Settings(SettingsCmd),
    /// Bring configs and history from ShareX (.sxcu) or PicGo.
    #[command(subcommand)]
    Import(ImportCmd),
    /// Check which of the album's links still work.
    #[command(subcommand)]
    Links(crate::links::LinksCmd),
    /// Replace the links of moved images in notes with their new links (backups first).
    Rewrite(crate::links::RewriteArgs),
    /// Upload a note's local images and point its references at their links (backups first).
    Localize(crate::links::LocalizeArgs),
    /// Sync host configs, settings and the album between your computers through your own
    /// storage (an s3, webdav, sftp or local config), end-to-end encrypted with a passphrase.
    #[command(subcommand)]
    Sync(crate::sync::SyncCmd),
    /// Rewrite links before they are recorded and copied (PicGo's URL rewrite rules): the
    /// first enabled rule whose pattern matches wins.
    #[command(subcommand)]
    UrlRewrite(crate::url_rewrite::UrlRewriteCmd),
    /// Run the PicGo-compatible upload server (for Typora, Obsidian, scripts) until stopped.
    Serve {
        /// Port on 127.0.0.1 and ::1 (default: the server_port setting, 36677).
        #[arg(long)]
        port: Option<u16>,
    },
    /// PicGo-Core's command line (`picgo upload [FILES]`) for editors set up for PicGo-Core;
    /// also what runs when this program is started under the name `picgo`.
    #[command(subcommand)]
    Picgo(PicgoCmd),
    /// Print the shell code that completes pixdrop's commands, options and config names:
    /// `source <(pixdrop completions bash)` (the .deb installs it for bash, zsh and fish).
    Completions {
        #[arg(value_enum)]
        shell: CompletionShell,
    },
    /// Print the manual page (roff), as installed: `pixdrop man | man -l -`.
    #[command(hide = true)]
    Man,
    /// Internal: keep serving text on the X11 clipboard after the command returns.
    #[command(name = "__serve-clipboard", hide = true)]
    ServeClipboard,
}

#[derive(Debug, Subcommand)]
pub enum HostsCmd {
    /// List configs (the default is marked with *).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Add a config of KIND (smms, custom, s3, webdav, sftp, local, github, imgur, lsky,
    /// chevereto, upyun) called NAME.
    Add {
        kind: String,
        name: String,
        /// A setting, e.g. --set token=… (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Make it the default.
        #[arg(long)]
        default: bool,
    },
    /// Change settings of NAME; KEY= (empty) removes a setting.
    Set {
        #[arg(add = names())]
        name: String,
        #[arg(value_name = "KEY=VALUE", required = true)]
        values: Vec<String>,
    },
    /// Make NAME the default config.
    Use {
        #[arg(add = names())]
        name: String,
    },
    /// Show a config; secrets are masked unless --reveal.
    Show {
        #[arg(add = names())]
        name: String,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        reveal: bool,
    },
    /// Rename a config; its album records follow the new name.
    Rename {
        #[arg(add = names())]
        name: String,
        new_name: String,
    },
    /// Remove a config (its album records stay).
    Remove {
        #[arg(add = names())]
        name: String,
    },
    /// Check a config's credentials with its host.
    Test {
        #[arg(add = names())]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCmd {
    /// Add a `custom` config from a ShareX custom uploader file (named by its Name).
    Sxcu {
        file: PathBuf,
        /// Call the config NAME instead.
        #[arg(long)]
        name: Option<String>,
        /// Make it the default.
        #[arg(long)]
        default: bool,
    },
    /// Import configs, link format and album from a PicGo or PicGo-Core data folder
    /// (~/.config/picgo or ~/.picgo). Running it again adds nothing twice.
    Picgo {
        dir: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct UploadArgs {
    /// Use this config instead of the default (its mirrors get the upload too). Given again,
    /// each upload also goes to that config; the links printed are the first's.
    #[arg(long, value_name = "NAME", add = names())]
    pub host: Vec<String>,
    /// Link format: markdown, html, url, ubb or custom (default: the link_format setting).
    #[arg(long, value_name = "FMT")]
    pub format: Option<String>,
    /// Print a JSON array of {input, ok, id, url, link, duplicate, error, error_kind, mirrors,
    /// fallback, processed}.
    #[arg(long)]
    pub json: bool,
    /// Also put the links on the clipboard.
    #[arg(long)]
    pub copy: bool,
    /// Upload even if the same image was uploaded with this config before.
    #[arg(long)]
    pub force: bool,
    /// Upload the image on the clipboard (before any INPUTs).
    #[arg(long)]
    pub clipboard: bool,
    /// Files or http(s) image URLs; `-` reads one image from standard input.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum AlbumCmd {
    /// List uploads, newest first.
    List {
        /// Find text in file names and URLs.
        #[arg(long)]
        search: Option<String>,
        /// Only uploads made with this config.
        #[arg(long, value_name = "NAME", add = names())]
        host: Option<String>,
        /// Only uploads whose link the last `pixdrop links check` found broken.
        #[arg(long)]
        broken: bool,
        /// How many to list (0: all); when there are more, a line on stderr says how many.
        #[arg(long, default_value_t = 20)]
        limit: u32,
        #[arg(long, default_value_t = 0)]
        offset: u32,
        #[arg(long)]
        json: bool,
    },
    /// Print the links of records and copy them to the clipboard.
    Copy {
        #[arg(required = true)]
        ids: Vec<i64>,
        #[arg(long, value_name = "FMT")]
        format: Option<String>,
    },
    /// Delete records; with --remote also on the host (a record is kept if the host refuses).
    Delete {
        #[arg(required = true)]
        ids: Vec<i64>,
        #[arg(long)]
        remote: bool,
        /// Also the records of the same uploads on their other hosts (mirrors).
        #[arg(long)]
        mirrors: bool,
    },
    /// Copy images to another host and link each record to its new copy (then `pixdrop
    /// rewrite` updates notes). The bytes come from the record's link, else a mirror's; a rerun
    /// after an interruption uploads nothing twice. Exit 1 when any is lost or failed.
    Move(crate::links::MoveArgs),
    /// Import a config's upload history from its host.
    Sync {
        #[arg(add = names())]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum SettingsCmd {
    /// Print all settings, or one; secrets are masked unless --reveal.
    #[command(visible_alias = "list")]
    Get {
        key: Option<String>,
        #[arg(long)]
        reveal: bool,
    },
    /// Change a setting.
    Set { key: String, value: String },
}

#[derive(Debug, Subcommand)]
pub enum PicgoCmd {
    /// Upload FILES (the clipboard image when none) and print PicGo-Core's output: error
    /// lines `[PicGo ERROR]: …`, then `[PicGo SUCCESS]: ` and one URL per file. Exits 0.
    #[command(visible_alias = "u")]
    Upload {
        #[arg(value_name = "FILE")]
        inputs: Vec<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

impl CompletionShell {
    pub fn name(self) -> &'static str {
        match self {
            CompletionShell::Bash => "bash",
            CompletionShell::Zsh => "zsh",
            CompletionShell::Fish => "fish",
        }
    }
}
