//! Finding links in a note's text: where code is (left alone), and where each link of a known
//! set is, in whatever form and percent-encoding it was written.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

/// What kind of text a file holds, by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    /// Markdown (and plain text, which notes often are): fenced code blocks and code spans.
    Markdown,
    /// HTML: `<pre>` and `<code>` elements.
    Html,
}

impl Kind {
    /// The kind of a file the walk picks up (`.md .markdown .mdx .txt .html .htm`), by name.
    pub(crate) fn of(path: &std::path::Path) -> Option<Kind> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "md" | "markdown" | "mdx" | "txt" => Some(Kind::Markdown),
            "html" | "htm" => Some(Kind::Html),
            _ => None,
        }
    }
}

/// The byte ranges of `text` that are code, in order.
pub(crate) fn code_regions(text: &str, kind: Kind) -> Vec<Range<usize>> {
    match kind {
        Kind::Markdown => markdown_code(text),
        Kind::Html => html_code(text),
    }
}

/// A fence's opening or closing line: up to three spaces, then three or more ` or ~.
fn fence(line: &str) -> Option<(u8, usize, &str)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let c = *rest.as_bytes().first()?;
    if c != b'`' && c != b'~' {
        return None;
    }
    let n = rest.bytes().take_while(|&b| b == c).count();
    (n >= 3).then(|| (c, n, &rest[n..]))
}

fn markdown_code(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut open: Option<(u8, usize, usize)> = None; // fence char, length, start
    let mut prose_start = 0;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let bare = line.trim_end_matches(['\n', '\r']);
        match (open, fence(bare)) {
            (None, Some((c, n, info))) if c == b'~' || !info.contains('`') => {
                spans(text, prose_start..start, &mut out);
                open = Some((c, n, start));
            }
            (Some((c, n, from)), Some((c2, n2, rest)))
                if c == c2 && n2 >= n && rest.trim().is_empty() =>
            {
                out.push(from..at);
                open = None;
                prose_start = at;
            }
            _ => {}
        }
    }
    match open {
        // A fence never closed runs to the end.
        Some((_, _, from)) => out.push(from..text.len()),
        None => spans(text, prose_start..text.len(), &mut out),
    }
    out
}

/// Code spans in prose: a run of backticks up to the next run of the same length, within a
/// paragraph (a blank line ends it). An unmatched run is plain text.
fn spans(text: &str, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    let mut i = range.start;
    while i < range.end {
        if bytes[i] != b'`' {
            i += 1;
            continue;
        }
        let n = bytes[i..range.end]
            .iter()
            .take_while(|&&b| b == b'`')
            .count();
        let paragraph_end = paragraph_end(text, i + n, range.end);
        let mut j = i + n;
        let mut close = None;
        while j < paragraph_end {
            if bytes[j] == b'`' {
                let m = bytes[j..paragraph_end]
                    .iter()
                    .take_while(|&&b| b == b'`')
                    .count();
                if m == n {
                    close = Some(j + m);
                    break;
                }
                j += m;
            } else {
                j += 1;
            }
        }
        match close {
            Some(end) => {
                out.push(i..end);
                i = end;
            }
            None => i += n,
        }
    }
}

/// Where the paragraph around `from` ends: at a blank line, or `limit`.
fn paragraph_end(text: &str, from: usize, limit: usize) -> usize {
    let mut at = from;
    for line in text[from..limit].split_inclusive('\n') {
        if at > from && line.trim().is_empty() {
            return at;
        }
        at += line.len();
    }
    limit
}

fn html_code(text: &str) -> Vec<Range<usize>> {
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    for tag in ["pre", "code"] {
        let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
        let mut from = 0;
        while let Some(i) = lower[from..].find(&open).map(|i| i + from) {
            let after = lower.as_bytes().get(i + open.len()).copied();
            if !matches!(after, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r')) {
                from = i + open.len();
                continue;
            }
            let end = lower[i..]
                .find(&close)
                .map_or(text.len(), |j| i + j + close.len());
            out.push(i..end);
            from = end;
        }
    }
    out.sort_by_key(|r| r.start);
    out
}

/// A link as compared: percent-encoding decoded, so `a%20b.png` and `a b.png` are one link.
pub(crate) fn normalize(url: &str) -> Cow<'_, str> {
    percent_encoding::percent_decode_str(url).decode_utf8_lossy()
}

/// Links to look for, by their normalized form.
pub(crate) struct Known<T> {
    by_link: HashMap<String, T>,
}

