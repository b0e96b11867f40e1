//! The PicGo-compatible upload server inside the app (setting `server_enabled`, on by default).

use std::sync::{Arc, Mutex};

use pixdrop_core::server::{self, RunningServer, ServerHooks, ServerOptions};
use pixdrop_core::{Done, Engine, Error, Input};
use serde::Serialize;

/// What the UI shows about the server.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ServerStatus {
    pub enabled: bool,
    pub port: Option<u16>,
    /// Why it is not running (a taken port says who holds it).
    pub error: Option<String>,
}

/// The app's side of each server upload: the clipboard, auto-copy and the notification.
struct AppHooks {
    engine: Arc<Engine>,
    /// Kept for the app's life: on X11 the copied text lives in the process that owns it.
    clipboard: Mutex<Option<arboard::Clipboard>>,
}

impl AppHooks {
    fn with_clipboard<T>(
        &self,
        f: impl FnOnce(&mut arboard::Clipboard) -> Result<T, arboard::Error>,
    ) -> Result<T, String> {
        let mut slot = self.clipboard.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            *slot = Some(arboard::Clipboard::new().map_err(|e| e.to_string())?);
        }
        f(slot.as_mut().expect("set above")).map_err(|e| e.to_string())
    }
}

impl ServerHooks for AppHooks {
    fn clipboard_image(&self) -> pixdrop_core::Result<Input> {
        match self.with_clipboard(|c| c.get_image()) {
            Ok(img) => Input::from_rgba(img.width as u32, img.height as u32, &img.bytes),
            Err(e) if self.with_clipboard(|c| c.get_text()).is_ok() => {
                let _ = e;
                Err(Error::Input("the clipboard holds no image".into()))
            }
            Err(e) => Err(Error::Input(format!("the clipboard holds no image ({e})"))),
        }
    }

    fn uploaded(&self, done: &[Done], failures: &[String]) {
        let Ok(settings) = self.engine.config().load().map(|c| c.settings) else {
            return;
        };
        if settings.auto_copy && !done.is_empty() {
            let text = done
                .iter()
                .map(|d| d.link.as_str())
                .collect::<Vec<_>>()
                .join("\n");
            if let Err(e) = self.with_clipboard(|c| c.set_text(text)) {
                pixdrop_core::log::append(
                    self.engine.paths(),
                    &format!("server: cannot copy the links: {e}"),
                );
            }
        }
        for d in done {
            pixdrop_core::log::append(
                self.engine.paths(),
                &format!(
                    "server: uploaded {} -> {}",
                    d.record.file_name, d.record.url
                ),
            );
        }
        for f in failures {
            pixdrop_core::log::append(self.engine.paths(), &format!("server: failed {f}"));
        }
        if settings.notify {
            let (summary, body) = match (done.len(), failures.first()) {
                (0, Some(f)) => ("Upload failed".to_string(), f.clone()),
                (n, None) => (
                    if settings.auto_copy {
                        "Uploaded — link copied".to_string()
                    } else {
                        "Uploaded".to_string()
                    },
                    if n == 1 {
                        done[0].record.file_name.clone()
                    } else {
                        format!("{n} images")
                    },
                ),
                (n, Some(f)) => (format!("Uploaded {n}, some failed"), f.clone()),
            };
            // D-Bus can be slow or absent; never hold up the server for it.
            std::thread::spawn(move || {
                let _ = notify_rust::Notification::new()
                    .appname("Pixdrop")
                    .summary(&summary)
                    .body(&body)
                    .show();
            });
        }
    }
}

/// Start the server if the settings ask for it. Failures (a taken port) are reported in the
/// status, and the app keeps running.
pub async fn start(engine: Arc<Engine>) -> (ServerStatus, Option<RunningServer>) {
    let settings = match engine.config().load() {
        Ok(c) => c.settings,
        Err(e) => {
            return (
                ServerStatus {
                    enabled: false,
                    port: None,
                    error: Some(e.to_string()),
                },
                None,
            )
        }
    };
    if !settings.server_enabled {
        return (ServerStatus::default(), None);
    }
    let hooks = Arc::new(AppHooks {
        engine: engine.clone(),
        clipboard: Mutex::new(None),
    });
    match server::start(engine, ServerOptions::from_settings(&settings), hooks).await {
        Ok(running) => (
            ServerStatus {
                enabled: true,
                port: Some(running.port),
                error: None,
            },
            Some(running),
        ),
        Err(e) => (
            ServerStatus {
                enabled: true,
                port: None,
                error: Some(e.to_string()),
            },
            None,
        ),
    }
}
