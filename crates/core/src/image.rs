//! Recognising images by their bytes, reading their size, and encoding raw pixels as PNG.

use crate::error::{Error, Result};
use crate::{msg, Msg};

/// Image types the pipeline accepts, recognised by their leading bytes (never by extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Jpeg,
    Gif,
    Webp,
    Bmp,
    Tiff,
    Ico,
    Avif,
    Heic,
}

impl ImageKind {
    pub fn extension(self) -> &'static str {
        match self {
            ImageKind::Png => "png",
            ImageKind::Jpeg => "jpg",
            ImageKind::Gif => "gif",
            ImageKind::Webp => "webp",
            ImageKind::Bmp => "bmp",
            ImageKind::Tiff => "tiff",
            ImageKind::Ico => "ico",
            ImageKind::Avif => "avif",
            ImageKind::Heic => "heic",
        }
    }

    /// The type's name as people write it: "PNG", "JPEG" …
    pub fn label(self) -> &'static str {
        match self {
            ImageKind::Png => "PNG",
            ImageKind::Jpeg => "JPEG",
            ImageKind::Gif => "GIF",
            ImageKind::Webp => "WebP",
            ImageKind::Bmp => "BMP",
            ImageKind::Tiff => "TIFF",
            ImageKind::Ico => "ICO",
            ImageKind::Avif => "AVIF",
            ImageKind::Heic => "HEIC",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            ImageKind::Png => "image/png",
            ImageKind::Jpeg => "image/jpeg",
            ImageKind::Gif => "image/gif",
            ImageKind::Webp => "image/webp",
            ImageKind::Bmp => "image/bmp",
            ImageKind::Tiff => "image/tiff",
            ImageKind::Ico => "image/x-icon",
            ImageKind::Avif => "image/avif",
            ImageKind::Heic => "image/heic",
        }
    }
}

/// How many leading bytes [`sniff`] needs at most.
pub const SNIFF_LEN: usize = 32;

/// Recognise an image from its first bytes. `None` means "not an image we know".
pub fn sniff(head: &[u8]) -> Option<ImageKind> {
    let starts = |sig: &[u8]| head.len() >= sig.len() && &head[..sig.len()] == sig;
    if starts(b"\x89PNG\r\n\x1a\n") {
        Some(ImageKind::Png)
    } else if starts(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageKind::Jpeg)
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some(ImageKind::Gif)
    } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some(ImageKind::Webp)
    } else if starts(b"BM") && head.len() >= 14 {
        Some(ImageKind::Bmp)
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        Some(ImageKind::Tiff)
    } else if starts(&[0, 0, 1, 0]) && head.len() >= 6 && head[4..6] != [0, 0] {
        Some(ImageKind::Ico)
    } else if head.len() >= 12 && &head[4..8] == b"ftyp" {
        match &head[8..12] {
            b"avif" | b"avis" => Some(ImageKind::Avif),
            b"heic" | b"heix" | b"mif1" | b"msf1" | b"hevc" => Some(ImageKind::Heic),
            _ => None,
        }
    } else {
        None
    }
}

/// A file whose first bytes say it is an image we can upload (unreadable files are not).
pub fn is_image_file(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; SNIFF_LEN];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    sniff(&head[..n]).is_some()
}

/// Width and height from the header, where the format allows reading them cheaply.
pub fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    imagesize::blob_size(bytes)
        .ok()
        .map(|s| (s.width as u32, s.height as u32))
}

/// What an image's header says, read without decoding a pixel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub kind: ImageKind,
    /// The picture's size (an animation's canvas).
    pub width: u32,
    pub height: u32,
    /// Frames counted from the structure (1 for a still image; at least 1 for an animation
    /// whose count cannot be read cheaply).
    pub frames: u32,
    /// An APNG, an animated WebP, or a GIF of more than one frame.
    pub animated: bool,
}

impl Header {
    pub fn pixels(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }
}

