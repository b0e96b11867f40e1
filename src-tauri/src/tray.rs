//! The tray icon: upload the clipboard, the five most recent uploads (a click copies the link in
//! the current format), open the window, quit.

use pixdrop_core::{LinkFormat, ListQuery};
use tauri::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime};

use crate::{desktop, show_main_window, AppState};

const TRAY_ID: &str = "pixdrop";
const RECENT: u32 = 5;

fn menu<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<Menu<R>> {
    let engine = app.state::<AppState>().engine.clone();
    let settings = engine.settings();
    let lang = desktop::language(&settings);
    let menu = Menu::new(app)?;
    let add = |id: &str, text: &str, enabled: bool| -> tauri::Result<()> {
        menu.append(&MenuItem::with_id(app, id, text, enabled, None::<&str>)?)
    };
    add(
        "upload-clipboard",
        desktop::text(lang, "upload-clipboard"),
        true,
    )?;
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    let recent = engine
        .album()
        .list(&ListQuery {
            limit: RECENT,
            ..Default::default()
        })
        .unwrap_or_default();
    if recent.is_empty() {
        add("recent-none", desktop::text(lang, "recent-none"), false)?;
    }
    for r in recent {
        let mut label = r.file_name.clone();
        if label.chars().count() > 40 {
            label = label.chars().take(39).collect::<String>() + "…";
        }
        add(&format!("recent:{}", r.id), &label, true)?;
    }
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    add("open", desktop::text(lang, "open"), true)?;
    add("quit", desktop::text(lang, "quit"), true)?;
    Ok(menu)
}

fn on_menu<R: Runtime>(app: &AppHandle<R>, event: MenuEvent, upload_clipboard: fn(&AppHandle<R>)) {
    let id = event.id().as_ref();
    match id {
        "upload-clipboard" => upload_clipboard(app),
        "open" => show_main_window(app),
        "quit" => app.exit(0),
        _ => {
            if let Some(record) = id
                .strip_prefix("recent:")
                .and_then(|n| n.parse::<i64>().ok())
            {
                copy_record(app, record);
            }
        }
    }
}

fn copy_record<R: Runtime>(app: &AppHandle<R>, id: i64) {
    let engine = app.state::<AppState>().engine.clone();
    let Ok(Some(record)) = engine.album().get(id) else {
        return;
    };
    let settings = engine.settings();
    let format: LinkFormat = settings.link_format;
    let link = engine.link(&record, format, &settings);
    if let Err(e) = desktop::copy(app, &link) {
        pixdrop_core::log::append(engine.paths(), &e);
    }
}

/// Create the tray icon; "Upload clipboard image" calls `upload_clipboard` (the tray knows
/// nothing of uploads). A desktop without a tray is not an error: the app runs without one.
pub fn create<R: Runtime>(app: &AppHandle<R>, upload_clipboard: fn(&AppHandle<R>)) {
    let built = menu(app).and_then(|m| {
        let mut b = TrayIconBuilder::with_id(TRAY_ID)
            .tooltip("Pixdrop")
            .menu(&m)
            .show_menu_on_left_click(false)
            .on_menu_event(move |app, event| on_menu(app, event, upload_clipboard))
            .on_tray_icon_event(|tray, event| {
                if let TrayIconEvent::DoubleClick { .. } = event {
                    show_main_window(tray.app_handle());
                }
            });
        if let Some(icon) = app.default_window_icon() {
            b = b.icon(icon.clone());
        }
        b.build(app)
    });
    if let Err(e) = built {
        eprintln!("pixdrop: no tray icon: {e}");
    }
}

/// Rebuild the menu after the album changed (new uploads, deletions, language).
pub fn refresh<R: Runtime>(app: &AppHandle<R>) {
    if let (Some(tray), Ok(m)) = (app.tray_by_id(TRAY_ID), menu(app)) {
        let _ = tray.set_menu(Some(m));
    }
}
