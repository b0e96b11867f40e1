//! Reading the clipboard on a real X display (the test command runs these under Xvfb), with the
//! owners users have: xclip (as screenshot scripts use it) and a slow owner that sends a large
//! image in pieces with pauses between them, as a busy image editor does.
#![cfg(all(unix, not(target_os = "macos")))]

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use pixdrop_core::Input;
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    AtomEnum, ConnectionExt as _, CreateWindowAux, EventMask, PropMode, Property,
    SelectionNotifyEvent, WindowClass, SELECTION_NOTIFY_EVENT,
};
use x11rb::protocol::Event;
use x11rb::wrapper::ConnectionExt as _;

/// There is one X clipboard: tests take turns.
static CLIPBOARD: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn turn() -> std::sync::MutexGuard<'static, ()> {
    CLIPBOARD.lock().unwrap_or_else(|p| p.into_inner())
}

/// A PNG of noise (incompressible), `w`×`h`, so its size is about 3·w·h bytes.
fn noisy_png(w: u32, h: u32, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2654435761).wrapping_add(1);
    let rgb: Vec<u8> = (0..w * h * 3)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.write_header().unwrap().write_image_data(&rgb).unwrap();
    out
}

/// Who owns the CLIPBOARD selection, asked on one connection (a connection per look would
/// pile up X clients faster than a busy server frees them, until xclip cannot connect).
struct OwnerWatch {
    conn: x11rb::rust_connection::RustConnection,
    clipboard: u32,
}

impl OwnerWatch {
    fn new() -> Self {
        let (conn, _) = x11rb::connect(None).expect("an X display");
        let clipboard = conn
            .intern_atom(false, b"CLIPBOARD")
            .unwrap()
            .reply()
            .unwrap()
            .atom;
        OwnerWatch { conn, clipboard }
    }

    /// The window that owns the clipboard now (`NONE` when nobody does).
    fn owner(&self) -> u32 {
        self.conn
            .get_selection_owner(self.clipboard)
            .unwrap()
            .reply()
            .unwrap()
            .owner
    }
}

