//! `msg!("the image is {w}×{h}", …)`: made like `format!` (named, positional and captured
//! arguments, format specs), it gives a `pixdrop_core::msg::Msg` that keeps the English text,
//! its template (each placeholder as `{name}`, the key of its translations) and each argument's
//! value (text, or a nested message to translate in turn).

use proc_macro::{Delimiter, Spacing, TokenStream, TokenTree};

mod template;

#[proc_macro]
pub fn msg(input: TokenStream) -> TokenStream {
    match expand(input) {
        Ok(code) => code.parse().expect("msg! made code that does not parse"),
        Err(why) => format!("::core::compile_error!({why:?})").parse().unwrap(),
    }
}

struct Arg {
    name: Option<String>,
    expr: String,
}

fn expand(input: TokenStream) -> Result<String, String> {
    let mut parts: Vec<Vec<TokenTree>> = vec![Vec::new()];
    for tt in input {
        match &tt {
            TokenTree::Punct(p) if p.as_char() == ',' => parts.push(Vec::new()),
            _ => parts.last_mut().unwrap().push(tt),
        }
    }
    if parts.last().is_some_and(Vec::is_empty) && parts.len() > 1 {
        parts.pop();
    }
    let mut parts = parts.into_iter();
    let first = parts.next().unwrap_or_default();
    let literal = match first.as_slice() {
        [TokenTree::Literal(l)] => l.to_string(),
        [TokenTree::Group(g)] if g.delimiter() == Delimiter::None => g.stream().to_string(),
        _ => return Err("msg! takes a string literal first".into()),
    };
    let format = template::unquote(&literal)?;
    let parsed = template::parse(&format)?;

    let mut args = Vec::new();
    for part in parts {
        if part.is_empty() {
            return Err("msg!: an empty argument".into());
        }
        let named = match (&part.first(), &part.get(1)) {
            (Some(TokenTree::Ident(i)), Some(TokenTree::Punct(p)))
                if p.as_char() == '=' && p.spacing() == Spacing::Alone =>
            {
                Some(i.to_string())
            }
            _ => None,
        };
        let skip = if named.is_some() { 2 } else { 0 };
        let expr: TokenStream = part.into_iter().skip(skip).collect();
        args.push(Arg {
            name: named,
            expr: expr.to_string(),
        });
    }
    let positional: Vec<&Arg> = args.iter().filter(|a| a.name.is_none()).collect();

    // One binding per argument name, in the order the string first uses them.
    let mut bindings: Vec<(String, String)> = Vec::new(); // (name, expr)
    let mut rewritten = template_piece(&parsed.pieces[0]);
    let mut values = Vec::new();
    for (p, piece) in parsed.placeholders.iter().zip(&parsed.pieces[1..]) {
        let index = match bindings.iter().position(|(n, _)| *n == p.name) {
            Some(i) => i,
            None => {
                let expr = if p.named {
                    args.iter()
                        .find(|a| a.name.as_deref() == Some(p.name.as_str()))
                        .map(|a| a.expr.clone())
                        .unwrap_or_else(|| p.name.clone())
                } else {
                    let i: usize = p.name.parse().unwrap();
                    positional
                        .get(i)
                        .map(|a| a.expr.clone())
                        .ok_or_else(|| format!("msg!: no argument {i} for {format:?}"))?
                };
                bindings.push((p.name.clone(), expr));
                let i = bindings.len() - 1;
                let value = if p.spec.is_empty() {
                    format!("(&::pixdrop_core::msg::ArgOf(__msg_{i})).to_arg()")
                } else {
                    format!(
                        "::pixdrop_core::msg::Arg::Text(::std::format!(\"{{:{}}}\", __msg_{i}))",
                        p.spec
                    )
                };
                values.push(format!("({:?}, {value})", p.name));
                i
            }
        };
        rewritten.push_str(&format!("{{__msg_{index}"));
        if !p.spec.is_empty() {
            rewritten.push(':');
            rewritten.push_str(&p.spec);
        }
        rewritten.push('}');
        rewritten.push_str(&template_piece(piece));
    }
    for a in &args {
        let used = match &a.name {
            Some(n) => bindings.iter().any(|(b, _)| b == n),
            None => true,
        };
        if !used {
            return Err(format!(
                "msg!: the argument {} is not in {format:?}",
                a.name.as_deref().unwrap_or("")
            ));
        }
    }
    if positional.len()
        > parsed
            .placeholders
            .iter()
            .filter(|p| !p.named)
            .map(|p| p.name.parse::<usize>().unwrap() + 1)
            .max()
            .unwrap_or(0)
    {
        return Err(format!("msg!: more arguments than {format:?} uses"));
    }

    let lets: String = bindings
        .iter()
        .enumerate()
        .map(|(i, (_, expr))| format!("let __msg_{i} = &({expr});\n"))
        .collect();
    Ok(format!(
        "{{
            #[allow(unused_imports)]
            use ::pixdrop_core::msg::{{MsgArg as _, TextArg as _}};
            {lets}
            ::pixdrop_core::msg::Msg::made(
                ::std::format!({rewritten:?}),
                {template:?},
                ::std::vec![{values}],
            )
        }}",
        template = parsed.template(),
        values = values.join(", "),
    ))
}

fn template_piece(text: &str) -> String {
    text.replace('{', "{{").replace('}', "}}")
}
