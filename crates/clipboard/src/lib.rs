//! What to upload from the system clipboard, for the app (button, Ctrl+V, global shortcut, tray,
//! local server) and the CLI (`--clipboard`, `pixdrop serve`).
//!
//! The clipboard is asked what it offers before anything is read, and an image is taken in the
//! encoding its owner offers (a screenshot tool's PNG is uploaded byte for byte, never decoded and
//! re-encoded). On X11 this is done here with x11rb: arboard asks for targets the owner never
//! offered (xclip, for one, answers those with its image and then stops serving) and gives up
//! when an owner pauses more than 10 ms between the pieces of a large image. On Wayland it is
//! read through the data-control protocol (wl-clipboard-rs), by the same rules; where the
//! compositor has none (GNOME) XWayland's clipboard is read if there is one, else the error
//! says to paste into the window. Elsewhere arboard reads the clipboard.

use pixdrop_core::msg;
use std::path::PathBuf;

use pixdrop_core::{image, Error, Input, Result};

#[cfg(all(unix, not(target_os = "macos")))]
mod wayland;
#[cfg(all(unix, not(target_os = "macos")))]
mod x11;
#[cfg(all(unix, not(target_os = "macos")))]
pub use wayland::no_data_control;

/// Image types asked for, best first: what screenshot tools and browsers offer, and what the
/// pipeline uploads as is.
const IMAGE_TARGETS: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/webp",
    "image/gif",
    "image/avif",
    "image/bmp",
    "image/tiff",
];

/// Copied files, as file managers offer them.
const FILE_TARGETS: &[&str] = &["text/uri-list", "x-special/gnome-copied-files"];
/// Text, by the names X11 and Wayland programs offer it under.
const TEXT_TARGETS: &[&str] = &[
    "text/plain;charset=utf-8",
    "UTF8_STRING",
    "STRING",
    "TEXT",
    "text/plain",
];
/// The largest content read (a 8K screenshot as PNG is well under this).
const MAX_BYTES: usize = 512 << 20;

/// An image as the clipboard holds it.
#[derive(Debug)]
pub enum Image {
    /// Encoded bytes, as the owner offered them.
    Encoded(Vec<u8>),
    /// Pixels (where the platform hands out only decoded images).
    Rgba {
        width: u32,
        height: u32,
        pixels: Vec<u8>,
    },
}

/// One look at the clipboard: what it offers, read on demand.
trait Offer {
    /// Files copied in a file manager, in order (empty when none).
    fn files(&mut self) -> Result<Vec<PathBuf>>;
    /// The image, if one is offered.
    fn image(&mut self) -> Result<Option<Image>>;
    /// Whether text is offered (for the message when there is no image).
    fn has_text(&mut self) -> bool;
}

/// A clipboard that names what it offers (MIME types, X11 targets) and hands each over as
/// bytes: X11, Wayland, and the app's own window (GTK). What to take from it is decided once,
/// here.
pub trait Targets {
    fn offered(&self) -> &[String];
    /// The owner's bytes for `target`, or `None` when it refuses.
    fn read_named(&mut self, target: &str) -> Result<Option<Vec<u8>>>;

    fn offers(&self, target: &str) -> bool {
        self.offered().iter().any(|t| t == target)
    }
}

impl<T: Targets> Offer for T {
    fn files(&mut self) -> Result<Vec<PathBuf>> {
        for target in FILE_TARGETS {
            if self.offers(target) {
                if let Some(list) = self.read_named(target)? {
                    return Ok(parse_uri_list(&String::from_utf8_lossy(&list)));
                }
            }
        }
        Ok(Vec::new())
    }

    fn image(&mut self) -> Result<Option<Image>> {
        for target in IMAGE_TARGETS {
            if !self.offers(target) {
                continue;
            }
            if let Some(bytes) = self.read_named(target)? {
                if image::sniff(&bytes[..bytes.len().min(image::SNIFF_LEN)]).is_some() {
                    return Ok(Some(Image::Encoded(bytes)));
                }
            }
        }
        Ok(None)
    }

    fn has_text(&mut self) -> bool {
        TEXT_TARGETS.iter().any(|t| self.offers(t))
    }
}

fn unavailable(e: impl std::fmt::Display) -> Error {
    Error::Input(msg!("cannot read the clipboard: {e}"))
}

/// On Linux and the BSDs the clipboard belongs to a display server: without one (a console, an
/// SSH session) say so at once instead of the time-out a clipboard library reports.
pub fn check_display() -> Result<()> {
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        let set = |v: &str| std::env::var_os(v).is_some_and(|d| !d.is_empty());
        if !set("DISPLAY") && !set("WAYLAND_DISPLAY") {
            return Err(Error::Input(
                msg!("there is no display, so no clipboard (neither DISPLAY nor WAYLAND_DISPLAY is set); run this inside a desktop session"),
            ));
        }
    }
    Ok(())
}

/// What the clipboard holds to upload: image files copied in a file manager (those whose bytes
/// are images), else the image itself. Anything else is "the clipboard holds no image", with
/// what it holds instead where that helps.
pub fn inputs() -> Result<Vec<Input>> {
    check_display()?;
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        // A Wayland session first (its X display, if any, is XWayland's, which sees the
        // clipboard only through the compositor's bridge).
        if let Some(w) = wayland::Clipboard::open() {
            return inputs_from(&mut w?);
        }
        if let Some(x) = x11::Selection::open() {
            return inputs_from(&mut x?);
        }
    }
    inputs_from(&mut Arboard(
        arboard::Clipboard::new().map_err(unavailable)?,
    ))
}

