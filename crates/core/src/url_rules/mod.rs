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
    #[serde(default = "on", alias = "enable")]
    pub enabled: bool,
    /// Every match is replaced, not only the first (PicGo's `global`).
    #[serde(default)]
    pub global: bool,
    /// Letters match in either case (PicGo's `ignoreCase`).
    #[serde(default, alias = "ignoreCase")]
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

/// [`check`] for one rule, numbered `n` in what is said.
pub(crate) fn check_one(n: usize, rule: &UrlRule) -> Result<()> {
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
    let groups = re.captures_len() - 1;
    for part in parts(&rule.replace, groups) {
        match part {
            Part::Missing(reference) => {
                return Err(Error::Input(msg!(
                    "URL rewrite rule {n}'s replacement uses {reference}, but its pattern has {groups} groups"
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
    Add { rule: UrlRule, at: Option<usize> },
    /// Remove rule `n`; with `expect`, only if it is still that rule (the app's list may be
    /// older than the file another program changed).
    Remove {
        n: usize,
        #[serde(default)]
        expect: Option<UrlRule>,
    },
    /// Turn a rule on or off (`expect` as for `Remove`).
    Enable {
        n: usize,
        on: bool,
        #[serde(default)]
        expect: Option<UrlRule>,
    },
}

/// Run `rules` (saved or not: the app's preview runs the list being edited) on `sample`, after
/// refusing in words a rule that cannot be used.
pub fn preview(rules: &[UrlRule], sample: &str) -> Result<Rewritten> {
    check(rules)?;
    Ok(rewrite(rules, sample))
}

impl Edit {
    /// Make this change to `rules`. A rule added or turned on is checked first (one that
    /// cannot be used is refused in words naming it); removing or turning off always works,
    /// so a rule edited by hand into the config can be taken out. Saved by
    /// `ConfigStore::change_url_rules`.
    pub fn apply(self, rules: &mut Vec<UrlRule>) -> Result<()> {
        let count = rules.len();
        let place = |n: usize| {
            (1..=count).contains(&n).then(|| n - 1).ok_or_else(|| {
                Error::NotFound(msg!(
                    "there is no URL rewrite rule {n} (there are {count}; pixdrop url-rewrite list shows them)"
                ))
            })
        };
        let same = |i: usize, expect: &Option<UrlRule>| match expect {
            Some(e) if *e != rules[i] => Err(Error::Input(msg!(
                "URL rewrite rule {n} was changed elsewhere meanwhile; look at the rules again",
                n = i + 1
            ))),
            _ => Ok(()),
        };
        match self {
            Edit::Add { rule, at } => {
                let i = match at {
                    None => count,
                    Some(n) if n == count + 1 => count,
                    Some(n) => place(n)?,
                };
                check_one(i + 1, &rule)?;
                rules.insert(i, rule);
            }
            Edit::Remove { n, expect } => {
                let i = place(n)?;
                same(i, &expect)?;
                rules.remove(i);
            }
            Edit::Enable { n, on, expect } => {
                let i = place(n)?;
                same(i, &expect)?;
                if on {
                    check_one(n, &rules[i])?;
                }
                rules[i].enabled = on;
            }
        }
        Ok(())
    }
}

/// `text` with the matches of `re` (the first, or all) replaced as JavaScript replaces.
fn replace(re: &Regex, text: &str, replacement: &str, global: bool) -> String {
    let parts = parts(replacement, re.captures_len() - 1);
    let mut out = String::with_capacity(text.len() + replacement.len());
    let mut last = 0;
    let mut from = 0;
    // As JavaScript searches: the next match may start where the last one ended, even empty,
    // and after an empty match the search moves on by one character.
    while let Some(caps) = re.captures_at(text, from) {
        let whole = caps.get(0).expect("group 0 is the match");
        out.push_str(&text[last..whole.start()]);
        expand(&parts, &caps, text, &mut out);
        last = whole.end();
        if !global {
            break;
        }
        from = if whole.is_empty() {
            match text[whole.end()..].chars().next() {
                Some(c) => whole.end() + c.len_utf8(),
                None => break,
            }
        } else {
            whole.end()
        };
    }
    out.push_str(&text[last..]);
    out
}

fn expand(parts: &[Part<'_>], caps: &Captures<'_>, text: &str, out: &mut String) {
    let whole = caps.get(0).expect("group 0 is the match");
    for part in parts {
        match part {
            Part::Text(t) | Part::Missing(t) => out.push_str(t),
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
    /// `$n` of a group the pattern lacks, as written.
    Missing(&'a str),
    Named(&'a str),
    Before,
    After,
}

/// A replacement read as JavaScript reads it, for a pattern of `groups` groups: `$$` a dollar,
/// `$&` the match, `` $` `` and `$'` the text before and after it, `$<name>` a named group,
/// `$nn` group nn when there is one, else `$n` group n and the second digit itself (`$10` of one
/// group is group 1 and a "0"); a number above the groups is `Missing` (JavaScript writes it as
/// it is; Pixdrop refuses the rule); any other `$` is itself.
fn parts(replacement: &str, groups: usize) -> Vec<Part<'_>> {
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
            d @ b'0'..=b'9' => {
                let one = usize::from(d - b'0');
                let two = bytes
                    .get(i + 2)
                    .filter(|e| e.is_ascii_digit())
                    .map(|e| one * 10 + usize::from(e - b'0'));
                match two {
                    Some(nn) if (1..=groups).contains(&nn) => (Part::Group(nn), 3),
                    _ if (1..=groups).contains(&one) => (Part::Group(one), 2),
                    Some(nn) if nn > 0 => (Part::Missing(&replacement[i..i + 3]), 3),
                    _ if one > 0 => (Part::Missing(&replacement[i..i + 2]), 2),
                    // `$0` and `$00` are no group in JavaScript: they stay as they are.
                    _ => {
                        i += 1;
                        continue;
                    }
                }
            }
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
        // Two digits when there is such a group, else one and the digit itself, as in JavaScript.
        let ten = Regex::new("(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)").unwrap();
        assert_eq!(replace(&ten, "abcdefghij", "$10|$1", false), "j|a");
        assert_eq!(replace(&re, "xabcy", "[$10]", false), "x[a0]y");
        check(&[rule("(a)", "$10")]).unwrap();
        let e = check(&[rule("(a)(b)", "$3")]).unwrap_err().to_string();
        assert!(e.contains("uses $3, but its pattern has 2 groups"), "{e}");
        let e = check(&[rule("(a)", "$45")]).unwrap_err().to_string();
        assert!(e.contains("uses $45, but"), "{e}");
    }

    #[test]
    fn empty_matches_of_a_global_rule_as_in_javascript() {
        let all =
            |p: &str, text: &str, with: &str| replace(&Regex::new(p).unwrap(), text, with, true);
        // "a//".replace(/\/*$/g, "/") is "a//" in JavaScript: the empty match at the end counts.
        assert_eq!(all("/*$", "a//", "/"), "a//");
        assert_eq!(all("x*", "a猫c", "-"), "-a-猫-c-");
        assert_eq!(all("", "", "-"), "-");
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
        // PicGo's own names, pasted into the config by hand.
        let r: UrlRule = serde_json::from_str(
            r#"{"match":"^a","replace":"b","enable":false,"ignoreCase":true}"#,
        )
        .unwrap();
        assert!(!r.enabled && r.ignore_case);
    }

    #[test]
    fn edits_check_what_they_add_and_refuse_a_rule_changed_meanwhile() {
        // One edited in by hand that cannot be used: other rules still come and go.
        let mut rules = vec![rule("(bad", "x")];
        Edit::Add {
            rule: rule("^a", "b"),
            at: None,
        }
        .apply(&mut rules)
        .unwrap();
        let e = Edit::Add {
            rule: rule("(", "b"),
            at: Some(1),
        }
        .apply(&mut rules)
        .unwrap_err()
        .to_string();
        assert!(e.contains("URL rewrite rule 1: its pattern"), "{e}");
        let e = Edit::Enable {
            n: 1,
            on: true,
            expect: None,
        }
        .apply(&mut rules)
        .unwrap_err()
        .to_string();
        assert!(e.contains("URL rewrite rule 1: its pattern"), "{e}");
        // The list the app showed is older than the file: the rule it names is not there.
        let shown = rule("^old", "x");
        let e = Edit::Remove {
            n: 2,
            expect: Some(shown),
        }
        .apply(&mut rules)
        .unwrap_err()
        .to_string();
        assert!(e.contains("rule 2 was changed elsewhere"), "{e}");
        Edit::Remove {
            n: 1,
            expect: Some(rule("(bad", "x")),
        }
        .apply(&mut rules)
        .unwrap();
        assert_eq!(rules, [rule("^a", "b")]);
        let e = Edit::Remove { n: 4, expect: None }
            .apply(&mut rules)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("there is no URL rewrite rule 4 (there are 1"),
            "{e}"
        );
        Edit::Add {
            rule: rule("^z", "y"),
            at: Some(1),
        }
        .apply(&mut rules)
        .unwrap();
        assert_eq!(rules[0].pattern, "^z");
    }
}