impl<T> Known<T> {
    pub(crate) fn new(links: impl IntoIterator<Item = (String, T)>) -> Self {
        Known {
            by_link: links
                .into_iter()
                .map(|(url, v)| (normalize(&url).into_owned(), v))
                .collect(),
        }
    }

    /// Each place in `text` outside `code` where a known link is written, with its value.
    /// A link's end is where the text could end one (a space, a bracket, a quote, punctuation,
    /// `#` or the line's end); the longest known link there wins.
    pub(crate) fn find<'a>(
        &'a self,
        text: &str,
        code: &[Range<usize>],
    ) -> Vec<(Range<usize>, &'a T)> {
        let mut out = Vec::new();
        if self.by_link.is_empty() {
            return out;
        }
        let mut from = 0;
        let mut regions = code.iter().peekable();
        while let Some(start) = next_scheme(text, from) {
            while regions.peek().is_some_and(|r| r.end <= start) {
                regions.next();
            }
            if let Some(r) = regions.peek().filter(|r| r.start <= start) {
                from = r.end;
                continue;
            }
            // The text a link here could take: up to a line end, a quote, angle bracket or
            // backtick, or the next code region.
            let limit = regions.peek().map_or(text.len(), |r| r.start);
            let stop = text[start..limit]
                .find(['\n', '\r', '"', '\'', '<', '>', '`'])
                .map_or(limit, |i| start + i)
                .min(start + 4096);
            let found = text[start..stop]
                .char_indices()
                .map(|(i, _)| start + i)
                .chain([stop])
                .filter(|&e| e == stop || ends_link(&text[e..stop]))
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .find_map(|e| {
                    self.by_link
                        .get(normalize(&text[start..e]).as_ref())
                        .map(|v| (e, v))
                });
            match found {
                Some((end, v)) => {
                    out.push((start..end, v));
                    from = end;
                }
                None => from = start + 1,
            }
        }
        out
    }
}

/// Whether a link can end where `rest` starts: at a space, a closing bracket, a fragment or
/// query, or at punctuation that ends the sentence (nothing of a link follows it).
fn ends_link(rest: &str) -> bool {
    match rest.as_bytes().first() {
        Some(b' ' | b'\t' | b')' | b']' | b'|' | b'#' | b'?') => true,
        Some(b'.' | b',' | b';' | b':' | b'!' | b'*') => {
            let after = rest.trim_start_matches(['.', ',', ';', ':', '!', '*']);
            after.is_empty() || after.starts_with([' ', '\t', ')', ']'])
        }
        _ => false,
    }
}

fn next_scheme(text: &str, from: usize) -> Option<usize> {
    let rest = text.get(from..)?;
    let http = rest.find("http://");
    let https = rest.find("https://");
    match (http, https) {
        (Some(a), Some(b)) => Some(from + a.min(b)),
        (a, b) => a.or(b).map(|i| from + i),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_text(text: &str, kind: Kind) -> Vec<&str> {
        code_regions(text, kind)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn fences_and_spans_are_code() {
        let md =
            "a `x` b ``y ` z`` c\n\n```rust\nhttp://in\n```\nafter `open\n\nnext`\n~~~~\n~~~\n";
        assert_eq!(
            code_text(md, Kind::Markdown),
            [
                "`x`",
                "``y ` z``",
                "```rust\nhttp://in\n```\n",
                "~~~~\n~~~\n"
            ]
        );
        let crlf = "```\r\nx\r\n```\r\ny";
        assert_eq!(code_text(crlf, Kind::Markdown), ["```\r\nx\r\n```\r\n"]);
        let html = "<p>a</p><PRE class=x>b</pre><code>c</code><codex>";
        assert_eq!(
            code_text(html, Kind::Html),
            ["<PRE class=x>b</pre>", "<code>c</code>"]
        );
    }

    #[test]
    fn links_are_found_in_any_encoding_and_longest_first() {
        let known = Known::new([
            ("https://h/a%20b.png".to_string(), 1),
            ("https://h/a".to_string(), 2),
        ]);
        let text =
            "![x](https://h/a b.png \"t\") https://h/a%20b.png. `https://h/a b.png` https://h/a";
        let code = code_regions(text, Kind::Markdown);
        let found: Vec<_> = known
            .find(text, &code)
            .into_iter()
            .map(|(r, v)| (&text[r], *v))
            .collect();
        assert_eq!(
            found,
            [
                ("https://h/a b.png", 1),
                ("https://h/a%20b.png", 1),
                ("https://h/a", 2)
            ]
        );
    }
}