/// What a clipboard read some other way (the app's window) holds to upload, by the same rules as
/// [`inputs`].
pub fn inputs_from_targets(clipboard: &mut impl Targets) -> Result<Vec<Input>> {
    inputs_from(clipboard)
}

/// Whether `e` says the desktop lets only a focused window read the clipboard (see
/// [`no_data_control`]): the app then reads it through its own window.
pub fn needs_window(e: &Error) -> bool {
    #[cfg(all(unix, not(target_os = "macos")))]
    return e.to_string().contains(no_data_control().as_str());
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    false
}

fn inputs_from(offer: &mut dyn Offer) -> Result<Vec<Input>> {
    let files = offer.files()?;
    let images: Vec<Input> = files
        .iter()
        .filter(|p| image::is_image_file(p))
        .map(|p| Input::Path(p.clone()))
        .collect();
    if !images.is_empty() {
        return Ok(images);
    }
    match offer.image()? {
        Some(Image::Encoded(bytes)) => Ok(vec![Input::clipboard(bytes)?]),
        Some(Image::Rgba {
            width,
            height,
            pixels,
        }) => Ok(vec![Input::from_rgba(width, height, &pixels)?]),
        None if !files.is_empty() => Err(Error::Input(msg!(
            "the clipboard holds no image (the copied files are not images)"
        ))),
        None if offer.has_text() => Err(Error::Input(msg!(
            "the clipboard holds no image (it holds text)"
        ))),
        None => Err(Error::Input(msg!("the clipboard holds no image"))),
    }
}

/// Local paths in a `text/uri-list` (or GNOME's copied-files list, whose first line says "copy"
/// or "cut"): `file://` URIs only, percent-decoded; comments and other schemes are skipped.
pub fn parse_uri_list(text: &str) -> Vec<PathBuf> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with("file:"))
        .filter_map(|l| url::Url::parse(l).ok()?.to_file_path().ok())
        .collect()
}

/// The portable reader (Windows, macOS, and Linux without an X display).
struct Arboard(arboard::Clipboard);

impl Offer for Arboard {
    fn files(&mut self) -> Result<Vec<PathBuf>> {
        Ok(self.0.get().file_list().unwrap_or_default())
    }

    fn image(&mut self) -> Result<Option<Image>> {
        match self.0.get_image() {
            Ok(img) => Ok(Some(Image::Rgba {
                width: img.width as u32,
                height: img.height as u32,
                pixels: img.bytes.into_owned(),
            })),
            Err(arboard::Error::ContentNotAvailable | arboard::Error::ConversionFailure) => {
                Ok(None)
            }
            Err(e) => Err(unavailable(e)),
        }
    }

    fn has_text(&mut self) -> bool {
        self.0.get_text().is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_lists_give_local_paths() {
        let list = "# copied\r\nfile:///home/me/My%20Shots/a%2Bb.png\r\nhttps://x.test/y.png\r\nfile:///tmp/c.txt\r\n";
        assert_eq!(
            parse_uri_list(list),
            vec![
                PathBuf::from("/home/me/My Shots/a+b.png"),
                PathBuf::from("/tmp/c.txt")
            ]
        );
        assert_eq!(
            parse_uri_list("copy\nfile:///tmp/d.png"),
            vec![PathBuf::from("/tmp/d.png")]
        );
        assert!(parse_uri_list("just some text").is_empty());
    }

    /// A clipboard in memory, to check the choice between files, image and messages.
    #[derive(Default)]
    struct Fake {
        files: Vec<PathBuf>,
        image: Option<Vec<u8>>,
        text: bool,
    }

    impl Offer for Fake {
        fn files(&mut self) -> Result<Vec<PathBuf>> {
            Ok(self.files.clone())
        }
        fn image(&mut self) -> Result<Option<Image>> {
            Ok(self.image.take().map(Image::Encoded))
        }
        fn has_text(&mut self) -> bool {
            self.text
        }
    }

    fn message(r: Result<Vec<Input>>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn image_files_come_first_then_the_image_then_a_reason() {
        let dir = std::env::temp_dir().join(format!("pixdrop-clip-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let png = dir.join("a.png");
        std::fs::write(&png, b"\x89PNG\r\n\x1a\n rest").unwrap();
        let txt = dir.join("b.txt");
        std::fs::write(&txt, b"hello").unwrap();

        let mut both = Fake {
            files: vec![txt.clone(), png.clone()],
            image: Some(b"GIF89a..".to_vec()),
            ..Fake::default()
        };
        let got = inputs_from(&mut both).unwrap();
        assert!(matches!(&got[..], [Input::Path(p)] if *p == png), "{got:?}");

        let mut only_text_files = Fake {
            files: vec![txt.clone()],
            image: Some(b"GIF89a..".to_vec()),
            ..Fake::default()
        };
        let got = inputs_from(&mut only_text_files).unwrap();
        assert!(matches!(&got[..], [Input::Bytes { name, .. }] if name.ends_with(".gif")));

        only_text_files.image = None;
        assert!(message(inputs_from(&mut only_text_files)).contains("files are not images"));
        let mut text = Fake {
            text: true,
            ..Fake::default()
        };
        assert!(message(inputs_from(&mut text)).contains("holds no image (it holds text)"));
        let mut html_as_image = Fake {
            image: Some(b"<html>403</html>".to_vec()),
            ..Fake::default()
        };
        assert!(message(inputs_from(&mut html_as_image)).contains("format"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
