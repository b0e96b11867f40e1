//! The desktop around an upload: copying links (tauri-plugin-clipboard-manager, which keeps the
//! copied text alive for the app's life) and notify-rust notifications. Reading what to upload
//! from the clipboard is pixdrop-clipboard's, shared with the CLI. The words shown outside the
//! window follow the `language` setting.

use std::path::PathBuf;

use pixdrop_core::config::Language;
use pixdrop_core::msg::Translations;
use pixdrop_core::{msg, Done, Msg, Settings};
use tauri::{AppHandle, Runtime};
use tauri_plugin_clipboard_manager::ClipboardExt;

/// The language for words shown outside the webview: the setting, else the system's.
pub fn language(settings: &Settings) -> &'static str {
    match settings.language {
        Language::ZhCn => "zh-CN",
        Language::En => "en",
        Language::System => {
            let sys = std::env::var("LC_ALL")
                .ok()
                .filter(|v| !v.is_empty())
                .or_else(|| std::env::var("LC_MESSAGES").ok().filter(|v| !v.is_empty()))
                .or_else(|| std::env::var("LANG").ok())
                .unwrap_or_default();
            if sys.starts_with("zh") {
                "zh-CN"
            } else {
                "en"
            }
        }
    }
}

/// Words shown outside the webview (tray, notifications), in English and 简体中文.
pub fn text(lang: &str, key: &'static str) -> &'static str {
    let zh = lang == "zh-CN";
    match key {
        "upload-clipboard" if zh => "上传剪贴板图片",
        "upload-clipboard" => "Upload clipboard image",
        "open" if zh => "打开 Pixdrop",
        "open" => "Open Pixdrop",
        "quit" if zh => "退出",
        "quit" => "Quit",
        "recent-none" if zh => "还没有上传",
        "recent-none" => "No uploads yet",
        "uploaded-copied" if zh => "已上传，链接已复制",
        "uploaded-copied" => "Uploaded — link copied",
        "uploaded" if zh => "已上传",
        "uploaded" => "Uploaded",
        "failed" if zh => "上传失败",
        "failed" => "Upload failed",
        "some-failed" if zh => "部分上传失败",
        "some-failed" => "Uploaded, some failed",
        "images" if zh => "张图片",
        "images" => "images",
        "shortcut-failed" if zh => "全局快捷键不可用",
        "shortcut-failed" => "Global shortcut unavailable",
        _ => key,
    }
}

/// A message made in Rust, in the language of words shown outside the webview (the app's
/// table of translations, the one the window uses).
pub fn say(lang: &str, m: &Msg) -> String {
    if lang != "zh-CN" {
        return m.text.clone();
    }
    Translations::from_json(include_str!("../../ui/src/locales/messages.zh-CN.json"))
        .map(|t| t.say(m))
        .unwrap_or_else(|_| m.text.clone())
}

/// Put `text` on the clipboard.
pub fn copy<R: Runtime>(app: &AppHandle<R>, text: &str) -> std::result::Result<(), Msg> {
    app.clipboard()
        .write_text(text.to_string())
        .map_err(|e| msg!("cannot copy to the clipboard: {e}"))
}

/// Tell the user how a batch went, when the `notify` setting is on. `copied` says whether the
/// links are on the clipboard; `icon` is a local copy of the image, where there is one.
pub fn notify(
    settings: &Settings,
    done: &[Done],
    failures: &[Msg],
    copied: bool,
    icon: Option<PathBuf>,
) {
    if !settings.notify || (done.is_empty() && failures.is_empty()) {
        return;
    }
    let lang = language(settings);
    let (summary, body) = match (done.len(), failures.first()) {
        (0, Some(f)) => (text(lang, "failed").to_string(), say(lang, f)),
        (n, None) => (
            text(
                lang,
                if copied {
                    "uploaded-copied"
                } else {
                    "uploaded"
                },
            )
            .to_string(),
            if n == 1 {
                done[0].record.file_name.clone()
            } else {
                format!("{n} {}", text(lang, "images"))
            },
        ),
        (_, Some(f)) => (text(lang, "some-failed").to_string(), say(lang, f)),
    };
    show(summary, body, icon);
}

/// A plain notification (errors that happen outside the window, such as a shortcut upload).
pub fn show(summary: String, body: String, icon: Option<PathBuf>) {
    // D-Bus can be slow or absent; never hold anything up for it.
    std::thread::spawn(move || {
        let mut n = notify_rust::Notification::new();
        n.appname("Pixdrop").summary(&summary).body(&body);
        if let Some(p) = icon.as_deref().and_then(|p| p.to_str()) {
            n.icon(p);
        }
        let _ = n.show();
    });
}
