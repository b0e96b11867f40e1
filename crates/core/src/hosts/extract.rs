//! Getting a link out of a host's answer, and filling in request values.
//!
//! - JSON paths: `data.url`, `data.links[0].url`, `data.links.0.url`, `$.data.url`,
//!   `data["odd key"]`; an empty path (or `$`) is the whole answer.
//! - Templates, in ShareX's custom-uploader syntax: literal text around `{json:PATH}`,
//!   `{response}` (the whole answer body), `{regex:PATTERN|GROUP}` (GROUP is a number or a name;
//!   without it the whole match), and `{filename}` (the uploaded file's name). `\{`, `\}`, `\|` and
//!   `\\` are literal characters. Requests (URL, headers, form fields) may only use `{filename}`.

use serde_json::Value;

use crate::{msg, Msg};

/// A parsed JSON path.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPath {
    source: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    /// A name after a dot; a number here also indexes arrays (`links.0`).
    Key(String),
    /// `[N]`
    Index(usize),
}

impl JsonPath {
    pub fn parse(path: &str) -> Result<JsonPath, Msg> {
        let source = path.trim().to_string();
        let mut rest = source.as_str();
        if let Some(r) = rest.strip_prefix('$') {
            rest = r;
        }
        let mut segments = Vec::new();
        let mut first = true;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix('[') {
                let end = r
                    .find(']')
                    .ok_or_else(|| msg!("JSON path {source:?} has a [ without ]"))?;
                let inner = r[..end].trim();
                let quoted = inner.len() >= 2
                    && ((inner.starts_with('"') && inner.ends_with('"'))
                        || (inner.starts_with('\'') && inner.ends_with('\'')));
                segments.push(if quoted {
                    Segment::Key(inner[1..inner.len() - 1].to_string())
                } else {
                    Segment::Index(inner.parse().map_err(|_| {
                        msg!("JSON path {source:?}: [{inner}] is not an index like [0] or a quoted name like [\"key\"]")
                    })?)
                });
                rest = &r[end + 1..];
            } else {
                if let Some(r) = rest.strip_prefix('.') {
                    rest = r;
                } else if !first {
                    return Err(msg!("JSON path {source:?} is not like data.links[0].url"));
                }
                let end = rest.find(['.', '[']).unwrap_or(rest.len());
                let key = &rest[..end];
                if key.is_empty() {
                    return Err(msg!("JSON path {source:?} has an empty name in it"));
                }
                segments.push(Segment::Key(key.to_string()));
                rest = &rest[end..];
            }
            first = false;
        }
        Ok(JsonPath { source, segments })
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub fn is_root(&self) -> bool {
        self.segments.is_empty()
    }

    /// The value the path points at, if any.
    pub fn find<'a>(&self, root: &'a Value) -> Option<&'a Value> {
        let mut v = root;
        for seg in &self.segments {
            v = match (seg, v) {
                (Segment::Index(i), Value::Array(a)) => a.get(*i)?,
                (Segment::Key(k), Value::Object(m)) => m.get(k)?,
                (Segment::Key(k), Value::Array(a)) => a.get(k.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(v)
    }

    /// The text at the path: strings as they are, numbers and booleans written out.
    pub fn text(&self, root: &Value) -> Result<String, Missing> {
        match self.find(root) {
            None | Some(Value::Null) => Err(Missing::Path(self.source.clone())),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(v @ (Value::Number(_) | Value::Bool(_))) => Ok(v.to_string()),
            Some(Value::Array(_)) => Err(Missing::NotText(self.source.clone(), "a list")),
            Some(Value::Object(_)) => Err(Missing::NotText(self.source.clone(), "an object")),
        }
    }
}

/// Why a template found nothing in an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Missing {
    /// The answer is not JSON, so a JSON path cannot apply.
    NotJson(String),
    /// Nothing at this path.
    Path(String),
    /// The path points at a list or an object.
    NotText(String, &'static str),
    /// The regular expression did not match.
    NoMatch(String),
}

impl Missing {
    /// Why, in words.
    pub fn msg(&self) -> Msg {
        match self {
            Missing::NotJson(p) => {
                msg!("the answer is not JSON, so the JSON path {p} finds nothing")
            }
            Missing::Path(p) => msg!("the answer has nothing at the JSON path {p}"),
            Missing::NotText(p, "a list") => {
                msg!("the JSON path {p} points at a list, not at text")
            }
            Missing::NotText(p, _) => msg!("the JSON path {p} points at an object, not at text"),
            Missing::NoMatch(r) => msg!("the pattern {r} does not match the answer"),
        }
    }
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.msg().text)
    }
}

/// Where a template is used: in a request (only `{filename}`) or on an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    Request,
    Answer,
}

#[derive(Debug, Clone)]
enum Piece {
    Text(String),
    Json(JsonPath),
    Response,
    Regex(regex::Regex, Group),
    FileName,
}

#[derive(Debug, Clone)]
enum Group {
    Whole,
    Index(usize),
    Name(String),
}

