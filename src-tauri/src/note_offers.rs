//! A note dropped on the window (Markdown): the app offers to upload the local images it names
//! and point the note at their links (`pixdrop localize`, with its backup rules). The note's
//! path stays on the Rust side: the offer carries an id, and the UI answers with it.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use pixdrop_core::links::{self, LocalizeOptions};
use pixdrop_core::{msg, Msg};
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};

use crate::error::{AppError, AppResult};
use crate::events::{self, UiEvent};
use crate::payloads::NoteOffer;
use crate::AppState;

/// The notes of the last offer, by its id.
#[derive(Default)]
pub struct NoteOffers {
    next: AtomicU64,
    pending: std::sync::Mutex<Option<(u64, Vec<PathBuf>)>>,
}

/// What the upload did.
#[derive(Debug, Clone, Serialize)]
pub struct NoteDone {
    pub uploaded: usize,
    pub rewritten: usize,
    pub notes_changed: usize,
    pub backup_dir: Option<String>,
    pub problems: Vec<Msg>,
}

/// Look at the dropped notes (nothing is uploaded yet) and offer to upload their local images.
pub fn offer<R: Runtime>(app: &AppHandle<R>, notes: Vec<PathBuf>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let dry = LocalizeOptions {
            dry_run: true,
            ..Default::default()
        };
        match links::localize(&state.engine, &notes, &dry).await {
            Ok(report) => {
                let id = state.notes.next.fetch_add(1, Ordering::SeqCst) + 1;
                let names = notes
                    .iter()
                    .map(|p| {
                        p.file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default()
                    })
                    .collect();
                *state
                    .notes
                    .pending
                    .lock()
                    .unwrap_or_else(|p| p.into_inner()) = Some((id, notes));
                events::send(
                    &app,
                    UiEvent::NoteOffer {
                        offer: NoteOffer {
                            id,
                            notes: names,
                            images: report.images.len(),
                            files: report
                                .images
                                .iter()
                                .map(|(p, _)| p.display().to_string())
                                .collect(),
                            missing: report.problems.len(),
                        },
                    },
                );
            }
            Err(e) => events::send(&app, UiEvent::Notice { error: e.into() }),
        }
    });
}

/// Upload the local images of the notes offered as `id` and point the notes at their links.
pub async fn localize(state: &AppState, id: u64) -> AppResult<NoteDone> {
    let notes = take(state, id)?;
    let report = links::localize(&state.engine, &notes, &LocalizeOptions::default()).await?;
    Ok(NoteDone {
        uploaded: report
            .images
            .iter()
            .filter(|(_, url)| url.is_some())
            .count(),
        rewritten: report.links_rewritten,
        notes_changed: report.changed.len(),
        backup_dir: report.backup_dir.map(|d| d.display().to_string()),
        problems: report
            .problems
            .into_iter()
            .map(|p| {
                msg!(
                    "{reference}: {error}",
                    reference = p.reference,
                    error = p.error
                )
            })
            .collect(),
    })
}

/// Take the notes offered as `id` (an answer to an older offer is refused).
pub fn take(state: &AppState, id: u64) -> AppResult<Vec<PathBuf>> {
    let mut pending = state
        .notes
        .pending
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    match pending.take() {
        Some((offered, notes)) if offered == id => Ok(notes),
        other => {
            *pending = other;
            Err(AppError::not_found(msg!(
                "that note was offered before another one was dropped; drop it again"
            )))
        }
    }
}
