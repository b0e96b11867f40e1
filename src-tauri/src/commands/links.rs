//! Links that outlive their host, in the album: "Check links" asks the links of what the album
//! shows (its search and host filter), with progress and Cancel; results land in the album, so
//! the grid's badges, the "Broken links" filter and Details show them. "Move to…" copies the
//! selected images to another host, one result at a time.

use pixdrop_core::links::{
    self, CancellationToken, CheckOptions, CheckProgress, LinkStatus, MoveOptions, MoveReport,
    MoveResult,
};
use pixdrop_core::msg;
use pixdrop_core::ListQuery;
use serde::Serialize;
use tauri::{AppHandle, State};

use crate::error::{AppError, AppResult};
use crate::events::{self, UiEvent};
use crate::{tray, AppState};

/// What a check found, counted.
#[derive(Serialize)]
pub struct CheckSummary {
    checked: usize,
    ok: usize,
    gone: usize,
    changed: usize,
    unreachable: usize,
    cancelled: bool,
}

/// Check the links of every record `query` matches (its page is ignored). One check at a time.
#[tauri::command]
pub async fn links_check(
    app: AppHandle,
    state: State<'_, AppState>,
    query: ListQuery,
) -> AppResult<CheckSummary> {
    let token = CancellationToken::new();
    {
        let mut running = state.link_check.lock().unwrap_or_else(|p| p.into_inner());
        if running.is_some() {
            return Err(AppError::input(msg!("a link check is running already")));
        }
        *running = Some(token.clone());
    }
    let progress_app = app.clone();
    let mut on_result = move |_: &links::LinkResult, done: usize, total: usize| {
        events::send(
            &progress_app,
            UiEvent::LinkCheck {
                done,
                total,
                finished: false,
            },
        );
    };
    let report = links::check_with(
        &state.engine,
        &query,
        CheckOptions::default(),
        CheckProgress {
            on_result: &mut on_result,
            cancel: token,
        },
    )
    .await;
    *state.link_check.lock().unwrap_or_else(|p| p.into_inner()) = None;
    let done = report.as_ref().map_or(0, |r| r.results.len());
    events::send(
        &app,
        UiEvent::LinkCheck {
            done,
            total: done,
            finished: true,
        },
    );
    let report = report?;
    if !report.results.is_empty() {
        events::send(&app, UiEvent::AlbumChanged);
    }
    Ok(CheckSummary {
        checked: report.results.len(),
        ok: report.count(LinkStatus::Ok),
        gone: report.count(LinkStatus::Gone),
        changed: report.count(LinkStatus::Changed),
        unreachable: report.count(LinkStatus::Unreachable),
        cancelled: report.cancelled,
    })
}

/// Stop the running check; what it found so far stays.
#[tauri::command]
pub fn links_check_cancel(state: State<'_, AppState>) {
    if let Some(token) = state
        .link_check
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
    {
        token.cancel();
    }
}

/// "Move to…": copy the images of `ids` to config `to` (each from where it still is, checked,
/// sent as it is) and link each record to its new copy; each result comes as a `move` event as it
/// is done. `dry_run` finds each image and changes nothing.
#[tauri::command]
pub async fn album_move(
    app: AppHandle,
    state: State<'_, AppState>,
    ids: Vec<i64>,
    to: String,
    delete_old: bool,
    dry_run: bool,
) -> AppResult<MoveReport> {
    let progress_app = app.clone();
    let mut on_result = move |r: &MoveResult, done: usize, total: usize| {
        events::send(
            &progress_app,
            UiEvent::Move {
                result: Box::new(r.clone()),
                done,
                total,
            },
        );
    };
    let opts = MoveOptions {
        to,
        delete_old,
        dry_run,
    };
    let report = links::move_records_with(&state.engine, &ids, &opts, &mut on_result).await?;
    if report
        .results
        .iter()
        .any(|r| r.new_id.is_some() || r.old_deleted)
    {
        state.thumbs_filler.soon();
        tray::refresh(&app);
        events::send(&app, UiEvent::AlbumChanged);
        crate::sync_auto::changed(&app);
    }
    Ok(report)
}
