//! `pixdrop url-rewrite`: the URL rewrite rules (PicGo's), which change a link before it is
//! recorded and copied.

use clap::Subcommand;
use pixdrop_core::url_rules::{self, Edit, UrlRule};
use pixdrop_core::{msg, Engine};

use crate::output::print_json;
use crate::Failure;

#[derive(Debug, Subcommand)]
pub enum UrlRewriteCmd {
    /// Print the rules in the order they are tried (the first enabled one that matches wins).
    List {
        /// Print them as JSON: [{match, replace, enabled, global, ignore_case}].
        #[arg(long)]
        json: bool,
    },
    /// Add a rule: where the regular expression MATCH matches a new link, REPLACE takes its
    /// place ($1…$99, $<name>, $& as in PicGo). The host's own link stays in the record.
    Add {
        #[arg(value_name = "MATCH")]
        pattern: String,
        replace: String,
        /// Replace every match, not only the first.
        #[arg(long)]
        global: bool,
        /// Letters match in either case.
        #[arg(long)]
        ignore_case: bool,
        /// Add it turned off.
        #[arg(long)]
        off: bool,
        /// Put it before rule N (default: last).
        #[arg(long, value_name = "N")]
        at: Option<usize>,
    },
    /// Remove rule N.
    Remove { n: usize },
    /// Turn rule N on.
    Enable { n: usize },
    /// Turn rule N off (it stays in the list).
    Disable { n: usize },
    /// Show what the rules make of URL (nothing is changed).
    Test { url: String },
}

pub fn run(engine: &Engine, cmd: UrlRewriteCmd) -> Result<(), Failure> {
    let edit = match cmd {
        UrlRewriteCmd::List { json } => {
            let rules = engine.config().load()?.settings.url_rewrite;
            if json {
                print_json(&serde_json::to_value(&rules).expect("rules serialise"));
            } else if rules.is_empty() {
                println!(
                    "{}",
                    msg!("no URL rewrite rules; links are recorded as the host gives them")
                );
            } else {
                print_rules(&rules);
            }
            return Ok(());
        }
        UrlRewriteCmd::Test { url } => {
            let rules = engine.config().load()?.settings.url_rewrite;
            let r = url_rules::rewrite(&rules, &url);
            if let Some(note) = &r.note {
                eprintln!("{note}");
            }
            match (r.rule, r.origin.is_some()) {
                (Some(n), true) => println!("{}", msg!("rule {n}: {url}", url = r.url)),
                (Some(n), false) => println!(
                    "{}",
                    msg!("rule {n} matches, and the link stays {url}", url = r.url)
                ),
                (None, _) => println!(
                    "{}",
                    msg!("no rule matches; the link stays {url}", url = r.url)
                ),
            }
            return Ok(());
        }
        UrlRewriteCmd::Add {
            pattern,
            replace,
            global,
            ignore_case,
            off,
            at,
        } => Edit::Add {
            rule: UrlRule {
                pattern,
                replace,
                enabled: !off,
                global,
                ignore_case,
            },
            at,
        },
        UrlRewriteCmd::Remove { n } => Edit::Remove { n, expect: None },
        UrlRewriteCmd::Enable { n } => Edit::Enable {
            n,
            on: true,
            expect: None,
        },
        UrlRewriteCmd::Disable { n } => Edit::Enable {
            n,
            on: false,
            expect: None,
        },
    };
    let rules = engine.config().change_url_rules(edit)?;
    if rules.is_empty() {
        println!(
            "{}",
            msg!("no URL rewrite rules; links are recorded as the host gives them")
        );
    } else {
        print_rules(&rules);
    }
    Ok(())
}

/// One line a rule: its number, on or off, MATCH → REPLACE and its flags.
fn print_rules(rules: &[UrlRule]) {
    for (i, r) in rules.iter().enumerate() {
        let mut flags = Vec::new();
        if r.global {
            flags.push("global");
        }
        if r.ignore_case {
            flags.push("ignore case");
        }
        println!(
            "{:>2}  {}  {} → {}{}",
            i + 1,
            if r.enabled { "on " } else { "off" },
            r.pattern,
            r.replace,
            if flags.is_empty() {
                String::new()
            } else {
                format!("  ({})", flags.join(", "))
            }
        );
    }
}