/// Put `data` on the clipboard with xclip and return once xclip owns it.
///
/// xclip forks a server and its parent exits before the server has taken the selection, so the
/// parent's exit proves nothing: wait until the selection has an owner other than the one it had
/// before (a new xclip is a new X client, so a new window). Bounded, so a broken xclip fails.
fn xclip_in(target: Option<&str>, data: &[u8]) {
    let watch = OwnerWatch::new();
    let before = watch.owner();
    let mut args = vec!["-selection", "clipboard"];
    if let Some(t) = target {
        args.extend(["-t", t]);
    }
    // Its stderr goes to a file: the server it forks keeps a pipe open for as long as it runs.
    let err = tempfile::tempfile().unwrap();
    let mut child = Command::new("xclip")
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(err.try_clone().unwrap())
        .spawn()
        .expect("xclip");
    child.stdin.take().unwrap().write_all(data).unwrap();
    let status = child.wait().unwrap();
    if !status.success() {
        let mut said = String::new();
        let mut err = err;
        std::io::Seek::rewind(&mut err).unwrap();
        std::io::Read::read_to_string(&mut err, &mut said).unwrap();
        panic!("xclip failed ({status}): {said}");
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let now = watch.owner();
        if now != before && now != x11rb::NONE {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "xclip did not take the clipboard"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn bytes_of(inputs: &[Input]) -> &[u8] {
    match inputs {
        [Input::Bytes { bytes, .. }] => bytes,
        other => panic!("expected one clipboard image, got {other:?}"),
    }
}

#[test]
#[ignore = "needs an X display and xclip"]
fn a_large_image_from_xclip_arrives_byte_for_byte() {
    let _t = turn();
    // ~7 MB: far over one X request, so xclip sends it INCR. arboard asked xclip for a file
    // list first, which xclip answered with the image and then stopped serving: no image.
    let png = noisy_png(1600, 1500, 1);
    assert!(png.len() > 6 << 20);
    xclip_in(Some("image/png"), &png);
    let inputs = pixdrop_clipboard::inputs().unwrap();
    assert_eq!(bytes_of(&inputs), &png[..]);
    match &inputs[0] {
        Input::Bytes { name, .. } => {
            assert!(name.starts_with("clipboard-") && name.ends_with(".png"))
        }
        _ => unreachable!(),
    }
    // And again: the owner is still serving after us.
    assert_eq!(bytes_of(&pixdrop_clipboard::inputs().unwrap()), &png[..]);
}

#[test]
#[ignore = "needs an X display and xclip"]
fn copied_image_files_are_uploaded_by_path() {
    let _t = turn();
    let dir = tempfile::tempdir().unwrap();
    let shot = dir.path().join("my shot.png");
    std::fs::write(&shot, noisy_png(8, 8, 2)).unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "hello").unwrap();
    let list = format!(
        "{}\r\n{}\r\n",
        url::Url::from_file_path(&notes).unwrap(),
        url::Url::from_file_path(&shot).unwrap()
    );
    xclip_in(Some("text/uri-list"), list.as_bytes());
    let inputs = pixdrop_clipboard::inputs().unwrap();
    assert!(
        matches!(&inputs[..], [Input::Path(p)] if *p == shot),
        "{inputs:?}"
    );

    let list = format!("{}\r\n", url::Url::from_file_path(&notes).unwrap());
    xclip_in(Some("text/uri-list"), list.as_bytes());
    let err = pixdrop_clipboard::inputs().unwrap_err().to_string();
    assert!(err.contains("the copied files are not images"), "{err}");
}

#[test]
#[ignore = "needs an X display and xclip"]
fn text_is_not_an_image() {
    let _t = turn();
    xclip_in(None, b"https://example.invalid/a.png");
    let err = pixdrop_clipboard::inputs().unwrap_err().to_string();
    assert!(
        err.contains("the clipboard holds no image (it holds text)"),
        "{err}"
    );
}

/// Own the clipboard with `targets` → data, answering large data INCR in `piece`-byte pieces
/// with `pause` between them. Returns once it owns the selection; stops when `stop` is dropped.
fn slow_owner(data: Vec<u8>, piece: usize, pause: Duration) -> mpsc::Sender<()> {
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    let (ready_tx, ready_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let (c, screen) = x11rb::connect(None).unwrap();
        let root = c.setup().roots[screen].root;
        let win = c.generate_id().unwrap();
        c.create_window(
            0,
            win,
            root,
            0,
            0,
            1,
            1,
            0,
            WindowClass::INPUT_ONLY,
            0,
            &CreateWindowAux::new(),
        )
        .unwrap();
        let atom = |n: &str| {
            c.intern_atom(false, n.as_bytes())
                .unwrap()
                .reply()
                .unwrap()
                .atom
        };
        let (clipboard, targets, png, incr) = (
            atom("CLIPBOARD"),
            atom("TARGETS"),
            atom("image/png"),
            atom("INCR"),
        );
        c.set_selection_owner(win, clipboard, x11rb::CURRENT_TIME)
            .unwrap();
        // A round trip: once its reply is here the server has made us the owner, so the
        // reader that starts after `ready` finds us (a flush alone only sends the request).
        let owner = c
            .get_selection_owner(clipboard)
            .unwrap()
            .reply()
            .unwrap()
            .owner;
        assert_eq!(owner, win, "the test owner could not take the clipboard");
        ready_tx.send(()).unwrap();
        // One transfer at a time: (requestor, property, offset).
        let mut sending: Option<(u32, u32, usize)> = None;
        while stop_rx.try_recv() != Err(mpsc::TryRecvError::Disconnected) {
            let Some(ev) = c.poll_for_event().unwrap() else {
                std::thread::sleep(Duration::from_millis(1));
                continue;
            };
            match ev {
                Event::SelectionRequest(r) => {
                    let mut property = r.property;
                    if r.target == targets {
                        c.change_property32(
                            PropMode::REPLACE,
                            r.requestor,
                            r.property,
                            AtomEnum::ATOM,
                            &[targets, png],
                        )
                        .unwrap();
                    } else if r.target == png {
                        // Watch the requestor's property deletes, then announce INCR.
                        c.change_window_attributes(
                            r.requestor,
                            &x11rb::protocol::xproto::ChangeWindowAttributesAux::new()
                                .event_mask(EventMask::PROPERTY_CHANGE),
                        )
                        .unwrap();
                        c.change_property32(
                            PropMode::REPLACE,
                            r.requestor,
                            r.property,
                            incr,
                            &[data.len() as u32],
                        )
                        .unwrap();
                        sending = Some((r.requestor, r.property, 0));
                    } else {
                        property = x11rb::NONE;
                    }
                    let notify = SelectionNotifyEvent {
                        response_type: SELECTION_NOTIFY_EVENT,
                        sequence: 0,
                        time: r.time,
                        requestor: r.requestor,
                        selection: r.selection,
                        target: r.target,
                        property,
                    };
                    c.send_event(false, r.requestor, EventMask::NO_EVENT, notify)
                        .unwrap();
                    c.flush().unwrap();
                }
                Event::PropertyNotify(p) if p.state == Property::DELETE => {
                    if let Some((req, prop, off)) = sending {
                        if p.window == req && p.atom == prop {
                            std::thread::sleep(pause);
                            let end = (off + piece).min(data.len());
                            c.change_property8(PropMode::REPLACE, req, prop, png, &data[off..end])
                                .unwrap();
                            c.flush().unwrap();
                            sending = if off == end {
                                None
                            } else {
                                Some((req, prop, end))
                            };
                        }
                    }
                }
                _ => {}
            }
        }
    });
    ready_rx.recv().unwrap();
    stop_tx
}

#[test]
#[ignore = "needs an X display"]
fn an_owner_that_pauses_between_pieces_is_waited_for() {
    let _t = turn();
    let png = noisy_png(300, 300, 3);
    // 64 KiB pieces, 30 ms apart: arboard gave up after 10 ms without a piece.
    let stop = slow_owner(png.clone(), 64 << 10, Duration::from_millis(30));
    let inputs = pixdrop_clipboard::inputs().unwrap();
    assert_eq!(bytes_of(&inputs), &png[..]);
    drop(stop);
}
