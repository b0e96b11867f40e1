//! The prepare stage's image work: metadata removed without re-encoding (see [`metadata`]), and,
//! only when asked or needed, a re-encode: a conversion (`convert_to`), a downscale
//! (`max_width`, `max_height`, Lanczos3, aspect kept), and fitting a host's size limit (lower
//! JPEG quality, then smaller) — the EXIF orientation applied first, the colour profile kept.
//! Animated images are never re-encoded.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageReader};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::image::ImageKind;
use crate::metadata;

/// What to convert images to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConvertTo {
    #[default]
    None,
    Jpeg,
    Png,
}

/// What the prepare stage may do to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub strip_metadata: bool,
    pub convert_to: ConvertTo,
    /// JPEG quality, 1–100.
    pub quality: u8,
    /// Downscale to at most this size (0: no limit).
    pub max_width: u32,
    pub max_height: u32,
    /// The host's size limit, when files over it should be made to fit.
    pub fit_limit: Option<u64>,
}

/// A file after the prepare stage changed it.
#[derive(Debug, Clone)]
pub struct Done {
    pub bytes: Vec<u8>,
    pub kind: ImageKind,
    /// Metadata removed ("EXIF", "GPS", …).
    pub removed: Vec<&'static str>,
    /// Re-encoded: from which kind.
    pub converted_from: Option<ImageKind>,
    /// Downscaled: from which size to which.
    pub resized: Option<((u32, u32), (u32, u32))>,
    /// Made to fit this limit.
    pub fitted: Option<u64>,
}

/// Run the stage; `None` when the file goes as it is.
pub fn run(kind: ImageKind, bytes: &[u8], o: &Options) -> Result<Option<Done>> {
    let size = crate::image::dimensions(bytes);
    let too_big = |(w, h): (u32, u32)| {
        (o.max_width > 0 && w > o.max_width) || (o.max_height > 0 && h > o.max_height)
    };
    let target = match (o.convert_to, kind) {
        (ConvertTo::Jpeg, k) if k != ImageKind::Jpeg => Some(ImageKind::Jpeg),
        (ConvertTo::Png, k) if k != ImageKind::Png => Some(ImageKind::Png),
        _ => None,
    };
    let over_limit = o.fit_limit.is_some_and(|l| bytes.len() as u64 > l);
    let reencode = (target.is_some() || size.is_some_and(too_big) || over_limit)
        && decodable(kind)
        && !animated(kind, bytes);
    if !reencode {
        return Ok(o
            .strip_metadata
            .then(|| metadata::strip(kind, bytes))
            .flatten()
            .map(|s| Done {
                bytes: s.bytes,
                kind,
                removed: s.removed,
                converted_from: None,
                resized: None,
                fitted: None,
            }));
    }
    reencoded(kind, bytes, target, o).map(Some)
}

fn decodable(kind: ImageKind) -> bool {
    matches!(
        kind,
        ImageKind::Jpeg
            | ImageKind::Png
            | ImageKind::Webp
            | ImageKind::Gif
            | ImageKind::Bmp
            | ImageKind::Tiff
    )
}

/// APNG, a GIF of several frames, an animated WebP.
fn animated(kind: ImageKind, b: &[u8]) -> bool {
    match kind {
        ImageKind::Png => b.windows(4).take(4096).any(|w| w == b"acTL"),
        ImageKind::Webp => b.windows(4).take(4096).any(|w| w == b"ANIM"),
        // Counted by decoding: a byte pattern could also stand inside the image data.
        ImageKind::Gif => image::codecs::gif::GifDecoder::new(Cursor::new(b)).is_ok_and(|d| {
            use image::AnimationDecoder;
            d.into_frames().take(2).count() > 1
        }),
        _ => false,
    }
}

fn failed(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Input(format!("the image could not be {what}: {e}"))
}

fn reencoded(
    kind: ImageKind,
    bytes: &[u8],
    target: Option<ImageKind>,
    o: &Options,
) -> Result<Done> {
    let mut decoder = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| failed("read", e))?
        .into_decoder()
        .map_err(|e| failed("read", e))?;
    let icc = decoder.icc_profile().ok().flatten();
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| failed("decoded", e))?;
    if let Some(orientation) = orientation {
        img.apply_orientation(orientation);
    }
    let original = (img.width(), img.height());
    // Keep transparency in PNG; everything else that is re-encoded without a target is a JPEG
    // when it was one (or had no alpha), else a PNG.
    let out_kind = target.unwrap_or(match kind {
        ImageKind::Jpeg => ImageKind::Jpeg,
        ImageKind::Png => ImageKind::Png,
        _ if img.color().has_alpha() => ImageKind::Png,
        _ => ImageKind::Jpeg,
    });
    let (mw, mh) = (o.max_width, o.max_height);
    if (mw > 0 && img.width() > mw) || (mh > 0 && img.height() > mh) {
        let (w, h) = (
            if mw > 0 { mw } else { u32::MAX },
            if mh > 0 { mh } else { u32::MAX },
        );
        img = img.resize(w, h, FilterType::Lanczos3);
    }
    let mut quality = o.quality.clamp(1, 100);
    let mut out = encode(&img, out_kind, quality, icc.as_deref())?;
    // Over the host's limit: lower the quality first (JPEG), then make the picture smaller,
    // until it fits (the caller refuses it, in words, if it still does not).
    let fitted = o.fit_limit.filter(|l| bytes.len() as u64 > *l);
    if let Some(limit) = fitted {
        let mut steps = 0;
        while out.len() as u64 > limit && steps < 16 {
            steps += 1;
            if out_kind == ImageKind::Jpeg && quality > 50 {
                quality = quality.saturating_sub(10).max(50);
            } else {
                let (w, h) = (img.width(), img.height());
                img =
                    img.resize_exact((w * 4 / 5).max(1), (h * 4 / 5).max(1), FilterType::Lanczos3);
            }
            out = encode(&img, out_kind, quality, icc.as_deref())?;
        }
    }
    let now = (img.width(), img.height());
    Ok(Done {
        bytes: out,
        kind: out_kind,
        removed: Vec::new(),
        converted_from: Some(kind),
        resized: (now != original).then_some((original, now)),
        fitted,
    })
}

