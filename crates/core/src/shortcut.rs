//! The global shortcut setting's syntax (Tauri's accelerators: modifiers and one key joined by
//! `+`, any case), checked the same way wherever it is set: `pixdrop settings set shortcut`, the
//! app's recorder, an import. Whether the desktop lets the app take it is the app's to find out.

use crate::error::{Error, Result};
use crate::{msg, Msg};

const MODIFIERS: &[&str] = &[
    "COMMANDORCONTROL",
    "COMMANDORCTRL",
    "CMDORCTRL",
    "CMDORCONTROL",
    "OPTION",
    "ALT",
    "CONTROL",
    "CTRL",
    "COMMAND",
    "CMD",
    "SUPER",
    "SHIFT",
];

const NAMED_KEYS: &[&str] = &[
    "BACKQUOTE",
    "`",
    "BACKSLASH",
    "\\",
    "BRACKETLEFT",
    "[",
    "BRACKETRIGHT",
    "]",
    "PAUSE",
    "PAUSEBREAK",
    "COMMA",
    ",",
    "EQUAL",
    "=",
    "MINUS",
    "-",
    "PERIOD",
    ".",
    "QUOTE",
    "'",
    "SEMICOLON",
    ";",
    "SLASH",
    "/",
    "BACKSPACE",
    "CAPSLOCK",
    "ENTER",
    "SPACE",
    "TAB",
    "DELETE",
    "END",
    "HOME",
    "INSERT",
    "PAGEDOWN",
    "PAGEUP",
    "PRINTSCREEN",
    "SCROLLLOCK",
    "ARROWDOWN",
    "DOWN",
    "ARROWLEFT",
    "LEFT",
    "ARROWRIGHT",
    "RIGHT",
    "ARROWUP",
    "UP",
    "NUMLOCK",
    "NUMPADADD",
    "NUMADD",
    "NUMPADPLUS",
    "NUMPLUS",
    "NUMPADDECIMAL",
    "NUMDECIMAL",
    "NUMPADDIVIDE",
    "NUMDIVIDE",
    "NUMPADENTER",
    "NUMENTER",
    "NUMPADEQUAL",
    "NUMEQUAL",
    "NUMPADMULTIPLY",
    "NUMMULTIPLY",
    "NUMPADSUBTRACT",
    "NUMSUBTRACT",
    "ESCAPE",
    "ESC",
    "AUDIOVOLUMEDOWN",
    "VOLUMEDOWN",
    "AUDIOVOLUMEUP",
    "VOLUMEUP",
    "AUDIOVOLUMEMUTE",
    "VOLUMEMUTE",
    "MEDIAPLAY",
    "MEDIAPAUSE",
    "MEDIAPLAYPAUSE",
    "MEDIASTOP",
    "MEDIATRACKNEXT",
    "MEDIATRACKPREV",
    "MEDIATRACKPREVIOUS",
];

fn is_key(token: &str) -> bool {
    let t = token.to_ascii_uppercase();
    let numbered = |prefix: &str, range: std::ops::RangeInclusive<u32>| {
        t.strip_prefix(prefix)
            .and_then(|n| n.parse::<u32>().ok())
            .is_some_and(|n| range.contains(&n))
    };
    (t.len() == 1 && t.chars().all(|c| c.is_ascii_alphanumeric()))
        || (t.len() == 4 && t.starts_with("KEY") && t.as_bytes()[3].is_ascii_uppercase())
        || numbered("DIGIT", 0..=9)
        || numbered("NUMPAD", 0..=9)
        || numbered("NUM", 0..=9)
        || numbered("F", 1..=24)
        || NAMED_KEYS.contains(&t.as_str())
}

/// Check a shortcut: empty (none), or modifiers and one key joined by `+`, the key last, e.g.
/// `CommandOrControl+Shift+U`. The error says which part is wrong.
pub fn check(shortcut: &str) -> Result<()> {
    if shortcut.is_empty() {
        return Ok(());
    }
    let example = "CommandOrControl+Shift+U";
    let refuse = |why: Msg| Err(Error::Input(msg!("shortcut {shortcut:?}: {why}")));
    if shortcut.contains(char::is_whitespace) {
        return refuse(msg!("keys are joined by + without spaces, like {example}"));
    }
    let tokens: Vec<&str> = shortcut.split('+').collect();
    let (key, mods) = tokens.split_last().expect("split gives one item at least");
    if tokens.iter().any(|t| t.is_empty()) {
        return refuse(msg!(
            "an empty part between the + signs; write it like {example}"
        ));
    }
    for m in mods {
        if !MODIFIERS.contains(&m.to_ascii_uppercase().as_str()) {
            return refuse(if is_key(m) {
                msg!("{m:?} is a key, and only the last part may be a key; like {example}")
            } else {
                msg!("{m:?} is not a modifier (use Ctrl, Alt, Shift, Super or CommandOrControl)")
            });
        }
    }
    if MODIFIERS.contains(&key.to_ascii_uppercase().as_str()) {
        return refuse(msg!("it has no key after the modifiers; like {example}"));
    }
    if !is_key(key) {
        return refuse(msg!(
            "{key:?} is not a key (a letter, a digit, F1–F24, Space, Enter, PrintScreen, an arrow …)"
        ));
    }
    Ok(())
}