/// A parsed template.
#[derive(Debug, Clone)]
pub struct Template {
    source: String,
    pieces: Vec<Piece>,
}

/// What a template is applied to.
pub struct Answer<'a> {
    pub body: &'a str,
    /// The body parsed as JSON, when it is JSON.
    pub json: Option<&'a Value>,
    pub file_name: &'a str,
}

/// Syntax ShareX has that maps onto nothing Pixdrop does, with the reason.
fn unsupported(name: &str) -> Msg {
    let why = match name {
        "xml" => msg!("XML answers are not supported"),
        "input" | "inputbox" | "prompt" | "select" => {
            msg!("Pixdrop does not ask questions during an upload")
        }
        "header" => msg!("reading answer headers is not supported"),
        "responseurl" => msg!("the answer's final URL is not kept"),
        "random" | "base64" | "outputurl" => msg!("it is not supported"),
        _ => msg!("it is not ShareX syntax Pixdrop knows"),
    };
    msg!("{{{name}}} is not supported ({why})")
}

impl Template {
    pub fn parse(source: &str, usage: Use) -> Result<Template, Msg> {
        // Characters with a flag: true when written escaped (so never syntax).
        let chars: Vec<(char, bool)> = {
            let mut out = Vec::new();
            let mut it = source.chars().peekable();
            while let Some(c) = it.next() {
                if c == '\\' {
                    if let Some(&n) = it.peek() {
                        if matches!(n, '{' | '}' | '|' | '\\') {
                            out.push((n, true));
                            it.next();
                            continue;
                        }
                    }
                }
                out.push((c, false));
            }
            out
        };
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut i = 0;
        while i < chars.len() {
            let (c, escaped) = chars[i];
            if c == '{' && !escaped {
                let close = chars[i + 1..]
                    .iter()
                    .position(|&(c, e)| (c == '}' || c == '{') && !e)
                    .map(|p| p + i + 1);
                let close = match close {
                    Some(p) if chars[p].0 == '}' => p,
                    Some(_) => return Err(msg!("{source:?}: {{…}} inside {{…}} is not supported")),
                    None => return Err(msg!("{source:?} has a {{ without }}")),
                };
                let inner = &chars[i + 1..close];
                let name_end = inner
                    .iter()
                    .position(|&(c, e)| c == ':' && !e)
                    .unwrap_or(inner.len());
                let name: String = inner[..name_end].iter().map(|&(c, _)| c).collect();
                let name = name.trim().to_ascii_lowercase();
                let arg = if name_end < inner.len() {
                    &inner[name_end + 1..]
                } else {
                    &[][..]
                };
                let arg_text: String = arg.iter().map(|&(c, _)| c).collect();
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                let piece = match name.as_str() {
                    "filename" => Piece::FileName,
                    "json" | "response" | "regex" if usage == Use::Request => {
                        return Err(msg!(
                            "{source:?}: {{{name}}} reads the host's answer, so it cannot be used in a request"
                        ))
                    }
                    "json" => Piece::Json(JsonPath::parse(&arg_text)?),
                    "response" => Piece::Response,
                    "regex" => {
                        let bar = arg.iter().rposition(|&(c, e)| c == '|' && !e);
                        let (pattern, group) = match bar {
                            Some(b) => (
                                arg[..b].iter().map(|&(c, _)| c).collect::<String>(),
                                arg[b + 1..].iter().map(|&(c, _)| c).collect::<String>(),
                            ),
                            None => (arg_text.clone(), String::new()),
                        };
                        let re = regex::Regex::new(&pattern)
                            .map_err(|e| msg!("{source:?}: the pattern {pattern:?} is not a regular expression: {e}"))?;
                        let group = group.trim();
                        let group = if group.is_empty() {
                            Group::Whole
                        } else if let Ok(n) = group.parse::<usize>() {
                            if n >= re.captures_len() {
                                return Err(msg!("{source:?}: the pattern {pattern:?} has no group {n}"));
                            }
                            Group::Index(n)
                        } else {
                            if !re.capture_names().flatten().any(|g| g == group) {
                                return Err(msg!("{source:?}: the pattern {pattern:?} has no group named {group:?}"));
                            }
                            Group::Name(group.to_string())
                        };
                        Piece::Regex(re, group)
                    }
                    other => return Err(msg!("{source:?}: {}", unsupported(other))),
                };
                pieces.push(piece);
                i = close + 1;
            } else if c == '}' && !escaped {
                return Err(msg!("{source:?} has a }} without {{"));
            } else {
                text.push(c);
                i += 1;
            }
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Ok(Template {
            source: source.to_string(),
            pieces,
        })
    }

    /// A template that is just this text (no syntax).
    pub fn literal(text: &str) -> Template {
        Template {
            source: text.to_string(),
            pieces: vec![Piece::Text(text.to_string())],
        }
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    /// Whether any part reads the answer as JSON.
    pub fn needs_json(&self) -> bool {
        self.pieces.iter().any(|p| matches!(p, Piece::Json(_)))
    }

    /// The template applied to an answer.
    pub fn render(&self, answer: &Answer) -> Result<String, Missing> {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::FileName => out.push_str(answer.file_name),
                Piece::Response => out.push_str(answer.body.trim()),
                Piece::Json(path) => match answer.json {
                    Some(v) => out.push_str(&path.text(v)?),
                    None => return Err(Missing::NotJson(path.as_str().to_string())),
                },
                Piece::Regex(re, group) => {
                    let caps = re
                        .captures(answer.body)
                        .ok_or_else(|| Missing::NoMatch(re.as_str().to_string()))?;
                    let m = match group {
                        Group::Whole => caps.get(0),
                        Group::Index(n) => caps.get(*n),
                        Group::Name(n) => caps.name(n),
                    };
                    out.push_str(m.map(|m| m.as_str()).unwrap_or_default());
                }
            }
        }
        Ok(out)
    }

