//! Each subcommand: parse what the user typed, call the engine, print the result.

use pixdrop_core::msg;
use std::io::Write;
use std::sync::Arc;

use crate::batch::FAILED_LINE;
use futures::StreamExt;
use pixdrop_core::config::Location;
use pixdrop_core::host_config::shell_word;
use pixdrop_core::hosts;
use pixdrop_core::pipeline::{labelled, MirrorResult};
use pixdrop_core::server::{self, ServerHooks, ServerOptions};
use pixdrop_core::template::one_line;
use pixdrop_core::{
    Done, Engine, HostConfig, Input, LinkFormat, ListQuery, Paths, Record, UploadOptions,
};
use serde_json::{json, Value};

use crate::cli::{AlbumCmd, Cli, Command, HostsCmd, ImportCmd, SettingsCmd, UploadArgs};
use crate::clipboard;
use crate::output::{date, print_json};
use crate::Failure;

type Outcome = Result<(), Failure>;

pub async fn run(cli: Cli) -> Outcome {
    let command = match cli.command {
        Command::Picgo(cmd) => return crate::picgo::run(cli.data_dir.as_deref(), cmd).await,
        Command::Completions { shell } => return crate::shell::completions(shell),
        Command::Man => return crate::shell::man(),
        command => command,
    };
    let paths = Paths::resolve(cli.data_dir.as_deref())?;
    let engine = Engine::open(paths)?;
    match command {
        Command::Hosts(cmd) => hosts_cmd(&engine, cmd).await,
        Command::Upload(args) => upload(&engine, args).await,
        Command::Album(cmd) => album(&engine, cmd).await,
        Command::Settings(cmd) => settings(&engine, cmd),
        Command::Import(cmd) => import(&engine, cmd),
        Command::Links(cmd) => crate::links::links_cmd(&engine, cmd).await,
        Command::Rewrite(args) => crate::links::rewrite(&engine, args),
        Command::Localize(args) => crate::links::localize(&engine, args).await,
        Command::Serve { port } => serve(engine, port).await,
        Command::Sync(cmd) => crate::sync::run(&engine, cmd).await,
        Command::UrlRewrite(cmd) => crate::url_rewrite::run(&engine, cmd),
        Command::ServeClipboard
        | Command::Picgo(_)
        | Command::Completions { .. }
        | Command::Man => Ok(()),
    }
}

fn parse_format(f: Option<&str>) -> Result<Option<LinkFormat>, Failure> {
    f.map(|f| {
        f.parse::<LinkFormat>()
            .map_err(|e| Failure::Usage(e.to_string()))
    })
    .transpose()
}

fn split_pair(pair: &str) -> Result<(String, String), Failure> {
    match pair.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(Failure::Usage(format!("expected KEY=VALUE, got {pair:?}"))),
    }
}

async fn hosts_cmd(engine: &Engine, cmd: HostsCmd) -> Outcome {
    let store = engine.config();
    match cmd {
        HostsCmd::List { json } => hosts_list(engine, json),
        HostsCmd::Add {
            kind,
            name,
            set,
            default,
        } => {
            hosts::info(&kind).map_err(|e| Failure::Usage(e.to_string()))?;
            let typed = set
                .iter()
                .map(|p| split_pair(p))
                .collect::<Result<Vec<_>, _>>()?;
            let settings = hosts::parse_settings(&kind, typed)?;
            let host = HostConfig {
                name: name.clone(),
                kind: kind.clone(),
                settings,
            };
            let is_default = store.update(|c| {
                c.add_host(host, default)?;
                Ok(c.default_host.as_deref() == Some(name.as_str()))
            })?;
            println!(
                "added {kind} config {name:?}{}",
                if is_default { " (default)" } else { "" }
            );
            Ok(())
        }
        HostsCmd::Set { name, values } => {
            let config = store.load()?;
            let kind = config.pick_host(Some(&name))?.kind.clone();
            let typed = values
                .iter()
                .map(|p| split_pair(p))
                .collect::<Result<Vec<_>, _>>()?;
            store.update(|c| {
                // A secret typed as `hosts show` prints it (its mask) keeps the stored one, as
                // in the app's form.
                let typed = match c.host(&name) {
                    Some(stored) => hosts::unmask(stored, typed),
                    None => typed,
                };
                c.set_host_values(&name, hosts::parse_values(&kind, typed)?)
            })?;
            println!("updated {name:?}");
            Ok(())
        }
        HostsCmd::Use { name } => {
            store.update(|c| c.set_default(&name))?;
            println!("{name:?} is now the default");
            Ok(())
        }
        HostsCmd::Show { name, json, reveal } => hosts_show(engine, &name, json, reveal),
        HostsCmd::Rename { name, new_name } => {
            let mut host = store.load()?.pick_host(Some(&name))?.clone();
            host.name = new_name.clone();
            engine.replace_host(&name, host, false)?;
            println!("renamed {name:?} to {new_name:?}; its album records follow");
            Ok(())
        }
        HostsCmd::Remove { name } => {
            let removed = engine.remove_host(&name)?;
            println!(
                "removed {} config {:?}",
                removed.config.kind, removed.config.name
            );
            if let Some(d) = &removed.new_default {
                println!("{d:?} is now the default");
            }
            if removed.records > 0 {
                println!(
                    "its {} album records stay in the album, but can no longer be deleted on the host (add a config named {name:?} again to delete them there)",
                    removed.records
                );
            }
            Ok(())
        }
        HostsCmd::Test { name } => {
            let msg = engine.test_host(&name).await?;
            println!("{name}: {msg}");
            Ok(())
        }
    }
}