/// The shortcut as the XDG GlobalShortcuts portal takes a preferred trigger (the "shortcuts"
/// specification: `CTRL`, `ALT`, `SHIFT`, `LOGO` and an XKB key name, joined by `+`), e.g.
/// `CommandOrControl+Shift+U` → `CTRL+SHIFT+u`. `None` for no shortcut.
pub fn portal_trigger(shortcut: &str) -> Option<String> {
    if shortcut.is_empty() {
        return None;
    }
    let tokens: Vec<&str> = shortcut.split('+').collect();
    let (key, mods) = tokens.split_last()?;
    let mut out: Vec<String> = mods
        .iter()
        .map(|m| match m.to_ascii_uppercase().as_str() {
            "OPTION" | "ALT" => "ALT",
            "SHIFT" => "SHIFT",
            "COMMAND" | "CMD" | "SUPER" => "LOGO",
            _ => "CTRL",
        })
        .map(str::to_string)
        .collect();
    let k = key.to_ascii_uppercase();
    let digit = |prefix: &str| {
        k.strip_prefix(prefix)
            .filter(|n| n.len() == 1 && n.as_bytes()[0].is_ascii_digit())
    };
    let name = if k.len() == 1 {
        key.to_ascii_lowercase()
    } else if let Some(letter) = k.strip_prefix("KEY").filter(|l| l.len() == 1) {
        letter.to_ascii_lowercase()
    } else if let Some(d) = digit("DIGIT") {
        d.to_string()
    } else if let Some(d) = digit("NUMPAD").or_else(|| digit("NUM")) {
        format!("KP_{d}")
    } else {
        match k.as_str() {
            "SPACE" => "space".into(),
            "ENTER" | "RETURN" => "Return".into(),
            "TAB" => "Tab".into(),
            "ESC" | "ESCAPE" => "Escape".into(),
            "BACKSPACE" => "BackSpace".into(),
            "DELETE" | "DEL" => "Delete".into(),
            "INSERT" => "Insert".into(),
            "HOME" => "Home".into(),
            "END" => "End".into(),
            "PAGEUP" => "Prior".into(),
            "PAGEDOWN" => "Next".into(),
            "UP" | "ARROWUP" => "Up".into(),
            "DOWN" | "ARROWDOWN" => "Down".into(),
            "LEFT" | "ARROWLEFT" => "Left".into(),
            "RIGHT" | "ARROWRIGHT" => "Right".into(),
            "PRINTSCREEN" | "PRINT" => "Print".into(),
            f if f.starts_with('F') && f[1..].parse::<u32>().is_ok() => f.to_string(),
            _ => key.to_string(),
        }
    };
    out.push(name);
    Some(out.join("+"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_tauri_accepts() {
        for ok in [
            "",
            "CommandOrControl+Shift+U",
            "ctrl+alt+k",
            "Super+PrintScreen",
            "Alt+F12",
            "Shift+Digit3",
            "Ctrl+KeyQ",
            "F9",
        ] {
            assert!(check(ok).is_ok(), "{ok}: {:?}", check(ok));
        }
    }

    #[test]
    fn refuses_with_the_reason() {
        let why = |s: &str| check(s).unwrap_err().to_string();
        assert!(
            why("foo").contains("\"foo\" is not a key"),
            "{}",
            why("foo")
        );
        assert!(why("Ctrl+Shift").contains("no key after the modifiers"));
        assert!(why("Ctrl++U").contains("empty part"));
        assert!(why("Ctrl + U").contains("without spaces"));
        assert!(why("Hyper+U").contains("\"Hyper\" is not a modifier"));
        assert!(why("U+Ctrl").contains("only the last part may be a key"));
        assert!(why("Ctrl+F25").contains("\"F25\" is not a key"));
    }

    #[test]
    fn portal_triggers_use_the_shortcuts_spec_names() {
        assert_eq!(
            portal_trigger("CommandOrControl+Shift+U").as_deref(),
            Some("CTRL+SHIFT+u")
        );
        assert_eq!(
            portal_trigger("Super+Alt+F5").as_deref(),
            Some("LOGO+ALT+F5")
        );
        assert_eq!(
            portal_trigger("Ctrl+PrintScreen").as_deref(),
            Some("CTRL+Print")
        );
        assert_eq!(portal_trigger("Ctrl+KeyK").as_deref(), Some("CTRL+k"));
        assert_eq!(portal_trigger("Ctrl+Digit3").as_deref(), Some("CTRL+3"));
        assert_eq!(portal_trigger(""), None);
    }
}
