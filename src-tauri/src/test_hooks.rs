//! What end-to-end tests use in place of what they cannot drive: native file dialogs and an
//! XDND drag. Only a build with the `test-hooks` feature (the GUI tests' build) has them; the
//! app users run answers `None` here, has no `test_drop` command and no `PIXDROP_TEST_*` names.

use std::path::PathBuf;

/// What the "Choose files" dialog answers in tests (`PIXDROP_TEST_PICK_FILES`, joined like PATH).
#[cfg(feature = "test-hooks")]
pub fn picked_files() -> Option<Vec<PathBuf>> {
    std::env::var_os("PIXDROP_TEST_PICK_FILES").map(|l| std::env::split_paths(&l).collect())
}

/// What a file (`folder` false) or folder dialog of the import buttons answers in tests
/// (`PIXDROP_TEST_PICK_FILE`, `PIXDROP_TEST_PICK_FOLDER`).
#[cfg(feature = "test-hooks")]
pub fn picked(folder: bool) -> Option<PathBuf> {
    let var = if folder {
        "PIXDROP_TEST_PICK_FOLDER"
    } else {
        "PIXDROP_TEST_PICK_FILE"
    };
    std::env::var_os(var).map(PathBuf::from)
}

/// Drop the files named in `PIXDROP_TEST_DROP` on the window, through the same handler a real
/// drop reaches.
#[cfg(feature = "test-hooks")]
#[tauri::command]
pub fn test_drop(window: tauri::Window) -> crate::error::AppResult<()> {
    let list = std::env::var_os("PIXDROP_TEST_DROP").ok_or_else(|| {
        crate::error::AppError::new(
            pixdrop_core::error::ErrorKind::Unsupported,
            pixdrop_core::msg!("test_drop needs PIXDROP_TEST_DROP"),
        )
    })?;
    crate::uploads::on_drag_drop(
        &window,
        &tauri::DragDropEvent::Drop {
            paths: std::env::split_paths(&list).collect(),
            position: tauri::PhysicalPosition::new(0.0, 0.0),
        },
    );
    Ok(())
}

/// Whether the window reads the clipboard as on a desktop that lets only the focused window read
/// it (`PIXDROP_TEST_WINDOW_CLIPBOARD`): the GUI tests' way to reach that path on X11.
#[cfg(feature = "test-hooks")]
pub fn window_clipboard() -> bool {
    std::env::var_os("PIXDROP_TEST_WINDOW_CLIPBOARD").is_some()
}

#[cfg(not(feature = "test-hooks"))]
pub fn window_clipboard() -> bool {
    false
}

#[cfg(not(feature = "test-hooks"))]
pub fn picked_files() -> Option<Vec<PathBuf>> {
    None
}

#[cfg(not(feature = "test-hooks"))]
pub fn picked(_folder: bool) -> Option<PathBuf> {
    None
}
