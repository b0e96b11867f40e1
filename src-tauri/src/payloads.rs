//! What the UI is sent: plain data, serialised as the UI's `api.ts` reads it. This module
//! depends on nothing of the app but its error type, so the modules that send these (uploads,
//! the shortcut, the local server) and the one that carries them (events) never need each other.

use pixdrop_core::Msg;
use serde::Serialize;

use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Waiting,
    Uploading,
    Done,
    Failed,
}

/// Where an upload came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Drop,
    Dialog,
    Clipboard,
    Url,
    Shortcut,
    Tray,
    /// The PicGo-compatible local server.
    Server,
    /// "Open with Pixdrop" (files named on the app's command line).
    Open,
}

/// A note beside a row's link, as data: the UI words it in its language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum RowNote {
    /// The config's own host failed (`why`, the host's words); the link is its mirror's.
    Fallback {
        config: String,
        mirror: String,
        why: Msg,
    },
    /// A mirror failed (`why`); the link is fine.
    MirrorFailed { config: String, why: Msg },
}

impl RowNote {
    /// The notes of one upload (what `Done::notes` says in English for the CLI).
    pub fn of(d: &pixdrop_core::pipeline::Done) -> Vec<RowNote> {
        let why = |m: &pixdrop_core::pipeline::MirrorResult| {
            m.error.as_ref().map_or_else(Msg::empty, |e| e.msg.clone())
        };
        let fallback = d.fallback.iter().map(|f| RowNote::Fallback {
            config: f.config.clone(),
            mirror: d.record.config_name.clone(),
            why: why(f),
        });
        let mirrors =
            d.mirrors
                .iter()
                .filter(|m| m.error.is_some())
                .map(|m| RowNote::MirrorFailed {
                    config: m.config.clone(),
                    why: why(m),
                });
        fallback.chain(mirrors).collect()
    }
}

/// One row of the upload page.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub id: u64,
    /// Rows of one drop, pick or paste share a batch (shown newest batch first, each in the
    /// order given).
    pub batch: u64,
    pub seq: u64,
    pub name: String,
    pub source: Source,
    pub status: Status,
    pub sent: u64,
    pub total: u64,
    /// An image URL for the row's thumbnail (the `thumb:` protocol for local bytes).
    pub thumb: Option<String>,
    pub link: Option<String>,
    pub url: Option<String>,
    pub record_id: Option<i64>,
    pub duplicate: bool,
    /// What to say besides the link: the config's host failed and the link is a mirror's, or
    /// a mirror failed — as data, worded by the UI in its language.
    pub notes: Vec<RowNote>,
    /// The other hosts that have the image (the config's mirrors).
    pub also_on: Vec<String>,
    /// What was done to the file before it was sent (metadata removed, converted …), as data
    /// the UI words in its language.
    pub processed: Option<pixdrop_core::pipeline::Processed>,
    pub error: Option<AppError>,
    /// The retry coming, while the row waits for it.
    pub retry: Option<pixdrop_core::pipeline::Retrying>,
}

/// What a finished batch did, for the UI's notice.
#[derive(Debug, Clone, Serialize)]
pub struct BatchDone {
    pub source: Source,
    pub uploaded: usize,
    /// Of `uploaded`, those the album had already (no request made; their old link is given).
    pub duplicates: usize,
    pub failed: usize,
    /// The text put on the clipboard, when auto-copy copied.
    pub copied: Option<String>,
    pub copy_error: Option<Msg>,
}

/// What the UI shows about the shortcut: the one account of what is bound now, sent to every
/// page after every change, whoever asked for it (the window, the CLI through the config).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ShortcutStatus {
    /// The shortcut bound now when `registered`; else the one that could not be bound ("" for
    /// none). After a refused change it is the old one, still bound, not the setting.
    pub shortcut: String,
    pub registered: bool,
    /// Why it is not registered, or why the last change was refused (the old one still bound).
    pub error: Option<Msg>,
    /// How it is registered: `x11` (a key grab of the app's own) or `portal` (the desktop's
    /// GlobalShortcuts portal, on Wayland).
    pub method: &'static str,
    /// The portal's own name for the binding (its trigger description).
    pub portal_trigger: Option<String>,
    /// What the user should know about the method (why the X11 grab is used on Wayland).
    pub note: Option<Msg>,
}

/// What the UI shows about the server.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ServerStatus {
    pub enabled: bool,
    pub port: Option<u16>,
    /// Why it is not running (a taken port says who holds it).
    pub error: Option<Msg>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum UiEvent {
    Upload {
        row: Box<Row>,
    },
    UploadsFinished {
        batch: BatchDone,
    },
    DropHover {
        on: bool,
    },
    AlbumChanged,
    /// The album's "Check links": `done` of `total` links asked; the last one is `finished`.
    LinkCheck {
        done: usize,
        total: usize,
        finished: bool,
    },
    /// The album's "Move to…": one image's result, `done` of `total`.
    Move {
        result: Box<pixdrop_core::links::MoveResult>,
        done: usize,
        total: usize,
    },
    /// The config changed (here or elsewhere): the UI reloads settings and host configs.
    ConfigChanged,
    Notice {
        error: AppError,
    },
    Shortcut {
        status: ShortcutStatus,
    },
    Server {
        status: ServerStatus,
    },
    /// A note was dropped: upload its local images and update it?
    NoteOffer {
        offer: NoteOffer,
    },
    /// A sync began or ended (Settings → Sync shows it).
    Sync {
        state: SyncState,
    },
}

/// Where the app's syncing stands, for Settings → Sync.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncState {
    /// A sync runs now.
    pub running: bool,
    /// The last sync since the app started (none after `sync off`).
    pub last: Option<SyncResult>,
}

/// How one sync ended.
#[derive(Debug, Clone, Serialize)]
pub struct SyncResult {
    /// When it ended (Unix ms).
    pub at: i64,
    /// It ran by itself (not "Sync now").
    pub auto: bool,
    pub report: Option<pixdrop_core::sync::Report>,
    pub error: Option<AppError>,
}

/// What the UI is offered: the notes' names, how many local images they name (and which
/// files: the person sees what would be sent before saying yes), how many are missing.
#[derive(Debug, Clone, Serialize)]
pub struct NoteOffer {
    pub id: u64,
    pub notes: Vec<String>,
    pub images: usize,
    pub files: Vec<String>,
    pub missing: usize,
}
