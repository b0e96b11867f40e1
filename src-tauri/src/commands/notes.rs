//! The answers to a dropped note's offer (see `crate::note_offers`): upload its local images and
//! update it, or not.

use tauri::State;

use crate::error::AppResult;
use crate::note_offers::{self, NoteDone};
use crate::AppState;

/// Upload the local images of the notes offered as `id` and point the notes at their links.
#[tauri::command]
pub async fn note_localize(state: State<'_, AppState>, id: u64) -> AppResult<NoteDone> {
    note_offers::localize(&state, id).await
}

/// The offer `id` declined.
#[tauri::command]
pub fn note_dismiss(state: State<'_, AppState>, id: u64) -> AppResult<()> {
    note_offers::take(&state, id).map(|_| ())
}
