//! The album page: a window onto pixdrop-core's album. The grid asks for the slice it shows
//! (`album_page`), selections are resolved to ids here (`album_ids`), and copying, deleting and
//! syncing run in Rust.

use pixdrop_core::links::LinkCheck;
use pixdrop_core::msg;
use pixdrop_core::{LinkFormat, ListQuery, Record, SyncReport};
use serde::Serialize;
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;

use crate::error::{AppError, AppResult};
use crate::events::{self, UiEvent};
use crate::{desktop, tray, AppState};

#[derive(Serialize)]
pub struct AlbumPage {
    /// How many records match the query (the grid's full height).
    total: u64,
    offset: u32,
    records: Vec<Record>,
    /// The last link check of those records that were checked (the tiles' badges).
    checks: Vec<RecordCheck>,
}

#[derive(Serialize)]
pub struct RecordCheck {
    id: i64,
    #[serde(flatten)]
    check: LinkCheck,
}

#[derive(Serialize)]
pub struct ConfigCount {
    name: String,
    count: u64,
}

#[derive(Serialize)]
pub struct DeleteResult {
    id: i64,
    ok: bool,
    error: Option<AppError>,
}

// Async commands run off the main thread; a search over 100,000 records can take tens of ms.
#[tauri::command]
pub async fn album_page(state: State<'_, AppState>, query: ListQuery) -> AppResult<AlbumPage> {
    let album = state.engine.album();
    let records = album.list(&query)?;
    let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
    let checks = album
        .link_checks(&ids)?
        .into_iter()
        .map(|(id, check)| RecordCheck { id, check })
        .collect();
    Ok(AlbumPage {
        total: album.count(&query)?,
        offset: query.offset,
        records,
        checks,
    })
}

/// Ids of a query's records `offset..offset+limit` (limit 0: all), for select-all and ranges.
#[tauri::command]
pub async fn album_ids(state: State<'_, AppState>, query: ListQuery) -> AppResult<Vec<i64>> {
    Ok(state.engine.album().ids(&query)?)
}

#[tauri::command]
pub fn album_configs(state: State<'_, AppState>) -> AppResult<Vec<ConfigCount>> {
    Ok(state
        .engine
        .album()
        .configs()?
        .into_iter()
        .map(|(name, count)| ConfigCount { name, count })
        .collect())
}

/// Copy the links of `ids` (in that order, one per line) in `format`; returns the text copied.
#[tauri::command]
pub async fn album_copy(
    app: AppHandle,
    state: State<'_, AppState>,
    ids: Vec<i64>,
    format: Option<LinkFormat>,
) -> AppResult<String> {
    if ids.is_empty() {
        return Err(AppError::input(msg!("select at least one image to copy")));
    }
    let engine = &state.engine;
    let settings = engine.config().load()?.settings;
    let format = format.unwrap_or(settings.link_format);
    let mut lines = Vec::with_capacity(ids.len());
    for id in ids {
        let record = engine.album().get(id)?.ok_or_else(|| {
            AppError::not_found(msg!("album record {id} is gone (deleted elsewhere?)"))
        })?;
        lines.push(engine.link(&record, format, &settings));
    }
    let text = lines.join("\n");
    desktop::copy(&app, &text).map_err(AppError::internal)?;
    Ok(text)
}

/// Delete records; with `remote`, on the host first — a record whose host deletion fails is
/// kept, and its error is in the result.
#[tauri::command]
pub async fn album_delete(
    app: AppHandle,
    state: State<'_, AppState>,
    ids: Vec<i64>,
    remote: bool,
    mirrors: bool,
) -> AppResult<Vec<DeleteResult>> {
    let ids = if mirrors {
        state.engine.with_mirrors(&ids)?
    } else {
        ids
    };
    let results = state.engine.delete(&ids, remote).await;
    let out: Vec<DeleteResult> = results
        .into_iter()
        .map(|(id, r)| DeleteResult {
            id,
            ok: r.is_ok(),
            error: r.err().map(AppError::from),
        })
        .collect();
    if out.iter().any(|r| r.ok) {
        tray::refresh(&app);
        events::send(&app, UiEvent::AlbumChanged);
        crate::sync_auto::changed(&app);
    }
    Ok(out)
}

/// The same image's records on the other hosts its upload went to (mirrors).
#[tauri::command]
pub async fn album_mirrors(state: State<'_, AppState>, id: i64) -> AppResult<Vec<Record>> {
    Ok(state.engine.album().mirrors_of(id)?)
}

/// "Sync from host": import a config's upload history (SM.MS) into the album.
#[tauri::command]
pub async fn album_sync(
    app: AppHandle,
    state: State<'_, AppState>,
    name: String,
) -> AppResult<SyncReport> {
    let report = state.engine.sync(&name).await?;
    if report.imported > 0 {
        state.thumbs_filler.soon();
        tray::refresh(&app);
        events::send(&app, UiEvent::AlbumChanged);
        crate::sync_auto::changed(&app);
    }
    Ok(report)
}

/// Open a record's image in the default browser.
#[tauri::command]
pub fn album_open(app: AppHandle, state: State<'_, AppState>, id: i64) -> AppResult<()> {
    let record = state
        .engine
        .album()
        .get(id)?
        .ok_or_else(|| AppError::not_found(msg!("album record {id} is gone")))?;
    if !(record.url.starts_with("https://") || record.url.starts_with("http://")) {
        return Err(AppError::input(msg!("{} is not a web link", record.url)));
    }
    app.opener()
        .open_url(&record.url, None::<&str>)
        .map_err(|e| AppError::internal(msg!("cannot open the browser: {e}")))
}
