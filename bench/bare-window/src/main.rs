//! An empty Tauri window with a one-line page: what Pixdrop's memory is compared with.
fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("error while running the bare window");
}