/// Read an image's header: its type, size and frames, checking that the file is whole where its
/// structure says so cheaply (a PNG's chunks up to `IEND`, a GIF's blocks up to its last frame, a
/// WebP's RIFF length, a JPEG's segments up to its first scan). Nothing is decoded or inflated,
/// so this is safe on any input; the error says what is wrong, in words.
pub fn header(bytes: &[u8]) -> Result<Header> {
    let kind = sniff(&bytes[..bytes.len().min(SNIFF_LEN)]).ok_or_else(|| {
        Error::Input(msg!(
            "not an image (its content is not PNG, JPEG, GIF, WebP, BMP, TIFF, ICO, AVIF or HEIC)"
        ))
    })?;
    let damaged =
        |why: Msg| Error::Input(msg!("the {kind} is damaged: {why}", kind = kind.label()));
    let cut_short = || {
        Error::Input(msg!(
            "the {} is cut short (the file ends before its image data does; was it still being written or downloaded?)",
            kind.label()
        ))
    };
    let mut frames = 1;
    let mut animated = false;
    let mut size = None;
    match kind {
        ImageKind::Png => {
            let s = walk_png(bytes).map_err(|e| match e {
                Walk::CutShort => cut_short(),
                Walk::Damaged(why) => damaged(why),
            })?;
            size = Some(s.size);
            if let Some(n) = s.animation_frames {
                animated = true;
                frames = n.max(1);
            }
        }
        ImageKind::Gif => {
            let s = walk_gif(bytes).map_err(|e| match e {
                Walk::CutShort => cut_short(),
                Walk::Damaged(why) => damaged(why),
            })?;
            size = Some(s.size);
            frames = s.frames;
            animated = s.frames > 1;
        }
        ImageKind::Webp => {
            let declared = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
            if (bytes.len() as u64) < u64::from(declared) + 8 {
                return Err(cut_short());
            }
            let (n, anim) = webp_frames(&bytes[12..(declared as usize + 8).min(bytes.len())]);
            frames = n.max(1);
            animated = anim;
        }
        ImageKind::Jpeg if !jpeg_has_scan(bytes) => return Err(cut_short()),
        _ => {}
    }
    let (width, height) = match size.or_else(|| dimensions(bytes)) {
        Some(s) => s,
        None => return Err(damaged(msg!("its size cannot be read from its header"))),
    };
    if width == 0 || height == 0 {
        return Err(damaged(msg!("its header gives a size of {width}×{height}")));
    }
    Ok(Header {
        kind,
        width,
        height,
        frames,
        animated,
    })
}

enum Walk {
    CutShort,
    Damaged(Msg),
}