/// `pixdrop hosts list`.
fn hosts_list(engine: &Engine, json: bool) -> Outcome {
    let config = engine.config().load()?;
    if json {
        let list: Vec<Value> = config
            .hosts
            .iter()
            .map(|h| {
                json!({
                    "name": h.name, "kind": h.kind,
                    "default": config.default_host.as_deref() == Some(h.name.as_str()),
                    "settings": hosts::display_settings(h, false),
                })
            })
            .collect();
        print_json(&Value::Array(list));
    } else if config.hosts.is_empty() {
        eprintln!("no host configs yet; add one with: pixdrop hosts add smms NAME --set token=…");
    } else {
        for h in &config.hosts {
            let mark = if config.default_host.as_deref() == Some(h.name.as_str()) {
                "*"
            } else {
                " "
            };
            println!("{mark} {:<20} {}", h.name, h.kind);
        }
    }
    Ok(())
}

/// `pixdrop hosts show`.
fn hosts_show(engine: &Engine, name: &str, json: bool, reveal: bool) -> Outcome {
    // Masked, a config shows also when the keyring cannot give its secrets now.
    let config = if reveal {
        engine.config().load_revealed()?
    } else {
        engine.config().load()?
    };
    let h = config.pick_host(Some(name))?;
    let is_default = config.default_host.as_deref() == Some(h.name.as_str());
    let settings = hosts::display_settings(h, reveal);
    let secrets = engine.config().secret_locations(&h.name)?;
    if json {
        let kept: serde_json::Map<String, Value> = secrets
            .iter()
            .map(|(slot, at)| (slot.clone(), json!(at)))
            .collect();
        print_json(
            &json!({"name": h.name, "kind": h.kind, "default": is_default, "settings": settings, "secrets": kept}),
        );
    } else {
        println!(
            "name: {}\nkind: {}\ndefault: {}",
            h.name,
            h.kind,
            if is_default { "yes" } else { "no" }
        );
        for (k, v) in settings {
            let text = match &v {
                Value::String(s) => s.clone(),
                // Config names (mirrors) as they are typed: a, b.
                Value::Array(names) => names
                    .iter()
                    .map(|n| n.as_str().map_or_else(|| n.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            };
            println!("{k}: {text}");
        }
        let store = engine.config().secret_store();
        for (slot, at) in secrets {
            let why = match (at, store) {
                (Location::File, Location::File) => {
                    " (no Secret Service, such as GNOME Keyring or KWallet, is running in this session)"
                }
                (Location::File, Location::Keyring) => {
                    " (it could not be moved to the system keyring; see the log)"
                }
                (Location::Keyring, Location::File) => {
                    ", which is not running in this session: uploads with this config need it"
                }
                _ => "",
            };
            println!("{slot} is kept in {}{why}", at.describe());
        }
    }
    Ok(())
}

/// `pixdrop album list`: a page, and on stderr how many more there are.
fn album_list(engine: &Engine, q: ListQuery, json: bool) -> Outcome {
    let records = engine.album().list(&q)?;
    // Say what a page leaves out (on stderr, so --json stays one array).
    let total = engine.album().count(&q)?;
    let shown_to = u64::from(q.offset) + records.len() as u64;
    if q.limit != 0 && total > shown_to {
        eprintln!(
            "{} more not listed ({total} in all); see them with --offset {shown_to}, or all with --limit 0",
            total - shown_to
        );
    }
    if json {
        print_json(&Value::Array(records.iter().map(record_json).collect()));
    } else {
        for r in &records {
            println!(
                "{:>6}  {}  {:<12}  {}  {}",
                r.id,
                date(r.created_at),
                r.config_name,
                one_line(&r.file_name),
                r.url
            );
        }
        if records.is_empty() {
            eprintln!("no uploads match");
        }
    }
    Ok(())
}

fn import(engine: &Engine, cmd: ImportCmd) -> Outcome {
    match cmd {
        ImportCmd::Sxcu {
            file,
            name,
            default,
        } => {
            let cfg = pixdrop_core::import::sxcu::read(&file, name.as_deref())?;
            // A name taken says how to import the file under another (the app offers one).
            let is_default = engine.config().update(|c| {
                if c.host(&cfg.name).is_some() {
                    return Err(pixdrop_core::Error::Input(msg!(
                        "a host config named {:?} already exists, so nothing was added; import the file under another name with --name: pixdrop import sxcu {} --name {}",
                        cfg.name,
                        shell_word(&file.display().to_string()),
                        shell_word(&pixdrop_core::import::free_name(c, &cfg.name, "sxcu")),
                    )));
                }
                c.add_host(cfg.clone(), default)?;
                Ok(c.default_host.as_deref() == Some(cfg.name.as_str()))
            })?;
            println!(
                "added custom config {:?}{} from {}",
                cfg.name,
                if is_default { " (default)" } else { "" },
                file.display()
            );
            Ok(())
        }
        ImportCmd::Picgo { dir, json } => {
            let r = pixdrop_core::import::picgo::import(engine.config(), engine.album(), &dir)?;
            if json {
                print_json(&serde_json::to_value(&r).unwrap_or_default());
                return Ok(());
            }
            println!("read {}", r.sources.join(", "));
            for c in &r.configs_added {
                println!("added {} config {:?} (PicGo {})", c.kind, c.name, c.from);
            }
            for name in &r.configs_present {
                println!("already here: config {name:?}");
            }
            for why in &r.configs_skipped {
                println!("skipped config {why}");
            }
            for what in &r.not_taken {
                println!("not taken over: {what}");
            }
            if let Some(d) = &r.default_host {
                println!("default config: {d:?}");
            }
            for s in &r.settings {
                println!("setting {s}");
            }
            println!(
                "album: {} records added, {} already here",
                r.records_added, r.records_present
            );
            for u in &r.unknown_types {
                println!(
                    "PicGo type {:?} has no Pixdrop host: {} configs left out, {} album records imported",
                    u.picgo_type, u.configs, u.records
                );
            }
            Ok(())
        }
    }
}

async fn upload(engine: &Engine, args: UploadArgs) -> Outcome {
    let format = parse_format(args.format.as_deref())?;
    if args.inputs.is_empty() && !args.clipboard {
        return Err(Failure::Usage(
            "nothing to upload: give files or image URLs, or --clipboard".into(),
        ));
    }
    let config = engine.config().load()?;
    if args.host.is_empty() && config.hosts.is_empty() {
        return Err(pixdrop_core::Error::Config(msg!(
            "{no_host}: pixdrop hosts add smms NAME --set token=…",
            no_host = pixdrop_core::config::no_host()
        ))
        .into());
    }
    // Bare URLs are read by line (Typora's custom command takes the last N lines as the N
    // images' links): a failed input prints FAILED_LINE in its place, so no link moves to
    // another image.
    let bare_urls = format.unwrap_or(config.settings.link_format) == LinkFormat::Url;
    let mut inputs = Vec::new();
    let mut failed = false;
    if args.clipboard {
        match pixdrop_clipboard::inputs() {
            Ok(found) => inputs.extend(found),
            Err(e) => {
                eprintln!("pixdrop: clipboard: {e}");
                failed = true;
            }
        }
    }
    let opts = UploadOptions {
        host: args.host.first().cloned(),
        also: args.host.iter().skip(1).cloned().collect(),
        force: args.force,
        format,
        ..Default::default()
    };
    // `-` is one image read from standard input, read (and checked) before anything is sent.
    if args.inputs.iter().filter(|a| *a == "-").count() > 1 {
        return Err(Failure::Usage(
            "`-` (standard input) can be given only once".into(),
        ));
    }
    for a in &args.inputs {
        inputs.push(match a.as_str() {
            "-" => engine.read_input(std::io::stdin().lock(), &opts)?,
            _ => Input::parse(a),
        });
    }
    // On a terminal, a progress line on stderr for a batch worth one (never with --json).
    let meter = if args.json {
        None
    } else {
        crate::progress::Meter::for_batch(
            inputs.len(),
            inputs.iter().map(|i| match i {
                Input::Path(p) => std::fs::metadata(p).map_or(0, |m| m.len()),
                Input::Bytes { bytes, .. } => bytes.len() as u64,
                Input::Url(_) => 0,
            }),
        )
    };
    let opts = UploadOptions {
        progress: meter.clone().map(|m| {
            Arc::new(move |index, sent, total| m.sent(index, sent, total))
                as pixdrop_core::pipeline::BatchProgress
        }),
        ..opts
    };
    let mut links = Vec::new();
    let mut json_items = 0usize;
    if args.json {
        print!("[");
    }
    let mut stream = std::pin::pin!(engine.upload_stream(inputs, opts));
    while let Some(o) = stream.next().await {
        pixdrop_core::pipeline::log_outcome(engine.paths(), "", &o.input, &o.result);
        let line = match &o.result {
            Ok(done) => {
                links.push(done.link.clone());
                json!({"input": o.input, "ok": true, "id": done.record.id, "url": done.record.url,
                       "link": done.link, "duplicate": done.duplicate, "error": null, "error_kind": null,
                       "config": done.record.config_name, "mirrors": done.mirrors, "fallback": done.fallback,
                       "processed": done.processed})
            }
            Err(e) => {
                failed = true;
                let (config, mirrors) = failed_hosts(e);
                json!({"input": o.input, "ok": false, "id": null, "url": null, "link": null,
                       "duplicate": false, "error": e.to_string(), "error_kind": e.kind(),
                       "config": config, "mirrors": mirrors})
            }
        };
        if args.json {
            print!("{}\n  {}", if json_items == 0 { "" } else { "," }, line);
            json_items += 1;
        } else {
            let print = || {
                match &o.result {
                    Ok(done) => {
                        println!("{}", done.link);
                        for note in done.notes() {
                            eprintln!("pixdrop: {}: {note}", o.input);
                        }
                    }
                    Err(e) => {
                        eprintln!("pixdrop: {}", labelled(&o.input, e));
                        if bare_urls {
                            println!("{FAILED_LINE}");
                        }
                    }
                }
                let _ = std::io::stdout().flush();
            };
            match &meter {
                Some(m) => m.finished(print),
                None => print(),
            }
        }
        let _ = std::io::stdout().flush();
    }
    if args.json {
        println!("{}]", if json_items == 0 { "" } else { "\n" });
    }
    if args.copy && !links.is_empty() {
        if let Err(e) = clipboard::copy_text(&links.join("\n")) {
            eprintln!("pixdrop: {e}");
            failed = true;
        }
    }
    crate::batch::settle(engine).await;
    if failed {
        Err(Failure::Partial)
    } else {
        Ok(())
    }
}

/// For `--json`, an upload that failed on every host it went to: the chosen config, and the
/// other hosts' failures as a success's `mirrors` give them (none when it went to one host).
fn failed_hosts(e: &pixdrop_core::Error) -> (Option<&str>, Vec<MirrorResult>) {
    match e {
        pixdrop_core::Error::AllHostsFailed { config, others, .. } => (
            Some(config.as_str()),
            others
                .iter()
                .map(|(config, e)| MirrorResult {
                    config: config.clone(),
                    record: None,
                    duplicate: false,
                    error: Some(e.into()),
                })
                .collect(),
        ),
        _ => (None, Vec::new()),
    }
}

fn record_json(r: &Record) -> Value {
    serde_json::to_value(r).unwrap_or(Value::Null)
}

async fn album(engine: &Engine, cmd: AlbumCmd) -> Outcome {
    match cmd {
        AlbumCmd::List {
            search,
            host,
            broken,
            limit,
            offset,
            json,
        } => album_list(
            engine,
            ListQuery {
                search,
                config: host,
                broken,
                limit,
                offset,
                ..Default::default()
            },
            json,
        ),
        AlbumCmd::Copy { ids, format } => {
            let format = parse_format(format.as_deref())?;
            let mut links = Vec::new();
            let mut failed = false;
            for (_, link) in engine.album_links(&ids, format)? {
                match link {
                    Ok(l) => links.push(l),
                    Err(e) => {
                        eprintln!("pixdrop: {e}");
                        failed = true;
                    }
                }
            }
            for l in &links {
                println!("{l}");
            }
            if !links.is_empty() {
                clipboard::copy_text(&links.join("\n"))?;
            }
            if failed {
                Err(Failure::Partial)
            } else {
                Ok(())
            }
        }
        AlbumCmd::Delete {
            ids,
            remote,
            mirrors,
        } => {
            let ids = if mirrors {
                engine.with_mirrors(&ids)?
            } else {
                ids
            };
            let mut failed = false;
            for (id, r) in engine.delete(&ids, remote).await {
                match r {
                    Ok(()) => println!(
                        "deleted {id}{}",
                        if remote { " (on the host too)" } else { "" }
                    ),
                    Err(e) => {
                        failed = true;
                        eprintln!("pixdrop: {id}: {e}");
                    }
                }
            }
            if failed {
                Err(Failure::Partial)
            } else {
                Ok(())
            }
        }
        AlbumCmd::Move(args) => crate::links::album_move(engine, args).await,
        AlbumCmd::Sync { name } => {
            let r = engine.sync(&name).await?;
            println!(
                "imported {} images from {name:?} ({} were already in the album)",
                r.imported, r.already_there
            );
            Ok(())
        }
    }
}

/// What `pixdrop serve` does around each upload: the clipboard image on request, a line per
/// upload on stdout, and the links copied when `auto_copy` is on (read at each upload, so a
/// change made while it runs applies).
struct ServeHooks {
    config: pixdrop_core::ConfigStore,
}

impl ServerHooks for ServeHooks {
    fn clipboard_inputs(&self) -> pixdrop_core::Result<Vec<Input>> {
        pixdrop_clipboard::inputs()
    }

    fn uploaded(&self, done: &[Done], failures: &[pixdrop_core::Msg]) {
        for d in done {
            println!(
                "uploaded {} -> {}",
                one_line(&d.record.file_name),
                d.record.url
            );
        }
        for f in failures {
            eprintln!("pixdrop: {f}");
        }
        let auto_copy = self.config.load().map(|c| c.settings.auto_copy);
        if auto_copy.unwrap_or(false) && !done.is_empty() {
            let links: Vec<&str> = done.iter().map(|d| d.link.as_str()).collect();
            if let Err(e) = clipboard::copy_text(&links.join("\n")) {
                eprintln!("pixdrop: {e}");
            }
        }
        let _ = std::io::stdout().flush();
    }
}

async fn serve(engine: Engine, port: Option<u16>) -> Outcome {
    let settings = engine.config().load()?.settings;
    let mut opts = ServerOptions::from_settings(&settings);
    if let Some(p) = port {
        opts.port = p;
        opts.change_port = msg!("pass another --port");
    }
    let hooks = Arc::new(ServeHooks {
        config: engine.config().clone(),
    });
    let running = server::start(Arc::new(engine), opts, hooks).await?;
    let addrs: Vec<String> = running
        .addresses
        .iter()
        .map(|a| format!("http://{a}"))
        .collect();
    println!(
        "Pixdrop's PicGo-compatible server is listening on {} (POST /upload, POST /heartbeat)",
        addrs.join(" and ")
    );
    let _ = std::io::stdout().flush();
    let _ = tokio::signal::ctrl_c().await;
    running.stop().await;
    Ok(())
}

fn settings(engine: &Engine, cmd: SettingsCmd) -> Outcome {
    // The settings as printed: secrets masked unless revealed.
    let load = |reveal: bool| -> Result<pixdrop_core::Settings, Failure> {
        Ok(if reveal {
            engine.config().load_revealed()?.settings
        } else {
            engine.config().load()?.settings.masked()
        })
    };
    let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
    match cmd {
        SettingsCmd::Get {
            key: Some(key),
            reveal,
        } => {
            println!("{}", text(&load(reveal)?.get(&key)?));
            Ok(())
        }
        SettingsCmd::Get { key: None, reveal } => {
            let s = load(reveal)?;
            for key in pixdrop_core::Settings::keys() {
                println!("{key} = {}", text(&s.get(&key)?));
            }
            Ok(())
        }
        SettingsCmd::Set { key, value } => {
            let saved = engine.config().update(|c| {
                c.settings.set(&key, &value)?;
                c.settings.masked().get(&key)
            })?;
            println!("{key} = {}", text(&saved));
            Ok(())
        }
    }
}
