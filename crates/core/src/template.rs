//! Link formats: how an uploaded image's URL becomes the text that is copied or printed.

use crate::msg;
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// PicGo's default custom template.
pub const DEFAULT_CUSTOM_LINK: &str = "![$fileName]($url)";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LinkFormat {
    #[default]
    Markdown,
    Html,
    Url,
    Ubb,
    Custom,
}

impl LinkFormat {
    pub const ALL: [LinkFormat; 5] = [
        LinkFormat::Markdown,
        LinkFormat::Html,
        LinkFormat::Url,
        LinkFormat::Ubb,
        LinkFormat::Custom,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LinkFormat::Markdown => "markdown",
            LinkFormat::Html => "html",
            LinkFormat::Url => "url",
            LinkFormat::Ubb => "ubb",
            LinkFormat::Custom => "custom",
        }
    }
}

impl fmt::Display for LinkFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LinkFormat {
    type Err = Error;
    /// Accepts our names and PicGo's `pasteStyle` spellings (`HTML`, `URL`, `UBB`, `Custom`).
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "markdown" | "md" => Ok(LinkFormat::Markdown),
            "html" => Ok(LinkFormat::Html),
            "url" => Ok(LinkFormat::Url),
            "ubb" | "bbcode" => Ok(LinkFormat::Ubb),
            "custom" => Ok(LinkFormat::Custom),
            _ => Err(Error::Input(msg!(
                "unknown link format {s:?}; use one of markdown, html, url, ubb, custom"
            ))),
        }
    }
}

/// The parts of a file name that templates may use.
/// `stem` is the name without its extension; `ext` includes the dot (`.png`), as in PicGo.
fn split_name(file_name: &str) -> (&str, &str) {
    match file_name.rfind('.') {
        Some(i) if i > 0 => (&file_name[..i], &file_name[i..]),
        _ => (file_name, ""),
    }
}

/// `text` on one line: each run of line breaks and other control characters (LF, CR, tab,
/// U+0085, U+2028, U+2029 …) becomes one space, so a file name never splits a link, or a row
/// listing it, in two.
pub fn one_line(text: &str) -> Cow<'_, str> {
    let breaks = |c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
    if !text.contains(breaks) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut in_break = false;
    for c in text.chars() {
        let is_break = breaks(c);
        if !is_break {
            out.push(c);
        } else if !in_break {
            out.push(' ');
        }
        in_break = is_break;
    }
    Cow::Owned(out)
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

fn markdown_alt(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('[', "\\[")
        .replace(']', "\\]")
}

/// Render a link for `url` of a file called `file_name` in `format`; the name is put on one
/// line ([`one_line`]). `custom` is the template used for [`LinkFormat::Custom`].
pub fn render(format: LinkFormat, url: &str, file_name: &str, custom: &str) -> String {
    let name = one_line(file_name);
    let (stem, _) = split_name(&name);
    match format {
        LinkFormat::Markdown => format!("![{}]({})", markdown_alt(stem), url.replace(' ', "%20")),
        LinkFormat::Html => format!(
            "<img src=\"{}\" alt=\"{}\"/>",
            html_escape(url),
            html_escape(stem)
        ),
        LinkFormat::Url => url.to_string(),
        LinkFormat::Ubb => format!("[img]{url}[/img]"),
        LinkFormat::Custom => render_custom(custom, url, file_name),
    }
}

/// Fill PicGo's placeholders `$url`, `$fileName` and `$extName` in one pass, so text that a
/// value brings in (a URL containing `$fileName`, say) is never substituted again. The name is
/// put on one line ([`one_line`]).
pub fn render_custom(template: &str, url: &str, file_name: &str) -> String {
    let name = one_line(file_name);
    let (stem, ext) = split_name(&name);
    let template = if template.trim().is_empty() {
        DEFAULT_CUSTOM_LINK
    } else {
        template
    };
    let vars = [("$url", url), ("$fileName", stem), ("$extName", ext)];
    let mut out = String::with_capacity(template.len() + url.len());
    let mut rest = template;
    'outer: while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        for (key, value) in vars {
            if let Some(after) = tail.strip_prefix(key) {
                out.push_str(value);
                rest = after;
                continue 'outer;
            }
        }
        out.push('$');
        rest = &tail[1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://i.example/2026/a b.png";

    #[test]
    fn formats() {
        assert_eq!(
            render(LinkFormat::Markdown, URL, "cat.png", ""),
            "![cat](https://i.example/2026/a%20b.png)"
        );
        assert_eq!(
            render(LinkFormat::Html, URL, "a\"b.png", ""),
            "<img src=\"https://i.example/2026/a b.png\" alt=\"a&quot;b\"/>"
        );
        assert_eq!(render(LinkFormat::Url, URL, "cat.png", ""), URL);
        assert_eq!(render(LinkFormat::Ubb, "u", "cat.png", ""), "[img]u[/img]");
        assert_eq!(
            render(LinkFormat::Markdown, "u", "[x].png", ""),
            "![\\[x\\]](u)"
        );
    }

    #[test]
    fn line_breaks_in_a_name_never_split_a_link() {
        let name = "two\r\nlines\u{2028}and\u{2029}more\u{85}x\ty.png";
        assert_eq!(
            render(LinkFormat::Markdown, "u", name, ""),
            "![two lines and more x y](u)"
        );
        assert_eq!(
            render(LinkFormat::Html, "u", "a\n<b>.png", ""),
            "<img src=\"u\" alt=\"a &lt;b&gt;\"/>"
        );
        assert_eq!(
            render(
                LinkFormat::Custom,
                "u",
                "a\nb.p\rng",
                "$fileName$extName $url"
            ),
            "a b.p ng u"
        );
    }

    #[test]
    fn names_without_line_breaks_are_not_copied() {
        assert!(matches!(
            one_line("plain name.png"),
            Cow::Borrowed("plain name.png")
        ));
    }

    #[test]
    fn custom_placeholders_like_picgo() {
        assert_eq!(
            render_custom("$fileName$extName -> $url", "U", "shot.final.jpg"),
            "shot.final.jpg -> U"
        );
        assert_eq!(render_custom("$url $url", "U", "a.png"), "U U");
        assert_eq!(render_custom("", "U", "a.png"), "![a](U)");
        assert_eq!(
            render_custom("cost $5 $unknown", "U", "a.png"),
            "cost $5 $unknown"
        );
    }

    #[test]
    fn substituted_values_are_not_substituted_again() {
        assert_eq!(
            render_custom("$url|$fileName", "http://h/$fileName", "x.png"),
            "http://h/$fileName|x"
        );
    }

    #[test]
    fn names_without_extension() {
        assert_eq!(
            render_custom("[$fileName][$extName]", "U", ".hidden"),
            "[.hidden][]"
        );
        assert_eq!(
            render_custom("[$fileName][$extName]", "U", "noext"),
            "[noext][]"
        );
    }

    #[test]
    fn parses_picgo_spellings() {
        assert_eq!("HTML".parse::<LinkFormat>().unwrap(), LinkFormat::Html);
        assert_eq!("Custom".parse::<LinkFormat>().unwrap(), LinkFormat::Custom);
        let err = "rtf".parse::<LinkFormat>().unwrap_err().to_string();
        assert!(err.contains("rtf") && err.contains("markdown"), "{err}");
    }
}