struct PngShape {
    size: (u32, u32),
    /// `acTL`'s frame count: an APNG.
    animation_frames: Option<u32>,
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// A PNG's chunks from `IHDR` to `IEND`, each whole (lengths only: nothing is inflated).
fn walk_png(b: &[u8]) -> std::result::Result<PngShape, Walk> {
    let mut at = 8;
    let mut size = None;
    let mut animation_frames = None;
    let mut has_data = false;
    let mut fctl = 0u32;
    loop {
        if b.len() < at + 8 {
            return Err(Walk::CutShort);
        }
        let len = be32(&b[at..]) as usize;
        let kind = &b[at + 4..at + 8];
        if len > 0x7FFF_FFFF {
            return Err(Walk::Damaged(msg!("a chunk's length is out of range")));
        }
        let end = at + 12 + len;
        if b.len() < end {
            return Err(Walk::CutShort);
        }
        let data = &b[at + 8..at + 8 + len];
        match kind {
            b"IHDR" if at == 8 && len == 13 => size = Some((be32(data), be32(&data[4..]))),
            _ if at == 8 => {
                return Err(Walk::Damaged(msg!(
                    "it does not start with its header (IHDR)"
                )))
            }
            b"acTL" if len >= 8 => {
                animation_frames = Some(animation_frames.unwrap_or(0).max(be32(data)))
            }
            // Frames as they stand, in case `acTL` says fewer.
            b"fcTL" => fctl += 1,
            b"IDAT" => has_data = true,
            b"IEND" => break,
            _ => {}
        }
        at = end;
    }
    if !has_data {
        return Err(Walk::Damaged(msg!("it holds no image data (IDAT)")));
    }
    Ok(PngShape {
        size: size.unwrap_or((0, 0)),
        animation_frames: animation_frames.map(|n| n.max(fctl)),
    })
}

struct GifShape {
    /// The logical screen, grown to hold every frame.
    size: (u32, u32),
    frames: u32,
}

/// A GIF's blocks, each frame's data skipped sub-block by sub-block (nothing is decompressed).
/// A file that ends after a whole frame but before the trailer is taken, as browsers do.
fn walk_gif(b: &[u8]) -> std::result::Result<GifShape, Walk> {
    let le16 = |at: usize| u32::from(u16::from_le_bytes([b[at], b[at + 1]]));
    if b.len() < 13 {
        return Err(Walk::CutShort);
    }
    let (mut w, mut h) = (le16(6), le16(8));
    let table = |flags: u8| {
        if flags & 0x80 != 0 {
            3usize << ((flags & 7) + 1)
        } else {
            0
        }
    };
    let mut at = 13 + table(b[10]);
    let mut frames = 0u32;
    // Skips sub-blocks from `at`; the position after the terminator.
    let sub_blocks = |mut at: usize| -> Option<usize> {
        loop {
            let n = *b.get(at)? as usize;
            at += 1 + n;
            if n == 0 {
                return Some(at);
            }
        }
    };
    loop {
        let Some(&block) = b.get(at) else {
            if frames > 0 {
                break;
            }
            return Err(Walk::CutShort);
        };
        match block {
            0x3B => break,
            0x21 => at = sub_blocks(at + 2).ok_or(Walk::CutShort)?,
            0x2C => {
                if b.len() < at + 11 {
                    return Err(Walk::CutShort);
                }
                w = w.max(le16(at + 1) + le16(at + 5));
                h = h.max(le16(at + 3) + le16(at + 7));
                // The descriptor, its colour table, the LZW code size, then the data.
                at = sub_blocks(at + 10 + table(b[at + 9]) + 1).ok_or(Walk::CutShort)?;
                frames += 1;
            }
            _ => {
                return Err(Walk::Damaged(msg!(
                    "an unknown block stands between its frames"
                )))
            }
        }
    }
    if frames == 0 {
        return Err(Walk::Damaged(msg!("it holds no frame")));
    }
    Ok(GifShape {
        size: (w, h),
        frames,
    })
}

/// A WebP's frames (its `ANMF` chunks) and whether it is an animation (`ANIM`).
fn webp_frames(mut chunks: &[u8]) -> (u32, bool) {
    let (mut frames, mut animated) = (0u32, false);
    while chunks.len() >= 8 {
        let len = u32::from_le_bytes([chunks[4], chunks[5], chunks[6], chunks[7]]) as usize;
        match &chunks[..4] {
            b"ANIM" => animated = true,
            b"ANMF" => frames += 1,
            _ => {}
        }
        let next = 8usize.saturating_add(len).saturating_add(len & 1);
        chunks = chunks.get(next..).unwrap_or(&[]);
    }
    (frames, animated)
}

/// A JPEG's segments are whole up to its first scan (SOS), where the compressed data begins.
fn jpeg_has_scan(b: &[u8]) -> bool {
    let mut at = 2;
    while at + 4 <= b.len() {
        if b[at] != 0xFF {
            return false;
        }
        let marker = b[at + 1];
        match marker {
            // Fill bytes, and markers without a length.
            0xFF => at += 1,
            0x01 | 0xD0..=0xD7 => at += 2,
            _ => {
                let len = usize::from(u16::from_be_bytes([b[at + 2], b[at + 3]]));
                if marker == 0xDA {
                    // A scan with at least a byte of data after its header.
                    return b.len() > at + 2 + len;
                }
                at += 2 + len;
            }
        }
    }
    false
}

/// Encode 8-bit RGBA pixels (a clipboard image) as PNG.
pub fn encode_png(width: u32, height: u32, rgba: &[u8]) -> Result<Vec<u8>> {
    let expected = width as usize * height as usize * 4;
    if width == 0 || height == 0 || rgba.len() != expected {
        return Err(Error::Input(msg!(
            "the clipboard image is malformed ({width}×{height} with {} bytes of pixels)",
            rgba.len()
        )));
    }
    let mut out = Vec::with_capacity(expected / 2);
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let mut w = enc
            .write_header()
            .map_err(|e| Error::Input(msg!("cannot encode the image: {e}")))?;
        w.write_image_data(rgba)
            .map_err(|e| Error::Input(msg!("cannot encode the image: {e}")))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_by_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(ImageKind::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(ImageKind::Jpeg));
        assert_eq!(sniff(b"GIF89a......"), Some(ImageKind::Gif));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(ImageKind::Webp));
        assert_eq!(sniff(b"\0\0\0\x1cftypavif\0\0"), Some(ImageKind::Avif));
        assert_eq!(sniff(b"hello world, not an image"), None);
        assert_eq!(sniff(b"%PDF-1.7"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn png_round_trip_has_dimensions() {
        let rgba = vec![255u8; 3 * 2 * 4];
        let png = encode_png(3, 2, &rgba).unwrap();
        assert_eq!(sniff(&png), Some(ImageKind::Png));
        assert_eq!(dimensions(&png), Some((3, 2)));
    }

    #[test]
    fn a_whole_image_has_a_header_and_a_cut_one_is_refused_in_words() {
        let png = pixdrop_standin::tiny_png(7);
        let h = header(&png).unwrap();
        assert_eq!(
            (h.kind, h.width, h.height, h.frames),
            (ImageKind::Png, 4, 3, 1)
        );
        assert!(!h.animated);
        // The 40-byte file: signature, IHDR, and the start of the next chunk.
        for len in [20, 33, 40, png.len() - 1] {
            let e = header(&png[..len]).unwrap_err().to_string();
            assert!(e.contains("PNG") && e.contains("cut short"), "{len}: {e}");
        }
        let e = header(b"\x89PNG\r\n\x1a\n\0\0\0\0IEND\xaeB`\x82").unwrap_err();
        assert!(e.to_string().contains("damaged"), "{e}");
        let e = header(b"hello").unwrap_err();
        assert!(e.to_string().contains("not an image"), "{e}");
    }

    #[test]
    fn bombs_are_read_for_what_they_claim_without_decoding() {
        use pixdrop_standin::bombs;
        for (bytes, kind) in [
            (bombs::png(bombs::SIDE), ImageKind::Png),
            (bombs::jpeg(), ImageKind::Jpeg),
            (bombs::webp(), ImageKind::Webp),
            (bombs::gif(), ImageKind::Gif),
        ] {
            let h = header(&bytes).unwrap();
            assert_eq!(
                (h.kind, h.width, h.height),
                (kind, bombs::SIDE, bombs::SIDE)
            );
            assert_eq!(h.pixels(), 1_600_000_000);
        }
        // Cut short, each is refused.
        let jpeg = bombs::jpeg();
        assert!(header(&jpeg[..100]).is_err());
        let webp = bombs::webp();
        assert!(header(&webp[..webp.len() - 2]).is_err());
        let gif = bombs::gif();
        assert!(header(&gif[..gif.len() - 4]).is_err());
    }

    #[test]
    fn frames_are_counted_from_the_structure() {
        // Two frames, each a descriptor with its LZW data, and no trailer (taken, as browsers do).
        let mut gif = b"GIF89a\x02\0\x02\0\x80\0\0\0\0\0\xff\xff\xff".to_vec();
        for _ in 0..2 {
            gif.extend_from_slice(b"\x21\xf9\x04\0\x0a\0\0\0");
            gif.extend_from_slice(b"\x2c\0\0\0\0\x02\0\x02\0\0\x02\x02\x44\x01\0");
        }
        let h = header(&gif).unwrap();
        assert_eq!((h.frames, h.animated), (2, true));
    }

    #[test]
    fn malformed_pixels_are_refused() {
        assert!(encode_png(3, 2, &[0; 5]).is_err());
        assert!(encode_png(0, 0, &[]).is_err());
    }
}
