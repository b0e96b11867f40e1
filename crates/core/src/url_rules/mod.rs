//! Rewriting a link before it is recorded and copied: PicGo's URL rewrite
//! (`settings.urlRewrite.rules`), kept as the setting `url_rewrite`. Rules are tried in order
//! and the first enabled one whose pattern matches the host's link rewrites it; the rest are
//! not tried. The replacement is read as PicGo (JavaScript's `String.replace`) reads it — `$1`…`$99`,
//! `$<name>`, `$&`, `` $` ``, `$'` and `$$` — so rules brought from PicGo mean what they meant
//! there. The host's own link stays in the record beside the rewritten one.

use crate::error::{Error, Result};
use crate::msg;
use crate::msg::Msg;
use regex::{Captures, Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

/// One rule: where `match` (a regular expression) matches the link, `replace` takes its place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UrlRule {
    #[serde(rename = "match")]
    pub pattern: String,
    #[serde(default)]
    pub replace: String,
    #[serde(default = "on")]
    pub enabled: bool,
    /// Every match is replaced, not only the first (PicGo's `global`).
    #[serde(default)]
    pub global: bool,
    /// Letters match in either case (PicGo's `ignoreCase`).
    #[serde(default)]
    pub ignore_case: bool,
}

fn on() -> bool {
    true
}

/// What the rules made of a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rewritten {
    /// The link to record and copy.
    pub url: String,
    /// The host's own link, when a rule changed it.
    pub origin: Option<String>,
    /// The rule (counted from 1) that matched, if one did.
    pub rule: Option<usize>,
    /// Said when a rule could not be used (its result was empty, or it does not compile any
    /// more): the host's link was kept.
    pub note: Option<Msg>,
}

impl UrlRule {
    fn regex(&self) -> std::result::Result<Regex, regex::Error> {
        RegexBuilder::new(&self.pattern)
            .case_insensitive(self.ignore_case)
            // A rule is a line a person writes; its compiled form stays small.
            .size_limit(1 << 20)
            .build()
    }
}

/// Refuse, in words naming the rule (counted from 1), a rule that cannot be used: no pattern,
/// a pattern that is not a regular expression, or a replacement naming a group the pattern
/// lacks (PicGo would put `$3` in the link as it is).
pub fn check(rules: &[UrlRule]) -> Result<()> {
    for (i, rule) in rules.iter().enumerate() {
        check_one(i + 1, rule)?;
    }
    Ok(())
}

