//! Sentences for people, in the user's language.
//!
//! Rust makes its messages in English, with [`msg!`](crate::msg!) as it would with `format!`.
//! A [`Msg`] keeps that English text (what the CLI, logs and the local server show) together
//! with the template it was made from and each argument's value, so the app can show the same
//! sentence in 简体中文: its translations are keyed by the template
//! (`ui/src/locales/messages.zh-CN.json`), and a test fails when a template in the sources has
//! none. Words that are not ours (a host's answer, the system's error text) stay as they came,
//! as [`Msg::plain`] or as an argument's text.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

pub use pixdrop_msg_macro::msg;

/// A sentence: its English text, and what it was made from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Msg {
    /// The sentence in English, whole.
    pub text: String,
    /// The English template with `{name}` for each argument: the key of its translations.
    /// None for words that are not ours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<Cow<'static, str>>,
    /// Each argument's value, by its name in the template.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<Cow<'static, str>, Arg>,
    /// A name from the host registry (a field's label) rather than a sentence: the key its
    /// translations have beside the forms' (`<kind>.<field>.label`, `*.<field>.label` for the
    /// fields every kind has), so an error names a field as the form in that language does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term: Option<Box<str>>,
}

/// An argument's value: text shown as it is (a name, a number, a host's words), or a message
/// translated in turn (the reason inside "cannot read {path}: {reason}").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Arg {
    Text(String),
    Msg(Msg),
}