fn encode(img: &DynamicImage, kind: ImageKind, quality: u8, icc: Option<&[u8]>) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let result = match kind {
        ImageKind::Png => {
            let mut e =
                PngEncoder::new_with_quality(&mut out, CompressionType::Best, PngFilter::Adaptive);
            if let Some(icc) = icc {
                let _ = e.set_icc_profile(icc.to_vec());
            }
            img.write_with_encoder(e)
        }
        _ => {
            // JPEG has no alpha: flatten on white, as a browser shows it.
            let rgb = if img.color().has_alpha() {
                let rgba = img.to_rgba8();
                DynamicImage::ImageRgb8(image::RgbImage::from_fn(
                    img.width(),
                    img.height(),
                    |x, y| {
                        let s = rgba.get_pixel(x, y);
                        let a = u16::from(s[3]);
                        let on_white = |c: u8| ((u16::from(c) * a + 255 * (255 - a)) / 255) as u8;
                        image::Rgb([on_white(s[0]), on_white(s[1]), on_white(s[2])])
                    },
                ))
            } else {
                DynamicImage::ImageRgb8(img.to_rgb8())
            };
            let mut e = JpegEncoder::new_with_quality(&mut out, quality);
            if let Some(icc) = icc {
                let _ = e.set_icc_profile(icc.to_vec());
            }
            rgb.write_with_encoder(e)
        }
    };
    result.map_err(|e| failed("encoded", e))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img =
            image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 7) as u8, (y * 5) as u8, 90]));
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    fn opts() -> Options {
        Options {
            strip_metadata: true,
            convert_to: ConvertTo::None,
            quality: 82,
            max_width: 0,
            max_height: 0,
            fit_limit: None,
        }
    }

    #[test]
    fn nothing_asked_nothing_done() {
        assert!(run(ImageKind::Png, &png(20, 10), &opts())
            .unwrap()
            .is_none());
    }

    #[test]
    fn downscale_keeps_aspect_and_format() {
        let o = Options {
            max_width: 10,
            ..opts()
        };
        let d = run(ImageKind::Png, &png(40, 20), &o).unwrap().unwrap();
        assert_eq!(d.kind, ImageKind::Png);
        assert_eq!(crate::image::dimensions(&d.bytes), Some((10, 5)));
        assert_eq!(d.resized, Some(((40, 20), (10, 5))));
    }

    #[test]
    fn animated_gifs_are_never_reencoded() {
        let gif = |frames: u32| {
            let mut out = Vec::new();
            {
                let mut e = image::codecs::gif::GifEncoder::new(&mut out);
                for i in 0..frames {
                    let img =
                        image::RgbaImage::from_pixel(4, 4, image::Rgba([i as u8 * 60, 0, 0, 255]));
                    e.encode_frame(image::Frame::new(img)).unwrap();
                }
            }
            out
        };
        let o = Options {
            convert_to: ConvertTo::Png,
            ..opts()
        };
        assert!(run(ImageKind::Gif, &gif(3), &o).unwrap().is_none());
        let one = run(ImageKind::Gif, &gif(1), &o).unwrap().unwrap();
        assert_eq!(one.kind, ImageKind::Png);
    }

    #[test]
    fn a_photo_over_the_limit_is_reencoded_to_fit_and_says_why() {
        // Noise at top quality: far over 60 KB; re-encoding at the set quality may be enough.
        let mut state = 7u32;
        let img = image::RgbImage::from_fn(300, 200, |_, _| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let [a, b, c, _] = state.to_le_bytes();
            image::Rgb([a, b, c])
        });
        let mut jpeg = Vec::new();
        JpegEncoder::new_with_quality(&mut jpeg, 100)
            .encode_image(&img)
            .unwrap();
        let limit = jpeg.len() as u64 / 2;
        let o = Options {
            fit_limit: Some(limit),
            ..opts()
        };
        let d = run(ImageKind::Jpeg, &jpeg, &o).unwrap().unwrap();
        assert_eq!(d.fitted, Some(limit));
        assert!(d.bytes.len() as u64 <= limit, "{} > {limit}", d.bytes.len());
        // Under the limit: left alone (metadata aside).
        let o = Options {
            fit_limit: Some(jpeg.len() as u64),
            ..opts()
        };
        assert!(run(ImageKind::Jpeg, &jpeg, &o).unwrap().is_none());
    }

    #[test]
    fn convert_to_jpeg() {
        let o = Options {
            convert_to: ConvertTo::Jpeg,
            ..opts()
        };
        let d = run(ImageKind::Png, &png(16, 16), &o).unwrap().unwrap();
        assert_eq!(d.kind, ImageKind::Jpeg);
        assert_eq!(crate::image::sniff(&d.bytes), Some(ImageKind::Jpeg));
        assert_eq!(d.converted_from, Some(ImageKind::Png));
    }
}