    /// A request value: `{filename}` filled in (the only syntax a request may use).
    pub fn fill(&self, file_name: &str) -> String {
        let answer = Answer {
            body: "",
            json: None,
            file_name,
        };
        self.render(&answer).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer<'a>(body: &'a str, json: Option<&'a Value>) -> Answer<'a> {
        Answer {
            body,
            json,
            file_name: "cat.png",
        }
    }

    #[test]
    fn json_paths_in_every_spelling() {
        let v = json!({"data": {"url": "u", "links": [{"url": "a"}, {"url": "b"}], "n": 7, "odd key": "o"}});
        for (p, want) in [
            ("data.url", "u"),
            ("$.data.url", "u"),
            ("$data.url", "u"),
            ("data.links[1].url", "b"),
            ("data.links.0.url", "a"),
            ("data.n", "7"),
            ("data[\"odd key\"]", "o"),
            ("data['odd key']", "o"),
        ] {
            assert_eq!(JsonPath::parse(p).unwrap().text(&v).unwrap(), want, "{p}");
        }
        assert_eq!(
            JsonPath::parse("data.nope").unwrap().text(&v),
            Err(Missing::Path("data.nope".into()))
        );
        assert!(matches!(
            JsonPath::parse("data.links").unwrap().text(&v),
            Err(Missing::NotText(_, "a list"))
        ));
        assert!(JsonPath::parse("").unwrap().is_root());
        for bad in ["data..url", "data[x]", "data[0", "data[0]url"] {
            assert!(JsonPath::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn templates_mix_text_json_regex_and_response() {
        let v = json!({"id": "abc", "files": [{"name": "x.png"}]});
        let body = v.to_string();
        let t = Template::parse(
            "https://i.example/{json:id}/{json:files[0].name}",
            Use::Answer,
        )
        .unwrap();
        assert_eq!(
            t.render(&answer(&body, Some(&v))).unwrap(),
            "https://i.example/abc/x.png"
        );
        let t = Template::parse(
            r#"https://i.example/{regex:"id":"(\w+)"|1}.png"#,
            Use::Answer,
        )
        .unwrap();
        assert_eq!(
            t.render(&answer(&body, Some(&v))).unwrap(),
            "https://i.example/abc.png"
        );
        let t = Template::parse(r"{regex:id=(?<id>\d\{3\})|id}", Use::Answer).unwrap();
        assert_eq!(t.render(&answer("ok id=123", None)).unwrap(), "123");
        let t = Template::parse("{response}", Use::Answer).unwrap();
        assert_eq!(
            t.render(&answer("  https://x/y.png\n", None)).unwrap(),
            "https://x/y.png"
        );
        let t = Template::parse(r"a\{b\}\|{filename}", Use::Answer).unwrap();
        assert_eq!(t.render(&answer("", None)).unwrap(), "a{b}|cat.png");
        let t = Template::parse("{json:id}", Use::Answer).unwrap();
        assert_eq!(
            t.render(&answer("<html>", None)),
            Err(Missing::NotJson("id".into()))
        );
    }

    #[test]
    fn unsupported_syntax_is_named() {
        for (t, needle) in [
            ("{xml:/a/b}", "{xml}"),
            ("{inputbox:Title}", "{inputbox}"),
            ("{random:a|b}", "{random}"),
            ("{json:a", "without }"),
            ("a}b", "without {"),
            ("{json:{filename}}", "inside"),
            ("{regex:(a|1}", "not a regular expression"),
            ("{regex:(a)|2}", "no group 2"),
        ] {
            let e = Template::parse(t, Use::Answer).unwrap_err();
            assert!(e.contains(needle), "{t}: {e}");
        }
        let e = Template::parse("{json:a}", Use::Request).unwrap_err();
        assert!(e.contains("cannot be used in a request"), "{e}");
        assert_eq!(
            Template::parse("k-{filename}", Use::Request)
                .unwrap()
                .fill("a.png"),
            "k-a.png"
        );
    }
}
