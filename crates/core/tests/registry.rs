//! Every registered host kind is whole: it builds from its required fields alone, each field
//! says what it is for, its capabilities come from what it implements, and the README documents
//! it with every key.

use pixdrop_core::hosts::{self, REGISTRY};

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap()
}

/// The README's section of a kind: from its heading, which names `(kind `X`)`, to the next
/// heading of the same level or above.
fn section<'a>(readme: &'a str, kind: &str) -> Option<&'a str> {
    let marker = format!("(kind `{kind}`)");
    let start = readme
        .lines()
        .position(|l| l.starts_with('#') && l.contains(&marker))?;
    let lines: Vec<&str> = readme.lines().collect();
    let level = lines[start].chars().take_while(|c| *c == '#').count();
    let end = lines[start + 1..]
        .iter()
        .position(|l| {
            let n = l.chars().take_while(|c| *c == '#').count();
            n > 0 && n <= level && l.chars().nth(n) == Some(' ')
        })
        .map_or(lines.len(), |i| start + 1 + i);
    let from = lines[..start].iter().map(|l| l.len() + 1).sum::<usize>();
    let to = lines[..end].iter().map(|l| l.len() + 1).sum::<usize>();
    readme.get(from..to.min(readme.len()))
}

#[test]
fn every_kind_is_whole() {
    let readme = readme();
    let mut kinds = Vec::new();
    for kind in REGISTRY {
        assert!(
            !kinds.contains(&kind.kind),
            "{} is registered twice",
            kind.kind
        );
        kinds.push(kind.kind);
        let cfg = kind.example_config();
        hosts::validate(&cfg).unwrap_or_else(|e| {
            panic!(
                "{} does not build from its required fields' examples: {e}",
                kind.kind
            )
        });
        let host = hosts::build(&cfg).unwrap();
        assert_eq!(host.kind(), kind.kind);
        let info = hosts::info(kind.kind).unwrap();
        assert_eq!(info.can_delete, host.deleter().is_some());
        assert_eq!(info.can_sync, host.syncer().is_some());
        assert_eq!(info.can_hold_sync, host.sync_place().is_some());
        for f in kind.fields {
            assert!(
                f.help.trim().len() > 10,
                "{}: field {} has no help",
                kind.kind,
                f.key
            );
            assert!(
                !f.label.is_empty(),
                "{}: field {} has no label",
                kind.kind,
                f.key
            );
            if !f.options.is_empty() {
                assert!(
                    f.default.is_none_or(|d| f.options.contains(&d)),
                    "{}: {}'s default is not one of its options",
                    kind.kind,
                    f.key
                );
            }
        }
        assert!(
            readme.contains(&format!("| `{}` |", kind.kind)),
            "the README's table of host kinds has no row for `{}`",
            kind.kind
        );
        let text = section(&readme, kind.kind)
            .unwrap_or_else(|| panic!("the README has no section headed (kind `{}`)", kind.kind));
        for f in kind.fields {
            assert!(
                text.contains(&format!("| `{}` |", f.key)),
                "the README's {} table has no row for `{}`",
                kind.kind,
                f.key
            );
        }
    }
    // The app's Add menu and the CLI list exactly the registry.
    let listed: Vec<_> = hosts::kinds().iter().map(|k| k.kind).collect();
    assert_eq!(listed, kinds);
}

#[test]
fn a_required_field_left_out_is_named() {
    for kind in REGISTRY {
        for f in kind.fields.iter().filter(|f| f.required) {
            let mut cfg = kind.example_config();
            cfg.settings.remove(f.key);
            let e = hosts::validate(&cfg).unwrap_err().to_string();
            assert!(e.contains(f.key), "{}: {e}", kind.kind);
        }
    }
}

#[test]
fn storage_kinds_share_the_placeholder_language() {
    for kind in ["s3", "webdav", "sftp", "local"] {
        let k = REGISTRY.iter().find(|k| k.kind == kind).unwrap();
        let mut cfg = k.example_config();
        cfg.settings
            .insert("upload_path".into(), "img/{Y}/{nope}.{ext}".into());
        let e = hosts::validate(&cfg).unwrap_err().to_string();
        assert!(e.contains("{nope}"), "{kind}: {e}");
        cfg.settings
            .insert("upload_path".into(), "../{filename}.{ext}".into());
        let e = hosts::validate(&cfg).unwrap_err().to_string();
        assert!(e.contains(".."), "{kind}: {e}");
    }
}

/// A config refused for one field names the field by its label as a term the app translates
/// where the form's own label is (`<kind>.<field>.label`), with the key the CLI uses.
#[test]
fn a_refused_field_is_named_by_its_label_as_a_term() {
    use pixdrop_core::config::HostConfig;
    use pixdrop_core::msg::Arg;
    let cfg = HostConfig {
        name: "pics".into(),
        kind: "chevereto".into(),
        settings: [
            (
                "url".to_string(),
                serde_json::json!("ftp://img.example.com"),
            ),
            ("api_key".to_string(), serde_json::json!("k")),
        ]
        .into_iter()
        .collect(),
    };
    let m = hosts::validate(&cfg).unwrap_err().msg();
    assert!(m.text.starts_with("Site (url) must be"), "{}", m.text);
    let named = m.args.values().find_map(|a| match a {
        Arg::Msg(n) if n.template.as_deref() == Some("{0} ({1})") => Some(n),
        _ => None,
    });
    let named = named.unwrap_or_else(|| panic!("no field named in {m:?}"));
    let label = match &named.args["0"] {
        Arg::Msg(l) => l,
        other => panic!("the label is not a term: {other:?}"),
    };
    assert_eq!(label.term.as_deref(), Some("chevereto.url.label"));
    assert_eq!(label.text, "Site");
    let json = serde_json::to_value(label).unwrap();
    assert_eq!(json["term"], "chevereto.url.label");
}