impl Msg {
    /// What `msg!` makes.
    #[doc(hidden)]
    pub fn made(text: String, template: &'static str, args: Vec<(&'static str, Arg)>) -> Self {
        Msg {
            text,
            template: Some(Cow::Borrowed(template)),
            args: args
                .into_iter()
                .map(|(k, v)| (Cow::Borrowed(k), v))
                .collect(),
            term: None,
        }
    }

    /// A name from the host registry, `text` in English, translated by its `key` where the
    /// forms' texts are (the app's host table; the CLI and logs show `text`).
    pub fn term(key: impl Into<String>, text: impl Into<String>) -> Self {
        Msg {
            text: text.into(),
            term: Some(key.into().into_boxed_str()),
            ..Msg::default()
        }
    }

    /// Words that are not ours, shown as they are in every language: a host's or the system's.
    pub fn plain(text: impl Into<String>) -> Self {
        Msg {
            text: text.into(),
            template: None,
            args: BTreeMap::new(),
            term: None,
        }
    }

    /// No words: where a sentence takes a part that is not there.
    pub fn empty() -> Self {
        Msg::default()
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::ops::Deref for Msg {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl PartialEq<&str> for Msg {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl PartialEq<str> for Msg {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl From<Msg> for String {
    fn from(m: Msg) -> String {
        m.text
    }
}

/// The translations of messages into one language, keyed by their English template (the app's
/// table, for words Rust shows outside the window: notifications, the tray).
#[derive(Debug, Clone, Default)]
pub struct Translations(std::collections::HashMap<String, String>);

impl Translations {
    /// A table as the app keeps it: a JSON object of template → translation.
    pub fn from_json(json: &str) -> crate::Result<Self> {
        serde_json::from_str(json)
            .map(Translations)
            .map_err(|e| crate::Error::Internal(crate::msg!("the translations do not read: {e}")))
    }

    /// The message in this table's language: its translation when there is one, else its
    /// English; arguments that are messages translated in turn.
    pub fn say(&self, m: &Msg) -> String {
        let Some(template) = m.template.as_deref() else {
            return m.text.clone();
        };
        let Some(translated) = self.0.get(template) else {
            return m.text.clone();
        };
        let mut out = String::with_capacity(translated.len() + 32);
        let mut rest = translated.as_str();
        while let Some(i) = rest.find(['{', '}']) {
            out.push_str(&rest[..i]);
            let tail = &rest[i..];
            if tail.starts_with("{{") || tail.starts_with("}}") {
                out.push_str(&tail[..1]);
                rest = &tail[2..];
                continue;
            }
            let name_end = tail.find('}').filter(|_| tail.starts_with('{'));
            match name_end.map(|e| (&tail[1..e], e)) {
                Some((name, e)) if m.args.contains_key(name) => {
                    match &m.args[name] {
                        Arg::Text(t) => out.push_str(t),
                        Arg::Msg(inner) => out.push_str(&self.say(inner)),
                    }
                    rest = &tail[e + 1..];
                }
                _ => {
                    out.push_str(&tail[..1]);
                    rest = &tail[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// `msg!`'s wrapper of an argument: a [`Msg`] or an [`Error`](crate::Error) stays a message
/// (translated in turn), anything else shown becomes its text.
#[doc(hidden)]
pub struct ArgOf<'a, T: ?Sized>(pub &'a T);

#[doc(hidden)]
pub trait MsgArg {
    fn to_arg(&self) -> Arg;
}

impl MsgArg for ArgOf<'_, Msg> {
    fn to_arg(&self) -> Arg {
        Arg::Msg(self.0.clone())
    }
}

impl MsgArg for ArgOf<'_, crate::Error> {
    fn to_arg(&self) -> Arg {
        Arg::Msg(self.0.msg())
    }
}

impl MsgArg for ArgOf<'_, &Msg> {
    fn to_arg(&self) -> Arg {
        Arg::Msg((*self.0).clone())
    }
}

impl MsgArg for ArgOf<'_, &crate::Error> {
    fn to_arg(&self) -> Arg {
        Arg::Msg(self.0.msg())
    }
}

impl MsgArg for ArgOf<'_, Box<crate::Error>> {
    fn to_arg(&self) -> Arg {
        Arg::Msg(self.0.msg())
    }
}

#[doc(hidden)]
pub trait TextArg {
    fn to_arg(&self) -> Arg;
}

impl<T: fmt::Display + ?Sized> TextArg for &ArgOf<'_, T> {
    fn to_arg(&self) -> Arg {
        Arg::Text(self.0.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg;

    #[test]
    fn a_message_keeps_its_template_and_arguments() {
        let (w, h) = (40000, 30000);
        let mp = 1200.0_f64;
        let m = msg!("the image is {w}×{h} ({mp:.0} megapixels): {}", "too large");
        assert_eq!(
            m.text,
            "the image is 40000×30000 (1200 megapixels): too large"
        );
        assert_eq!(
            m.template.as_deref(),
            Some("the image is {w}×{h} ({mp} megapixels): {0}")
        );
        assert_eq!(m.args["w"], Arg::Text("40000".into()));
        assert_eq!(m.args["mp"], Arg::Text("1200".into()));
        assert_eq!(m.args["0"], Arg::Text("too large".into()));
    }

    #[test]
    fn a_message_inside_a_message_stays_a_message() {
        let reason = msg!("not an image");
        let path = "/tmp/{a}.png";
        let m = msg!("cannot read {path}: {reason}", reason = reason.clone());
        assert_eq!(m.text, "cannot read /tmp/{a}.png: not an image");
        assert_eq!(m.args["reason"], Arg::Msg(reason));
        assert_eq!(m.args["path"], Arg::Text(path.into()));
        let e = crate::Error::Input(msg!("no {{braces}} here"));
        let m = msg!("{config} failed: {e}", config = "main");
        assert_eq!(m.text, "main failed: no {braces} here");
        assert_eq!(m.template.as_deref(), Some("{config} failed: {e}"));
        match &m.args["e"] {
            Arg::Msg(inner) => assert_eq!(inner.template.as_deref(), Some("no {{braces}} here")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_table_says_it_in_its_language_with_nested_messages() {
        let table = Translations::from_json(
            r#"{"{config} failed: {e}": "{config} 失败：{e}", "no {{braces}} here": "这里没有 {{括号}}"}"#,
        )
        .unwrap();
        let e = crate::Error::Input(msg!("no {{braces}} here"));
        let m = msg!("{config} failed: {e}", config = "主");
        assert_eq!(table.say(&m), "主 失败：这里没有 {括号}");
        assert_eq!(
            table.say(&msg!("untranslated {x}", x = 1)),
            "untranslated 1"
        );
        assert_eq!(table.say(&Msg::plain("Token invalid")), "Token invalid");
    }

    #[test]
    fn it_serializes_as_text_template_and_args() {
        let n = 3;
        let v = serde_json::to_value(msg!("{n} images")).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"text": "3 images", "template": "{n} images", "args": {"n": "3"}})
        );
        let v = serde_json::to_value(Msg::plain("Token invalid")).unwrap();
        assert_eq!(v, serde_json::json!({"text": "Token invalid"}));
    }
}
