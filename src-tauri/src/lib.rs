//! The Pixdrop desktop app: a thin shell over pixdrop-core. It shares the CLI's config and
//! album (`--data-dir DIR` or `PIXDROP_HOME` select them, as for the CLI).

mod commands;
mod error;
mod hosts;
mod import;
mod local_server;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use pixdrop_core::{Engine, Paths};
use tauri::Manager;

/// Everything the commands share.
pub struct AppState {
    pub engine: Arc<Engine>,
    pub server: Mutex<local_server::ServerStatus>,
    /// The running local server; dropping it stops it.
    running_server: Mutex<Option<pixdrop_core::server::RunningServer>>,
}

/// `--data-dir DIR` / `--data-dir=DIR` from the command line, if given.
fn data_dir_arg(args: impl Iterator<Item = String>) -> Option<PathBuf> {
    let mut args = args.skip(1);
    while let Some(a) = args.next() {
        if a == "--data-dir" {
            return args.next().map(PathBuf::from);
        }
        if let Some(v) = a.strip_prefix("--data-dir=") {
            return Some(PathBuf::from(v));
        }
    }
    None
}

pub fn run() {
    let engine =
        match Paths::resolve(data_dir_arg(std::env::args()).as_deref()).and_then(Engine::open) {
            Ok(e) => e,
            Err(e) => {
                eprintln!("pixdrop: cannot open Pixdrop's data: {e}");
                std::process::exit(1);
            }
        };
    let engine = Arc::new(engine);
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(AppState {
            engine: engine.clone(),
            server: Mutex::new(Default::default()),
            running_server: Mutex::new(None),
        })
        .setup(move |app| {
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let (status, running) = local_server::start(engine).await;
                if let Some(e) = &status.error {
                    eprintln!("pixdrop: the local upload server is not running: {e}");
                }
                let state = handle.state::<AppState>();
                *state.server.lock().unwrap_or_else(|p| p.into_inner()) = status;
                *state
                    .running_server
                    .lock()
                    .unwrap_or_else(|p| p.into_inner()) = running;
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::overview,
            import::import_sxcu,
            import::import_picgo,
            hosts::host_kinds,
            hosts::hosts_list,
            hosts::host_save,
            hosts::host_remove,
            hosts::host_set_default,
            hosts::host_test
        ])
        .run(tauri::generate_context!("../tauri.conf.json"))
        .expect("error while running Pixdrop");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_dir_argument() {
        let args = |v: &[&str]| {
            v.iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .into_iter()
        };
        assert_eq!(
            data_dir_arg(args(&["app", "--data-dir", "/x"])),
            Some(PathBuf::from("/x"))
        );
        assert_eq!(
            data_dir_arg(args(&["app", "--data-dir=/y"])),
            Some(PathBuf::from("/y"))
        );
        assert_eq!(data_dir_arg(args(&["app"])), None);
    }
}
