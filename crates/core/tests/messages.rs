//! Every sentence Rust makes with `msg!` has its 简体中文 translation in the app's table
//! (`ui/src/locales/messages.zh-CN.json`, keyed by the English template), with the same
//! arguments; the table keeps no sentence the sources no longer make; and words of ours are
//! never passed off as not ours (`Msg::plain` of a literal or a `format!`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[path = "../../msg-macro/src/template.rs"]
mod template;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path
                .file_name()
                .is_some_and(|n| n == "tests" || n == "target")
            {
                continue;
            }
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs")
            && path.file_name().is_none_or(|n| n != "test_hooks.rs")
        {
            out.push(path);
        }
    }
}

/// The sources that make messages the app can show: everything but tests (a file's own
/// `#[cfg(test)] mod tests` is at its end and is left out) and the test hooks, which only the
/// tests' build has: their words must not reach the users' build through the table.
fn sources() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    for dir in ["crates/core/src", "crates/clipboard/src", "src-tauri/src"] {
        rust_files(&root().join(dir), &mut files);
    }
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let text = match text.find("#[cfg(test)]\nmod tests") {
                Some(i) => text[..i].to_string(),
                None => text,
            };
            (p, text)
        })
        .collect()
}

/// The string literal starting at `at` (a `"` or an `r`), as written.
fn literal_at(text: &str, at: usize) -> &str {
    let rest = &text[at..];
    if let Some(raw) = rest.strip_prefix('r') {
        let hashes = raw.chars().take_while(|&c| c == '#').count();
        let close = format!("\"{}", "#".repeat(hashes));
        let body_start = 1 + hashes + 1;
        let end = rest[body_start..].find(&close).unwrap() + body_start + close.len();
        return &rest[..end];
    }
    let mut escaped = false;
    for (i, c) in rest.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return &rest[..=i],
            _ => {}
        }
    }
    panic!("an unclosed string literal")
}

/// Every template in the sources, with where it is made.
fn templates() -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for (path, text) in sources() {
        let shown = path
            .strip_prefix(root())
            .unwrap_or(&path)
            .display()
            .to_string();
        for (at, _) in text.match_indices("msg!(") {
            let after = at + "msg!(".len();
            let start = after + (text[after..].len() - text[after..].trim_start().len());
            let lit = literal_at(&text, start);
            let line = text[..at].matches('\n').count() + 1;
            let format = template::unquote(lit).unwrap_or_else(|e| panic!("{shown}:{line}: {e}"));
            let parsed = template::parse(&format).unwrap_or_else(|e| panic!("{shown}:{line}: {e}"));
            found
                .entry(parsed.template())
                .or_insert(format!("{shown}:{line}"));
        }
    }
    found
}

fn placeholders(template: &str) -> BTreeSet<String> {
    let parsed = template::parse(template).unwrap_or_else(|e| panic!("{template:?}: {e}"));
    parsed.placeholders.into_iter().map(|p| p.name).collect()
}

#[test]
fn every_message_has_its_chinese_translation_with_the_same_arguments() {
    let table_path = root().join("ui/src/locales/messages.zh-CN.json");
    let table: BTreeMap<String, String> =
        serde_json::from_str(&std::fs::read_to_string(&table_path).unwrap()).unwrap();
    let made = templates();
    assert!(
        made.len() > 200,
        "the sources make {} messages: the scan missed them",
        made.len()
    );

    let missing: Vec<String> = made
        .iter()
        .filter(|(t, _)| !table.contains_key(*t))
        .map(|(t, at)| format!("{at}: {t:?}"))
        .collect();
    assert!(
        missing.is_empty(),
        "{} messages have no 简体中文 translation:\n{}",
        missing.len(),
        missing.join("\n")
    );

    let stale: Vec<&String> = table.keys().filter(|t| !made.contains_key(*t)).collect();
    assert!(
        stale.is_empty(),
        "translations of messages no source makes: {stale:#?}"
    );

    for (t, zh) in &table {
        assert_eq!(
            placeholders(t),
            placeholders(zh),
            "{t:?} → {zh:?}: not the same arguments"
        );
        let words = |s: &str| {
            let parsed = template::parse(s).unwrap();
            parsed.pieces.concat()
        };
        assert!(
            zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
                || !words(t).chars().any(|c| c.is_ascii_alphabetic()),
            "{t:?} → {zh:?}: not Chinese"
        );
    }
}

#[test]
fn our_own_words_are_never_plain() {
    let mut wrong = Vec::new();
    for (path, text) in sources() {
        for (at, _) in text.match_indices("Msg::plain(") {
            let rest = text[at + "Msg::plain(".len()..].trim_start();
            if rest.starts_with('"') || rest.starts_with("format!") || rest.starts_with("r\"") {
                let line = text[..at].matches('\n').count() + 1;
                wrong.push(format!("{}:{line}", path.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "Msg::plain of our own words (use msg!): {wrong:#?}"
    );
}

/// `PIXDROP_DUMP_MESSAGES=FILE cargo test -p pixdrop-core --test messages dump`: every template
/// with where it is made, as JSON (for translators).
#[test]
fn dump() {
    if let Some(file) = std::env::var_os("PIXDROP_DUMP_MESSAGES") {
        let made = templates();
        std::fs::write(file, serde_json::to_string_pretty(&made).unwrap()).unwrap();
    }
}
