//! Reading the X11 CLIPBOARD selection as ICCCM describes it: ask for TARGETS, then convert only
//! a target the owner offers; large contents arrive in INCR pieces.

use pixdrop_core::msg;
use std::time::{Duration, Instant};

use pixdrop_core::Result;
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    Atom, AtomEnum, ConnectionExt as _, CreateWindowAux, EventMask, Property, Window, WindowClass,
};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;

use crate::{unavailable, Targets, MAX_BYTES};

/// How long the owner may take to answer a request, and to send each piece of a large answer.
/// Generous: a busy owner (an image editor, a loaded machine) is slow, not gone.
const WAIT: Duration = Duration::from_secs(5);
/// Longest property read in one request, in 32-bit units (4 MiB).
const READ_CHUNK: u32 = 1 << 20;

pub struct Selection {
    conn: RustConnection,
    window: Window,
    clipboard: Atom,
    property: Atom,
    incr: Atom,
    /// What the owner offers, by name.
    offered: Vec<String>,
}

impl Drop for Selection {
    fn drop(&mut self) {
        let _ = self.conn.destroy_window(self.window);
        let _ = self.conn.flush();
    }
}

impl Selection {
    /// `None` when there is no X display to talk to (the caller uses another reader then).
    pub fn open() -> Option<Result<Selection>> {
        std::env::var_os("DISPLAY").filter(|d| !d.is_empty())?;
        let (conn, screen) = x11rb::connect(None).ok()?;
        Some(Selection::on(conn, screen))
    }

    fn on(conn: RustConnection, screen: usize) -> Result<Selection> {
        let root = conn.setup().roots[screen].root;
        let window = conn.generate_id().map_err(unavailable)?;
        conn.create_window(
            x11rb::COPY_DEPTH_FROM_PARENT,
            window,
            root,
            0,
            0,
            1,
            1,
            0,
            WindowClass::INPUT_ONLY,
            x11rb::COPY_FROM_PARENT,
            &CreateWindowAux::new().event_mask(EventMask::PROPERTY_CHANGE),
        )
        .map_err(unavailable)?;
        let atom = |name: &str| intern(&conn, name);
        let clipboard = atom("CLIPBOARD")?;
        let property = atom("PIXDROP_SELECTION")?;
        let incr = atom("INCR")?;
        let targets = atom("TARGETS")?;
        let mut sel = Selection {
            window,
            clipboard,
            property,
            incr,
            offered: Vec::new(),
            conn,
        };
        let owner = sel
            .conn
            .get_selection_owner(clipboard)
            .map_err(unavailable)?
            .reply()
            .map_err(unavailable)?
            .owner;
        if owner == x11rb::NONE {
            return Ok(sel);
        }
        let list = sel.read(targets)?.unwrap_or_default();
        let atoms: Vec<Atom> = list
            .chunks_exact(4)
            .map(|c| u32::from_ne_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        // Ask for all names at once, then collect the replies.
        let cookies: Vec<_> = atoms
            .iter()
            .filter_map(|a| sel.conn.get_atom_name(*a).ok())
            .collect();
        sel.offered = cookies
            .into_iter()
            .filter_map(|c| c.reply().ok())
            .map(|r| String::from_utf8_lossy(&r.name).into_owned())
            .collect();
        Ok(sel)
    }

    /// The owner's answer for `target`, or `None` when it refuses.
    fn read(&mut self, target: Atom) -> Result<Option<Vec<u8>>> {
        let c = &self.conn;
        c.delete_property(self.window, self.property)
            .map_err(unavailable)?;
        c.convert_selection(
            self.window,
            self.clipboard,
            target,
            self.property,
            x11rb::CURRENT_TIME,
        )
        .map_err(unavailable)?;
        c.flush().map_err(unavailable)?;
        loop {
            match self.next_event()? {
                Event::SelectionNotify(e) if e.requestor == self.window && e.target == target => {
                    if e.property == x11rb::NONE {
                        return Ok(None);
                    }
                    break;
                }
                _ => {}
            }
        }
        let (kind, first) = self.take_property()?;
        if kind != self.incr {
            return Ok(Some(first));
        }
        // INCR: deleting the property (done by take_property) asks for the next piece; an
        // empty piece ends the transfer.
        let mut data = Vec::new();
        loop {
            match self.next_event()? {
                Event::PropertyNotify(e)
                    if e.window == self.window
                        && e.atom == self.property
                        && e.state == Property::NEW_VALUE =>
                {
                    let (_, piece) = self.take_property()?;
                    if piece.is_empty() {
                        return Ok(Some(data));
                    }
                    if data.len() + piece.len() > MAX_BYTES {
                        return Err(too_large());
                    }
                    data.extend_from_slice(&piece);
                }
                _ => {}
            }
        }
    }

    /// Read our property whole (its type and bytes), then delete it.
    fn take_property(&self) -> Result<(Atom, Vec<u8>)> {
        let mut data = Vec::new();
        let mut offset = 0u32;
        let kind = loop {
            let r = self
                .conn
                .get_property(
                    false,
                    self.window,
                    self.property,
                    AtomEnum::ANY,
                    offset,
                    READ_CHUNK,
                )
                .map_err(unavailable)?
                .reply()
                .map_err(unavailable)?;
            offset += (r.value.len() / 4) as u32;
            data.extend_from_slice(&r.value);
            if data.len() > MAX_BYTES {
                return Err(too_large());
            }
            if r.bytes_after == 0 {
                break r.type_;
            }
        };
        self.conn
            .delete_property(self.window, self.property)
            .map_err(unavailable)?;
        self.conn.flush().map_err(unavailable)?;
        Ok((kind, data))
    }

    /// The next event, waiting at most [`WAIT`]: an owner that stops answering is an error.
    fn next_event(&self) -> Result<Event> {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(e) = self.conn.poll_for_event().map_err(unavailable)? {
                return Ok(e);
            }
            if Instant::now() >= deadline {
                return Err(unavailable("the program that owns it stopped answering"));
            }
            std::thread::sleep(Duration::from_micros(500));
        }
    }
}

fn intern(conn: &RustConnection, name: &str) -> Result<Atom> {
    Ok(conn
        .intern_atom(false, name.as_bytes())
        .map_err(unavailable)?
        .reply()
        .map_err(unavailable)?
        .atom)
}

fn too_large() -> pixdrop_core::Error {
    pixdrop_core::Error::Input(msg!(
        "the clipboard's content is larger than {} MB",
        MAX_BYTES >> 20
    ))
}

impl Targets for Selection {
    fn offered(&self) -> &[String] {
        &self.offered
    }

    fn read_named(&mut self, name: &str) -> Result<Option<Vec<u8>>> {
        let atom = intern(&self.conn, name)?;
        self.read(atom)
    }
}
