//! Recognising images by their bytes, reading their size, and encoding raw pixels as PNG.

use crate::error::{Error, Result};

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

/// Encode 8-bit RGBA pixels (a clipboard image) as PNG.
pub fn encode_png(width: u32, height: u32, rgba: &[u8]) -> Result<Vec<u8>> {
    let expected = width as usize * height as usize * 4;
    if width == 0 || height == 0 || rgba.len() != expected {
        return Err(Error::Input(format!(
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
            .map_err(|e| Error::Input(format!("cannot encode the image: {e}")))?;
        w.write_image_data(rgba)
            .map_err(|e| Error::Input(format!("cannot encode the image: {e}")))?;
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
    fn malformed_pixels_are_refused() {
        assert!(encode_png(3, 2, &[0; 5]).is_err());
        assert!(encode_png(0, 0, &[]).is_err());
    }
}
