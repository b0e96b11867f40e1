//! The reading of a `msg!` format string, shared by the macro and by core's test that every
//! template has its translations (the test reads the sources with the same rules).

/// One `{…}` of a format string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    /// The argument's name: its own name (`{path}`), or its position (`{}`, `{0}`) as digits.
    pub name: String,
    /// Whether it was named in the string (`{path}`), not positional.
    pub named: bool,
    /// What follows `:` (`.1`, `?`), if anything.
    pub spec: String,
}

/// A format string read: the literal pieces and the placeholders between them
/// (`pieces.len() == placeholders.len() + 1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub pieces: Vec<String>,
    pub placeholders: Vec<Placeholder>,
}

impl Parsed {
    /// The template translations are keyed by: each placeholder as `{name}`, specs dropped,
    /// braces of the text doubled as in the format string.
    pub fn template(&self) -> String {
        let mut out = escape(&self.pieces[0]);
        for (p, piece) in self.placeholders.iter().zip(&self.pieces[1..]) {
            out.push('{');
            out.push_str(&p.name);
            out.push('}');
            out.push_str(&escape(piece));
        }
        out
    }
}

fn escape(text: &str) -> String {
    text.replace('{', "{{").replace('}', "}}")
}

/// Reads a format string (already unescaped from its literal).
pub fn parse(format: &str) -> Result<Parsed, String> {
    let mut pieces = vec![String::new()];
    let mut placeholders = Vec::new();
    let mut next_positional = 0usize;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                pieces.last_mut().unwrap().push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                pieces.last_mut().unwrap().push('}');
            }
            '}' => return Err(format!("a lone `}}` in {format:?}")),
            '{' => {
                let mut inner = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) => inner.push(c),
                        None => return Err(format!("an unclosed `{{` in {format:?}")),
                    }
                }
                let (arg, spec) = match inner.split_once(':') {
                    Some((a, s)) => (a.trim(), s.to_string()),
                    None => (inner.trim(), String::new()),
                };
                let (name, named) = if arg.is_empty() {
                    next_positional += 1;
                    ((next_positional - 1).to_string(), false)
                } else if arg.chars().all(|c| c.is_ascii_digit()) {
                    (arg.to_string(), false)
                } else if arg.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    (arg.to_string(), true)
                } else {
                    return Err(format!("`{{{inner}}}` is not a placeholder msg! reads"));
                };
                placeholders.push(Placeholder { name, named, spec });
                pieces.push(String::new());
            }
            c => pieces.last_mut().unwrap().push(c),
        }
    }
    Ok(Parsed {
        pieces,
        placeholders,
    })
}

/// The value of a Rust string literal as written in source (`"…"` with escapes, or `r"…"`,
/// `r#"…"#`).
pub fn unquote(literal: &str) -> Result<String, String> {
    if let Some(raw) = literal.strip_prefix('r') {
        let hashes = raw.chars().take_while(|&c| c == '#').count();
        let body = &raw[hashes..];
        let body = body
            .strip_prefix('"')
            .and_then(|b| b.strip_suffix(&format!("\"{}", "#".repeat(hashes))))
            .ok_or_else(|| format!("not a string literal: {literal}"))?;
        return Ok(body.to_string());
    }
    let body = literal
        .strip_prefix('"')
        .and_then(|b| b.strip_suffix('"'))
        .ok_or_else(|| format!("not a string literal: {literal}"))?;
    let mut out = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('\\') => out.push('\\'),
            Some('"') => out.push('"'),
            Some('\'') => out.push('\''),
            Some('\n') => {
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
            }
            Some('u') => {
                let mut hex = String::new();
                for c in chars.by_ref() {
                    match c {
                        '{' => {}
                        '}' => break,
                        c => hex.push(c),
                    }
                }
                let code = u32::from_str_radix(&hex.replace('_', ""), 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("a bad \\u escape in {literal}"))?;
                out.push(code);
            }
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                let code = u8::from_str_radix(&hex, 16)
                    .map_err(|_| format!("a bad \\x escape in {literal}"))?;
                out.push(code as char);
            }
            other => {
                return Err(format!(
                    "an escape msg! does not read ({other:?}) in {literal}"
                ))
            }
        }
    }
    Ok(out)
}