fn check_one(n: usize, rule: &UrlRule) -> Result<()> {
    if rule.pattern.is_empty() {
        return Err(Error::Input(msg!(
            "URL rewrite rule {n} has no pattern to match"
        )));
    }
    let re = rule.regex().map_err(|e| {
        let e = e.to_string().replace('\n', " ");
        Error::Input(msg!(
            "URL rewrite rule {n}: its pattern is not a regular expression Pixdrop can use ({e})"
        ))
    })?;
    for part in parts(&rule.replace) {
        match part {
            Part::Group(g) if g >= re.captures_len() => {
                let groups = re.captures_len() - 1;
                return Err(Error::Input(msg!(
                    "URL rewrite rule {n}'s replacement uses ${g}, but its pattern has {groups} groups"
                )));
            }
            Part::Named(name) if !re.capture_names().any(|c| c == Some(name)) => {
                return Err(Error::Input(msg!(
                    "URL rewrite rule {n}'s replacement uses $<{name}>, but its pattern has no group of that name"
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Run `rules` on `url`: the first enabled rule that matches rewrites it. An empty result is
/// refused (the host's link is kept and the note says which rule), as is a rule that no
/// longer compiles (a config edited by hand); rules after it are still tried.
pub fn rewrite(rules: &[UrlRule], url: &str) -> Rewritten {
    let mut note = None;
    for (i, rule) in rules.iter().enumerate() {
        if !rule.enabled {
            continue;
        }
        let n = i + 1;
        if let Err(e) = check_one(n, rule) {
            note.get_or_insert(msg!("{e}; the rule was passed over"));
            continue;
        }
        let Ok(re) = rule.regex() else { continue };
        if !re.is_match(url) {
            continue;
        }
        let new = replace(&re, url, &rule.replace, rule.global);
        if new.is_empty() {
            return Rewritten {
                url: url.to_string(),
                origin: None,
                rule: Some(n),
                note: Some(msg!(
                    "URL rewrite rule {n} turned the link into nothing, so the host's link was kept"
                )),
            };
        }
        let origin = (new != url).then(|| url.to_string());
        return Rewritten {
            url: new,
            origin,
            rule: Some(n),
            note,
        };
    }
    Rewritten {
        url: url.to_string(),
        origin: None,
        rule: None,
        note,
    }
}

/// A change to the rules kept in the setting `url_rewrite`; rules are counted from 1.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Edit {
    /// Add a rule at a place (before rule `at`), or last.
    Add {
        rule: UrlRule,
        at: Option<usize>,
    },
    Remove {
        n: usize,
    },
    /// Turn a rule on or off.
    Enable {
        n: usize,
        on: bool,
    },
}

/// Run `rules` (saved or not: the app's preview runs the list being edited) on `sample`, after
/// refusing in words a rule that cannot be used.
pub fn preview(rules: &[UrlRule], sample: &str) -> Result<Rewritten> {
    check(rules)?;
    Ok(rewrite(rules, sample))
}

impl Edit {
    /// Make this change to `rules`, then check the whole list (a rule that cannot be used is
    /// refused in words naming it). Saved by `ConfigStore::change_url_rules`.
    pub fn apply(self, rules: &mut Vec<UrlRule>) -> Result<()> {
        let count = rules.len();
        let place = |n: usize| {
            (1..=count).contains(&n).then(|| n - 1).ok_or_else(|| {
                Error::NotFound(msg!(
                    "there is no URL rewrite rule {n} (there are {count}; pixdrop url-rewrite list shows them)"
                ))
            })
        };
        match self {
            Edit::Add { rule, at: None } => rules.push(rule),
            Edit::Add { rule, at: Some(n) } if n == count + 1 => rules.push(rule),
            Edit::Add { rule, at: Some(n) } => rules.insert(place(n)?, rule),
            Edit::Remove { n } => {
                rules.remove(place(n)?);
            }
            Edit::Enable { n, on } => rules[place(n)?].enabled = on,
        }
        check(rules)
    }
}

/// `text` with the matches of `re` (the first, or all) replaced as JavaScript replaces.
fn replace(re: &Regex, text: &str, replacement: &str, global: bool) -> String {
    let parts = parts(replacement);
    let mut out = String::with_capacity(text.len() + replacement.len());
    let mut last = 0;
    for caps in re.captures_iter(text) {
        let whole = caps.get(0).expect("group 0 is the match");
        out.push_str(&text[last..whole.start()]);
        expand(&parts, &caps, text, &mut out);
        last = whole.end();
        if !global {
            break;
        }
    }
    out.push_str(&text[last..]);
    out
}

fn expand(parts: &[Part<'_>], caps: &Captures<'_>, text: &str, out: &mut String) {
    let whole = caps.get(0).expect("group 0 is the match");
    for part in parts {
        match part {
            Part::Text(t) => out.push_str(t),
            Part::Group(g) => out.push_str(caps.get(*g).map_or("", |m| m.as_str())),
            Part::Named(name) => out.push_str(caps.name(name).map_or("", |m| m.as_str())),
            Part::Before => out.push_str(&text[..whole.start()]),
            Part::After => out.push_str(&text[whole.end()..]),
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Part<'a> {
    Text(&'a str),
    Group(usize),
    Named(&'a str),
    Before,
    After,
}

/// A replacement read as JavaScript reads it: `$$` a dollar, `$&` the match (group 0), `` $` ``
/// and `$'` the text before and after it, `$n`/`$nn` a group (two digits when the second one
/// follows), `$<name>` a named group; any other `$` is itself.
fn parts(replacement: &str) -> Vec<Part<'_>> {
    let bytes = replacement.as_bytes();
    let mut parts = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' || i + 1 == bytes.len() {
            i += 1;
            continue;
        }
        let (part, len) = match bytes[i + 1] {
            b'$' => (Part::Text("$"), 2),
            b'&' => (Part::Group(0), 2),
            b'`' => (Part::Before, 2),
            b'\'' => (Part::After, 2),
            d @ b'0'..=b'9' => match bytes.get(i + 2) {
                Some(e @ b'0'..=b'9') => (
                    Part::Group(usize::from(d - b'0') * 10 + usize::from(e - b'0')),
                    3,
                ),
                _ => (Part::Group(usize::from(d - b'0')), 2),
            },
            b'<' => match replacement[i + 2..].find('>') {
                Some(end) => (Part::Named(&replacement[i + 2..i + 2 + end]), end + 3),
                None => {
                    i += 1;
                    continue;
                }
            },
            _ => {
                i += 1;
                continue;
            }
        };
        // `$0` is no group in JavaScript: it stays as it is.
        if part == Part::Group(0) && bytes[i + 1] != b'&' {
            i += 1;
            continue;
        }
        if start < i {
            parts.push(Part::Text(&replacement[start..i]));
        }
        parts.push(part);
        i += len;
        start = i;
    }
    if start < bytes.len() {
        parts.push(Part::Text(&replacement[start..]));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(pattern: &str, replace: &str) -> UrlRule {
        UrlRule {
            pattern: pattern.into(),
            replace: replace.into(),
            enabled: true,
            global: false,
            ignore_case: false,
        }
    }

    #[test]
    fn the_first_enabled_matching_rule_rewrites_and_the_host_link_is_kept() {
        let mut off = rule("^https://img\\.example\\.com/", "https://never/");
        off.enabled = false;
        let rules = [
            off,
            rule("^https://other\\.example/(.*)$", "https://x/$1"),
            rule(
                "^https://img\\.example\\.com/(\\d{4})/(.+)$",
                "https://cdn.example.net/$2?y=$1",
            ),
            rule("cdn", "second-rule-never-runs"),
        ];
        let r = rewrite(&rules, "https://img.example.com/2026/猫 cat.png");
        assert_eq!(r.url, "https://cdn.example.net/猫 cat.png?y=2026");
        assert_eq!(
            r.origin.as_deref(),
            Some("https://img.example.com/2026/猫 cat.png")
        );
        assert_eq!(r.note, None);
        let none = rewrite(&rules, "https://elsewhere/a.png");
        assert_eq!(
            (none.url.as_str(), none.origin),
            ("https://elsewhere/a.png", None)
        );
    }

    #[test]
    fn replacements_read_as_javascript_reads_them() {
        let re = Regex::new("(a)(z)?b(?<tail>c)").unwrap();
        let cases = [
            ("[$1]", "x[a]y"),
            ("[$2]", "x[]y"), // a group that did not take part is empty
            ("[$&]", "x[abc]y"),
            ("[$`|$']", "x[x|y]y"),
            ("[$$1]", "x[$1]y"),
            ("[$<tail>]", "x[c]y"),
            ("[$0]", "x[$0]y"),
            ("[$]", "x[$]y"),
            ("[$x$]", "x[$x$]y"),
            ("[$01]", "x[a]y"),
        ];
        for (replacement, want) in cases {
            assert_eq!(
                replace(&re, "xabcy", replacement, false),
                want,
                "{replacement}"
            );
        }
        // Two digits when the second follows: $11 is group 11, checked as such.
        assert!(check(&[rule("(a)", "$11")]).is_err());
    }

    #[test]
    fn global_and_ignore_case_as_in_picgo() {
        let mut r = rule("HTTP://", "https://");
        assert_eq!(
            rewrite(&[r.clone()], "http://a/http://b").url,
            "http://a/http://b"
        );
        r.ignore_case = true;
        assert_eq!(
            rewrite(&[r.clone()], "http://a/http://b").url,
            "https://a/http://b"
        );
        r.global = true;
        assert_eq!(
            rewrite(&[r], "http://a/http://b").url,
            "https://a/https://b"
        );
    }

    #[test]
    fn an_empty_result_is_refused_and_the_host_link_kept() {
        let r = rewrite(&[rule(".*", "")], "https://a/b.png");
        assert_eq!(r.url, "https://a/b.png");
        assert_eq!(r.origin, None);
        assert!(r
            .note
            .unwrap()
            .to_string()
            .contains("rule 1 turned the link into nothing"));
    }

    #[test]
    fn a_rule_that_cannot_be_used_is_refused_by_number() {
        let bad = [rule("^ok$", "x"), rule("(unclosed", "x")];
        let e = check(&bad).unwrap_err().to_string();
        assert!(
            e.contains("rule 2: its pattern is not a regular expression"),
            "{e}"
        );
        let e = check(&[rule("(a)(b)", "$3")]).unwrap_err().to_string();
        assert!(e.contains("uses $3, but its pattern has 2 groups"), "{e}");
        let e = check(&[rule("(a)", "$<name>")]).unwrap_err().to_string();
        assert!(e.contains("no group of that name"), "{e}");
        assert!(check(&[rule("", "x")]).is_err());
        // JavaScript's habit of escaping slashes is taken.
        check(&[rule("^https:\\/\\/a\\/(.*)$", "https://b/$1")]).unwrap();
        // One that slipped in (a config edited by hand) is passed over, said, and the next runs.
        let r = rewrite(&[rule("(unclosed", "x"), rule("a", "b")], "a");
        assert_eq!(r.url, "b");
        assert!(r.note.is_some());
    }

    #[test]
    fn rules_read_from_picgo_shaped_json() {
        let r: UrlRule = serde_json::from_str(r#"{"match":"^a","replace":"b"}"#).unwrap();
        assert!(r.enabled && !r.global && !r.ignore_case);
    }
}
