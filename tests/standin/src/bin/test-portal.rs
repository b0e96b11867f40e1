//! `pixdrop-test-portal`: the XDG GlobalShortcuts portal as a desktop implements it
//! (`org.freedesktop.portal.Desktop`, interface `org.freedesktop.portal.GlobalShortcuts`, version
//! 1), on the session bus it is started on, for the app's real D-Bus client to talk to.
//!
//! It prints `ready` once it owns its name, then `bound ID TRIGGER` for each shortcut bound
//! (TRIGGER is the preferred trigger the app asked for, `-` for none) and `closed` for each
//! session closed. Lines on stdin: `activate ID` emits `Activated` for the last session;
//! `quit` (or the end of stdin) stops it. With `--refuse` every bind is answered "cancelled",
//! as when the user dismisses the desktop's dialog.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};

use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::{ObjectPath, OwnedObjectPath, OwnedValue, Value};
use zbus::{interface, Connection};

const PATH: &str = "/org/freedesktop/portal/desktop";

fn say(line: &str) {
    println!("{line}");
    let _ = std::io::stdout().flush();
}

/// The part of a request or session path the portal spec derives from the caller's unique name.
fn sender_part(header: &Header<'_>) -> String {
    header
        .sender()
        .map(|s| s.trim_start_matches(':').replace('.', "_"))
        .unwrap_or_default()
}

fn token(options: &HashMap<String, OwnedValue>, key: &str) -> String {
    options
        .get(key)
        .and_then(|v| v.downcast_ref::<String>().ok())
        .unwrap_or_else(|| "t".to_string())
}

/// A trigger as a desktop describes it to people: `CTRL+SHIFT+u` → `Ctrl+Shift+U`.
fn describe(trigger: &str) -> String {
    trigger
        .split('+')
        .map(|p| match p {
            "CTRL" => "Ctrl".to_string(),
            "SHIFT" => "Shift".to_string(),
            "ALT" => "Alt".to_string(),
            "LOGO" => "Super".to_string(),
            k if k.len() == 1 => k.to_uppercase(),
            k => k.to_string(),
        })
        .collect::<Vec<_>>()
        .join("+")
}

#[derive(Default)]
struct State {
    session: Option<OwnedObjectPath>,
}

struct Shortcuts {
    state: Arc<Mutex<State>>,
    refuse: bool,
}

async fn respond(
    conn: &Connection,
    header: &Header<'_>,
    options: &HashMap<String, OwnedValue>,
    code: u32,
    results: HashMap<&str, Value<'_>>,
) -> zbus::fdo::Result<OwnedObjectPath> {
    let path = format!(
        "{PATH}/request/{}/{}",
        sender_part(header),
        token(options, "handle_token")
    );
    let path =
        OwnedObjectPath::try_from(path).map_err(|e| zbus::fdo::Error::Failed(e.to_string()))?;
    let destination = header.sender().map(|s| s.to_string());
    conn.emit_signal(
        destination.as_deref(),
        &path,
        "org.freedesktop.portal.Request",
        "Response",
        &(code, results),
    )
    .await
    .map_err(|e| zbus::fdo::Error::Failed(e.to_string()))?;
    Ok(path)
}

#[interface(name = "org.freedesktop.portal.GlobalShortcuts")]
impl Shortcuts {
    #[zbus(property)]
    fn version(&self) -> u32 {
        1
    }

    async fn create_session(
        &self,
        options: HashMap<String, OwnedValue>,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
        #[zbus(object_server)] server: &zbus::ObjectServer,
    ) -> zbus::fdo::Result<OwnedObjectPath> {
        let session = format!(
            "{PATH}/session/{}/{}",
            sender_part(&header),
            token(&options, "session_handle_token")
        );
        let session_path = ObjectPath::try_from(session.clone())
            .map_err(|e| zbus::fdo::Error::Failed(e.to_string()))?;
        server
            .at(&session_path, Session)
            .await
            .map_err(|e| zbus::fdo::Error::Failed(e.to_string()))?;
        self.state.lock().unwrap().session = Some(session_path.clone().into());
        respond(
            conn,
            &header,
            &options,
            0,
            HashMap::from([("session_handle", Value::from(session))]),
        )
        .await
    }

    async fn bind_shortcuts(
        &self,
        _session_handle: OwnedObjectPath,
        shortcuts: Vec<(String, HashMap<String, OwnedValue>)>,
        _parent_window: String,
        options: HashMap<String, OwnedValue>,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
    ) -> zbus::fdo::Result<OwnedObjectPath> {
        if self.refuse {
            say("refused");
            return respond(conn, &header, &options, 1, HashMap::new()).await;
        }
        let mut bound: Vec<(String, HashMap<String, Value<'_>>)> = Vec::new();
        for (id, info) in &shortcuts {
            let preferred = info
                .get("preferred_trigger")
                .and_then(|v| v.downcast_ref::<String>().ok());
            say(&format!(
                "bound {id} {}",
                preferred.as_deref().unwrap_or("-")
            ));
            let description = info
                .get("description")
                .and_then(|v| v.downcast_ref::<String>().ok())
                .unwrap_or_default();
            let trigger = preferred.as_deref().map(describe).unwrap_or_default();
            bound.push((
                id.clone(),
                HashMap::from([
                    ("description".to_string(), Value::from(description)),
                    (
                        "trigger_description".to_string(),
                        Value::from(format!("Press {trigger}")),
                    ),
                ]),
            ));
        }
        respond(
            conn,
            &header,
            &options,
            0,
            HashMap::from([("shortcuts", Value::from(bound))]),
        )
        .await
    }

    #[zbus(signal)]
    async fn activated(
        emitter: &SignalEmitter<'_>,
        session_handle: ObjectPath<'_>,
        shortcut_id: &str,
        timestamp: u64,
        options: HashMap<&str, Value<'_>>,
    ) -> zbus::Result<()>;
}

struct Session;

#[interface(name = "org.freedesktop.portal.Session")]
impl Session {
    async fn close(
        &self,
        #[zbus(object_server)] server: &zbus::ObjectServer,
        #[zbus(header)] header: Header<'_>,
    ) {
        if let Some(path) = header.path() {
            let _ = server.remove::<Session, _>(path.clone()).await;
        }
        say("closed");
    }

    #[zbus(property)]
    fn version(&self) -> u32 {
        1
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> zbus::Result<()> {
    let refuse = std::env::args().any(|a| a == "--refuse");
    let state = Arc::new(Mutex::new(State::default()));
    let conn = zbus::connection::Builder::session()?
        .serve_at(
            PATH,
            Shortcuts {
                state: state.clone(),
                refuse,
            },
        )?
        .name("org.freedesktop.portal.Desktop")?
        .build()
        .await?;
    say("ready");
    let (tx, mut lines) = tokio::sync::mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::stdin().lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    while let Some(line) = lines.recv().await {
        let mut words = line.split_whitespace();
        match words.next() {
            Some("activate") => {
                let id = words.next().unwrap_or("");
                let session = state.lock().unwrap().session.clone();
                if let Some(session) = session {
                    let emitter = SignalEmitter::new(&conn, PATH)?;
                    Shortcuts::activated(&emitter, session.as_ref(), id, 1, HashMap::new()).await?;
                    say("activated");
                }
            }
            Some("quit") => break,
            _ => {}
        }
    }
    Ok(())
}
