//! The prepare stage's image work: metadata removed without re-encoding (see [`metadata`]), and,
//! only when asked or needed, a re-encode: a conversion (`convert_to`: WebP, AVIF, JPEG, PNG), a
//! downscale (`max_width`, `max_height`, Lanczos3 with `fast_image_resize`, aspect kept), a text
//! watermark, and fitting a host's size limit (lower quality, then smaller) — the EXIF
//! orientation applied first, the colour profile kept. Animated images are never re-encoded.
//! Also the album's thumbnails ([`thumbnail`]).

use crate::{msg, Msg};
use std::borrow::Cow;
use std::io::Cursor;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use fast_image_resize::{ResizeAlg, ResizeOptions, Resizer};
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageReader};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::image::{Header, ImageKind};
use crate::metadata;

/// What to convert images to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConvertTo {
    #[default]
    None,
    Webp,
    Avif,
    Jpeg,
    Png,
}

impl ConvertTo {
    fn kind(self) -> Option<ImageKind> {
        match self {
            ConvertTo::None => None,
            ConvertTo::Webp => Some(ImageKind::Webp),
            ConvertTo::Avif => Some(ImageKind::Avif),
            ConvertTo::Jpeg => Some(ImageKind::Jpeg),
            ConvertTo::Png => Some(ImageKind::Png),
        }
    }
}

/// Where a watermark goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Position {
    TopLeft,
    TopRight,
    BottomLeft,
    #[default]
    BottomRight,
    Center,
}

/// A text drawn on every re-encoded image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watermark {
    pub text: String,
    pub position: Position,
    /// 1–100.
    pub opacity: u8,
    /// A TrueType/OpenType file; empty: the bundled DejaVu Sans Bold.
    pub font: String,
}

/// The font that ships with Pixdrop (DejaVu Sans Bold; Bitstream Vera licence, in
/// `assets/fonts/DejaVu-LICENSE.txt`).
const BUNDLED_FONT: &[u8] = include_bytes!("../assets/fonts/DejaVuSans-Bold.ttf");

/// What the prepare stage may do to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub strip_metadata: bool,
    pub convert_to: ConvertTo,
    /// Quality of lossy output (JPEG, WebP, AVIF), 1–100.
    pub quality: u8,
    /// Downscale to at most this size (0: no limit).
    pub max_width: u32,
    pub max_height: u32,
    /// The host's size limit, when files over it should be made to fit.
    pub fit_limit: Option<u64>,
    pub watermark: Option<Watermark>,
}

impl Options {
    /// Nothing changed: the bytes are sent as they are.
    pub fn as_is() -> Options {
        Options {
            strip_metadata: false,
            convert_to: ConvertTo::None,
            quality: 90,
            max_width: 0,
            max_height: 0,
            fit_limit: None,
            watermark: None,
        }
    }
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
    pub watermarked: bool,
}

/// The most pixels decoded into memory at once (64 megapixels: 256 MB as RGBA, with a copy or
/// two while resizing). The size comes from the header before any decoding, so a small file
/// whose header claims 40000×40000 costs nothing: it is refused in words, or (a thumbnail)
/// skipped. JPEGs count at the scale libjpeg-turbo decodes them at.
pub const MAX_DECODE_PIXELS: u64 = 64 * 1024 * 1024;

/// The most pixels of all frames together when an animation is converted (every frame is held
/// until the WebP is written).
pub const MAX_ANIMATION_PIXELS: u64 = 2 * MAX_DECODE_PIXELS;

/// The memory any decoder may allocate (`image`'s own limit, a second guard behind the pixel
/// count: 16-bit RGBA at the largest size allowed).
const DECODER_ALLOC_LIMIT: u64 = MAX_DECODE_PIXELS * 8;

fn megapixels(p: u64) -> Msg {
    msg!("{n} megapixels", n = format!("{:.0}", p as f64 / 1e6))
}

/// Refuse a decode of `w`×`h` pixels over the budget, in words.
fn within_budget(h: &Header, (w, ht): (u32, u32)) -> Result<()> {
    let pixels = u64::from(w) * u64::from(ht);
    if pixels > MAX_DECODE_PIXELS {
        return Err(Error::Input(msg!(
            "the image is {}×{} ({}): too large to decode here (at most {})",
            h.width,
            h.height,
            megapixels(h.pixels()),
            megapixels(MAX_DECODE_PIXELS)
        )));
    }
    Ok(())
}

/// Run the stage; `None` when the file goes as it is.
pub fn run(kind: ImageKind, bytes: &[u8], o: &Options) -> Result<Option<Done>> {
    let header = crate::image::header(bytes)?;
    let too_big = |(w, h): (u32, u32)| {
        (o.max_width > 0 && w > o.max_width) || (o.max_height > 0 && h > o.max_height)
    };
    let target = o.convert_to.kind().filter(|t| *t != kind);
    let over_limit = o.fit_limit.is_some_and(|l| bytes.len() as u64 > l);
    // An animation is converted only to a format that keeps it (an animated WebP), frame
    // for frame; nothing else is done to it.
    if target == Some(ImageKind::Webp) && header.animated {
        return animated_webp(&header, bytes, o.quality).map(|out| {
            Some(Done {
                bytes: out,
                kind: ImageKind::Webp,
                removed: Vec::new(),
                converted_from: Some(kind),
                resized: None,
                fitted: None,
                watermarked: false,
            })
        });
    }
    let reencode = (target.is_some()
        || too_big((header.width, header.height))
        || over_limit
        || o.watermark.is_some())
        && decodable(kind)
        && !header.animated;
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
                watermarked: false,
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

fn failed(what: Msg, e: impl std::fmt::Display) -> Error {
    Error::Input(msg!("{what}: {e}"))
}

/// [`failed`], for a reason in our words.
fn failed_because(what: Msg, why: Msg) -> Error {
    Error::Input(msg!("{what}: {why}"))
}

/// Decode with the EXIF orientation applied; also the colour profile. JPEGs go through
/// libjpeg-turbo; the rest (and a JPEG it cannot give as RGB, such as CMYK) through `image`.
fn decode(bytes: &[u8]) -> Result<(DynamicImage, Option<Vec<u8>>)> {
    decode_at_least(bytes, None)
}

/// [`decode`], a JPEG at the smallest scale (1/8, 1/4, 3/8 … 1) that still covers `at_least`.
fn decode_at_least(
    bytes: &[u8],
    at_least: Option<(u32, u32)>,
) -> Result<(DynamicImage, Option<Vec<u8>>)> {
    let header = crate::image::header(bytes)?;
    let jpeg = header.kind == ImageKind::Jpeg;
    let scaled = match at_least {
        Some(at_least) if jpeg => turbo_scale((header.width, header.height), at_least),
        _ => (header.width, header.height),
    };
    within_budget(&header, scaled)?;
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| failed(msg!("the image could not be read"), e))?;
    reader.limits(decoder_limits());
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| failed(msg!("the image could not be read"), e))?;
    let icc = decoder.icc_profile().ok().flatten();
    let orientation = decoder.orientation().ok();
    let turbo = jpeg
        .then(|| turbo_decode(bytes, at_least))
        .and_then(|r| r.ok());
    let mut img = match turbo {
        Some(img) => img,
        None => {
            // The whole picture, whatever scale was hoped for (a JPEG libjpeg-turbo cannot
            // give as RGB, such as CMYK).
            within_budget(&header, (header.width, header.height))?;
            DynamicImage::from_decoder(decoder)
                .map_err(|e| failed(msg!("the image could not be decoded"), e))?
        }
    };
    if let Some(orientation) = orientation {
        img.apply_orientation(orientation);
    }
    Ok((img, icc))
}

/// What every decoder of `image` may allocate at most.
fn decoder_limits() -> image::Limits {
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(DECODER_ALLOC_LIMIT);
    limits
}

/// The size libjpeg-turbo decodes a `w`×`h` JPEG at to cover `at_least`: it scales by n/8 and
/// picks the largest scale that fits the size asked for.
fn turbo_scale((w, h): (u32, u32), (aw, ah): (u32, u32)) -> (u32, u32) {
    let scaled = |n: u32| ((w * n).div_ceil(8), (h * n).div_ceil(8));
    (1..=8)
        .map(scaled)
        .find(|&(sw, sh)| sw >= aw && sh >= ah)
        .unwrap_or((w, h))
}

/// A JPEG as RGB through libjpeg-turbo, scaled down in the decoder when `at_least` allows.
/// The caller checked the size against the budget.
fn turbo_decode(
    bytes: &[u8],
    at_least: Option<(u32, u32)>,
) -> std::result::Result<DynamicImage, turbojpeg::Error> {
    let mut d = turbojpeg::Decompressor::new()?;
    let header = d.read_header(bytes)?;
    let (w, h) = (header.width, header.height);
    let (sw, sh) = match at_least {
        Some(at_least) => {
            let (sw, sh) = turbo_scale((w as u32, h as u32), at_least);
            (sw as usize, sh as usize)
        }
        None => (w, h),
    };
    let mut image = turbojpeg::Image {
        pixels: vec![0u8; 3 * sw * sh],
        width: sw,
        pitch: 3 * sw,
        height: sh,
        format: turbojpeg::PixelFormat::RGB,
    };
    d.decompress(bytes, image.as_deref_mut())?;
    image::RgbImage::from_raw(sw as u32, sh as u32, image.pixels)
        .map(DynamicImage::ImageRgb8)
        .ok_or(turbojpeg::Error::IntegerOverflow("size"))
}

/// 8-bit RGB, or RGBA when the picture has transparency: what every encoder here takes.
fn to_8bit(img: DynamicImage) -> DynamicImage {
    match img {
        DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_) => img,
        i if i.color().has_alpha() => DynamicImage::ImageRgba8(i.to_rgba8()),
        i => DynamicImage::ImageRgb8(i.to_rgb8()),
    }
}

/// Lanczos3 to exactly `w`×`h` (alpha premultiplied while filtering). The resizer is built with
/// RGBA8 alone (`only_u8x4`: its kernels for a dozen other pixel types were 3.5 MB of every
/// binary); an opaque picture is filtered as RGBA without the alpha step and comes back as RGB.
fn resize(img: &DynamicImage, w: u32, h: u32) -> Result<DynamicImage> {
    let opaque = !img.color().has_alpha();
    let src = DynamicImage::ImageRgba8(img.to_rgba8());
    let mut dst = DynamicImage::new_rgba8(w.max(1), h.max(1));
    Resizer::new()
        .resize(
            &src,
            &mut dst,
            &ResizeOptions::new()
                .resize_alg(ResizeAlg::Convolution(
                    fast_image_resize::FilterType::Lanczos3,
                ))
                .use_alpha(!opaque),
        )
        .map_err(|e| failed(msg!("the image could not be resized"), e))?;
    Ok(if opaque {
        DynamicImage::ImageRgb8(dst.to_rgb8())
    } else {
        dst
    })
}

/// Decode and encode again as `to` at `quality`, orientation applied (the re-encode the prepare
/// stage does, on its own: for the benchmark).
pub fn reencode(bytes: &[u8], to: ImageKind, quality: u8) -> Result<Vec<u8>> {
    let (img, icc) = decode(bytes)?;
    encode(&to_8bit(img), to, quality, icc.as_deref())
}

/// The largest size within `mw`×`mh` (0: no limit) with the aspect kept; never larger.
fn fit_within((w, h): (u32, u32), mw: u32, mh: u32) -> (u32, u32) {
    let sx = if mw > 0 && w > mw {
        mw as f64 / w as f64
    } else {
        1.0
    };
    let sy = if mh > 0 && h > mh {
        mh as f64 / h as f64
    } else {
        1.0
    };
    let s = sx.min(sy);
    if s >= 1.0 {
        return (w, h);
    }
    (
        ((w as f64 * s).round() as u32).max(1),
        ((h as f64 * s).round() as u32).max(1),
    )
}

fn reencoded(
    kind: ImageKind,
    bytes: &[u8],
    target: Option<ImageKind>,
    o: &Options,
) -> Result<Done> {
    let (img, icc) = decode(bytes)?;
    let mut img = to_8bit(img);
    let original = (img.width(), img.height());
    let alpha = img.color().has_alpha();
    // Keep the format when it can be written; else transparency goes to PNG, the rest to JPEG.
    let out_kind = target.unwrap_or(match kind {
        ImageKind::Jpeg | ImageKind::Png | ImageKind::Webp => kind,
        _ if alpha => ImageKind::Png,
        _ => ImageKind::Jpeg,
    });
    let scaled = fit_within(original, o.max_width, o.max_height);
    if scaled != original {
        img = resize(&img, scaled.0, scaled.1)?;
    }
    if let Some(w) = &o.watermark {
        img = watermark(img, w)?;
    }
    let mut quality = o.quality.clamp(1, 100);
    let mut out = encode(&img, out_kind, quality, icc.as_deref())?;
    // Over the host's limit: lower the quality first (lossy formats), then make the picture
    // smaller, until it fits (the caller refuses it, in words, if it still does not).
    let fitted = o.fit_limit.filter(|l| bytes.len() as u64 > *l);
    if let Some(limit) = fitted {
        let mut steps = 0;
        while out.len() as u64 > limit && steps < 16 {
            steps += 1;
            if out_kind != ImageKind::Png && quality > 50 {
                quality = quality.saturating_sub(10).max(50);
            } else {
                let (w, h) = (img.width(), img.height());
                img = resize(&img, (w * 4 / 5).max(1), (h * 4 / 5).max(1))?;
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
        watermarked: o.watermark.is_some(),
    })
}

/// The picture with no transparency: flattened on white, as a browser shows it.
fn on_white(img: &DynamicImage) -> Cow<'_, image::RgbImage> {
    match img {
        DynamicImage::ImageRgb8(rgb) => return Cow::Borrowed(rgb),
        i if !i.color().has_alpha() => return Cow::Owned(i.to_rgb8()),
        _ => {}
    }
    let rgba = img.to_rgba8();
    Cow::Owned(image::RgbImage::from_fn(
        img.width(),
        img.height(),
        |x, y| {
            let s = rgba.get_pixel(x, y);
            let a = u16::from(s[3]);
            let blend = |c: u8| ((u16::from(c) * a + 255 * (255 - a)) / 255) as u8;
            image::Rgb([blend(s[0]), blend(s[1]), blend(s[2])])
        },
    ))
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
        ImageKind::Webp => return webp(img, quality, icc),
        ImageKind::Avif => {
            // Speed 8 of 10: rav1e's good trade for stills; the profile is not carried.
            let e = image::codecs::avif::AvifEncoder::new_with_speed_quality(&mut out, 8, quality);
            to_8bit(img.clone()).write_with_encoder(e)
        }
        _ => return jpeg(&on_white(img), quality, icc),
    };
    result.map_err(|e| failed(msg!("the image could not be encoded"), e))?;
    Ok(out)
}

/// JPEG through libjpeg-turbo (4:2:0 chroma, as cameras write photos), the colour profile in
/// APP2 segments after the header.
fn jpeg(rgb: &image::RgbImage, quality: u8, icc: Option<&[u8]>) -> Result<Vec<u8>> {
    let (w, h) = rgb.dimensions();
    if w > 65_535 || h > 65_535 {
        return Err(Error::Input(msg!(
            "the image is {w}×{h}; JPEG holds at most 65535×65535 (set a largest size)"
        )));
    }
    let encoded = (|| {
        let mut c = turbojpeg::Compressor::new()?;
        c.set_quality(i32::from(quality));
        c.set_subsamp(turbojpeg::Subsamp::Sub2x2);
        c.compress_to_vec(turbojpeg::Image {
            pixels: rgb.as_raw().as_slice(),
            width: w as usize,
            pitch: 3 * w as usize,
            height: h as usize,
            format: turbojpeg::PixelFormat::RGB,
        })
    })()
    .map_err(|e| failed(msg!("the image could not be encoded as JPEG"), e))?;
    Ok(match icc {
        Some(icc) => with_icc_app2(encoded, icc),
        None => encoded,
    })
}

/// A JPEG with an ICC profile in `ICC_PROFILE` APP2 segments (split at 65,519 bytes, as the
/// ICC specification says), put after SOI and a JFIF APP0.
fn with_icc_app2(jpeg: Vec<u8>, icc: &[u8]) -> Vec<u8> {
    const CHUNK: usize = 65_519;
    let chunks: Vec<&[u8]> = icc.chunks(CHUNK).collect();
    if jpeg.len() < 4 || jpeg[..2] != [0xFF, 0xD8] || chunks.is_empty() || chunks.len() > 255 {
        return jpeg;
    }
    // After SOI, and after APP0 (JFIF) when it comes first.
    let mut at = 2;
    if jpeg[2..4] == [0xFF, 0xE0] && jpeg.len() >= 6 {
        at += 2 + usize::from(u16::from_be_bytes([jpeg[4], jpeg[5]]));
    }
    let mut out = Vec::with_capacity(jpeg.len() + icc.len() + 18 * chunks.len());
    out.extend_from_slice(&jpeg[..at]);
    for (i, c) in chunks.iter().enumerate() {
        out.extend_from_slice(&[0xFF, 0xE2]);
        out.extend_from_slice(&((2 + 14 + c.len()) as u16).to_be_bytes());
        out.extend_from_slice(b"ICC_PROFILE\0");
        out.push(i as u8 + 1);
        out.push(chunks.len() as u8);
        out.extend_from_slice(c);
    }
    out.extend_from_slice(&jpeg[at..]);
    out
}

/// An animated GIF or APNG as an animated WebP (libwebp's animation encoder), every frame and
/// its delay kept, looping forever.
fn animated_webp(header: &Header, bytes: &[u8], quality: u8) -> Result<Vec<u8>> {
    use image::AnimationDecoder;
    // Every frame is decoded at the canvas's size and held until the WebP is written.
    let all = header.pixels().saturating_mul(u64::from(header.frames));
    if header.pixels() > MAX_DECODE_PIXELS || all > MAX_ANIMATION_PIXELS {
        return Err(Error::Input(msg!(
            "the animation is {} frames of {}×{} ({} in all): too large to convert here (at most {}); send it as it is",
            header.frames,
            header.width,
            header.height,
            megapixels(all),
            megapixels(MAX_ANIMATION_PIXELS)
        )));
    }
    let frames = match header.kind {
        ImageKind::Gif => image::codecs::gif::GifDecoder::new(Cursor::new(bytes))
            .and_then(|d| d.into_frames().collect_frames()),
        ImageKind::Png => image::codecs::png::PngDecoder::new(Cursor::new(bytes))
            .and_then(|d| d.apng())
            .and_then(|d| d.into_frames().collect_frames()),
        _ => {
            return Err(failed_because(
                msg!("the image could not be converted"),
                msg!("only GIF and APNG animations are converted"),
            ))
        }
    }
    .map_err(|e| failed(msg!("the image could not be decoded"), e))?;
    let Some(first) = frames.first() else {
        return Err(failed_because(
            msg!("the image could not be decoded"),
            msg!("the animation has no frames"),
        ));
    };
    let (w, h) = first.buffer().dimensions();
    let mut config = webp::WebPConfig::new()
        .map_err(|()| failed(msg!("the image could not be encoded"), "libwebp"))?;
    config.quality = f32::from(quality);
    let mut encoder = webp::AnimEncoder::new(w, h, &config);
    encoder.set_loop_count(0);
    let mut at = 0i32;
    for f in &frames {
        if f.buffer().dimensions() != (w, h) {
            return Err(failed_because(
                msg!("the image could not be converted"),
                msg!("its frames differ in size"),
            ));
        }
        encoder.add_frame(webp::AnimFrame::from_rgba(f.buffer().as_raw(), w, h, at));
        let (n, d) = f.delay().numer_denom_ms();
        at += (n / d.max(1)).max(10) as i32;
    }
    let out = encoder.try_encode().map_err(|e| {
        failed(
            msg!("the image could not be encoded as WebP"),
            format!("{e:?}"),
        )
    })?;
    Ok(out.to_vec())
}

/// libwebp's effort for uploads (its default) and for thumbnails (the cheapest that stays sharp
/// at tile size: a thumbnail is never looked at closely, and is made for every upload).
const WEBP_METHOD: i32 = 4;
const THUMBNAIL_WEBP_METHOD: i32 = 0;

/// Lossy WebP through libwebp at `WEBP_METHOD`, with the colour profile in an `ICCP` chunk.
fn webp(img: &DynamicImage, quality: u8, icc: Option<&[u8]>) -> Result<Vec<u8>> {
    webp_with(img, quality, icc, WEBP_METHOD)
}

fn webp_with(img: &DynamicImage, quality: u8, icc: Option<&[u8]>, method: i32) -> Result<Vec<u8>> {
    let img = to_8bit(img.clone());
    let (w, h) = (img.width(), img.height());
    if w > 16383 || h > 16383 {
        return Err(Error::Input(msg!(
            "the image is {w}×{h}; WebP holds at most 16383×16383 (set a largest size)"
        )));
    }
    let encoder = match &img {
        DynamicImage::ImageRgba8(i) => webp::Encoder::from_rgba(i.as_raw(), w, h),
        DynamicImage::ImageRgb8(i) => webp::Encoder::from_rgb(i.as_raw(), w, h),
        _ => unreachable!("to_8bit gives RGB8 or RGBA8"),
    };
    let mut config = webp::WebPConfig::new()
        .map_err(|()| failed(msg!("the image could not be encoded"), "libwebp"))?;
    config.quality = f32::from(quality);
    config.method = method;
    let out = encoder
        .encode_advanced(&config)
        .map_err(|e| {
            failed(
                msg!("the image could not be encoded as WebP"),
                format!("{e:?}"),
            )
        })?
        .to_vec();
    Ok(match icc {
        Some(icc) => with_iccp(out, icc, w, h),
        None => out,
    })
}

/// A WebP file with an `ICCP` chunk added (the extended `VP8X` header made or flagged).
fn with_iccp(webp: Vec<u8>, icc: &[u8], w: u32, h: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, tag: &[u8], data: &[u8]) {
        out.extend_from_slice(tag);
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(data);
        if data.len() % 2 == 1 {
            out.push(0);
        }
    }
    if webp.len() < 20 || &webp[..4] != b"RIFF" || &webp[8..12] != b"WEBP" {
        return webp;
    }
    let body = &webp[12..];
    let mut out = Vec::with_capacity(webp.len() + icc.len() + 40);
    out.extend_from_slice(b"RIFF\0\0\0\0WEBP");
    let rest = if &body[..4] == b"VP8X" && body.len() >= 18 {
        let mut vp8x = body[8..18].to_vec();
        vp8x[0] |= 0x20;
        chunk(&mut out, b"VP8X", &vp8x);
        &body[18..]
    } else {
        let mut vp8x = vec![0x20u8, 0, 0, 0];
        vp8x.extend_from_slice(&(w - 1).to_le_bytes()[..3]);
        vp8x.extend_from_slice(&(h - 1).to_le_bytes()[..3]);
        chunk(&mut out, b"VP8X", &vp8x);
        body
    };
    chunk(&mut out, b"ICCP", icc);
    out.extend_from_slice(rest);
    let size = (out.len() - 8) as u32;
    out[4..8].copy_from_slice(&size.to_le_bytes());
    out
}

/// The font a watermark is drawn with: the chosen file, else the bundled one.
fn font_data(path: &str) -> Result<Cow<'static, [u8]>> {
    if path.trim().is_empty() {
        return Ok(Cow::Borrowed(BUNDLED_FONT));
    }
    let data = std::fs::read(path)
        .map_err(|e| Error::Input(msg!("the watermark font {path:?} cannot be read: {e}")))?;
    FontRef::try_from_slice(&data).map_err(|_| {
        Error::Input(msg!(
            "the watermark font {path:?} is not a TrueType or OpenType font"
        ))
    })?;
    Ok(Cow::Owned(data))
}

/// Check a watermark's settings before anything is sent: the font can be read and has every
/// letter of the text.
pub fn check_watermark(w: &Watermark) -> Result<()> {
    let data = font_data(&w.font)?;
    let font = FontRef::try_from_slice(&data)
        .map_err(|_| Error::Input(msg!("the watermark font cannot be read")))?;
    let missing: String = w
        .text
        .chars()
        .filter(|c| !c.is_whitespace() && font.glyph_id(*c).0 == 0)
        .collect();
    if !missing.is_empty() {
        let which = if w.font.trim().is_empty() {
            msg!("the bundled font (DejaVu Sans)")
        } else {
            msg!("the font {font:?}", font = w.font)
        };
        return Err(Error::Input(msg!(
            "{which} has no letters for {missing:?} in the watermark text; choose a font that has them (watermark_font)"
        )));
    }
    Ok(())
}

/// Draw the text at its place: white, with a soft dark shadow so it reads on any picture,
/// its height a 20th of the picture's smaller side (narrowed to fit the width).
fn watermark(img: DynamicImage, w: &Watermark) -> Result<DynamicImage> {
    check_watermark(w)?;
    let data = font_data(&w.font)?;
    let font = FontRef::try_from_slice(&data)
        .map_err(|_| Error::Input(msg!("the watermark font cannot be read")))?;
    let had_alpha = img.color().has_alpha();
    let mut canvas = img.to_rgba8();
    let (iw, ih) = canvas.dimensions();
    let width_at = |px: f32| {
        let f = font.as_scaled(PxScale::from(px));
        let mut x = 0.0;
        let mut prev = None;
        for c in w.text.chars() {
            let id = f.glyph_id(c);
            if let Some(p) = prev {
                x += f.kern(p, id);
            }
            x += f.h_advance(id);
            prev = Some(id);
        }
        x
    };
    let mut px = (iw.min(ih) as f32 / 20.0).max(10.0);
    let margin = (px * 0.6).max(4.0);
    let room = iw as f32 - 2.0 * margin;
    let wide = width_at(px);
    if wide > room && wide > 0.0 {
        px = (px * room / wide).max(6.0);
    }
    let f = font.as_scaled(PxScale::from(px));
    let (tw, th) = (width_at(px), f.height());
    let x0 = match w.position {
        Position::TopLeft | Position::BottomLeft => margin,
        Position::TopRight | Position::BottomRight => iw as f32 - margin - tw,
        Position::Center => (iw as f32 - tw) / 2.0,
    };
    let y0 = match w.position {
        Position::TopLeft | Position::TopRight => margin,
        Position::BottomLeft | Position::BottomRight => ih as f32 - margin - th,
        Position::Center => (ih as f32 - th) / 2.0,
    };
    let alpha = f32::from(w.opacity.clamp(1, 100)) / 100.0;
    let shadow = (px / 24.0).max(1.0);
    for (dx, colour, strength) in [(shadow, [0u8, 0, 0], 0.6), (0.0, [255, 255, 255], 1.0)] {
        let mut x = x0 + dx;
        let mut prev = None;
        for c in w.text.chars() {
            let id = f.glyph_id(c);
            if let Some(p) = prev {
                x += f.kern(p, id);
            }
            let glyph = id.with_scale_and_position(px, ab_glyph::point(x, y0 + dx + f.ascent()));
            x += f.h_advance(id);
            prev = Some(id);
            let Some(outline) = font.outline_glyph(glyph) else {
                continue;
            };
            let b = outline.px_bounds();
            outline.draw(|gx, gy, coverage| {
                let (px_x, px_y) = (b.min.x as i64 + gx as i64, b.min.y as i64 + gy as i64);
                if px_x < 0 || px_y < 0 || px_x >= iw as i64 || px_y >= ih as i64 {
                    return;
                }
                let a = (coverage * alpha * strength).clamp(0.0, 1.0);
                let p = canvas.get_pixel_mut(px_x as u32, px_y as u32);
                // "Over": the text on top of what is there, transparency included.
                let da = f32::from(p[3]) / 255.0;
                let oa = a + da * (1.0 - a);
                if oa > 0.0 {
                    for i in 0..3 {
                        let v = (f32::from(colour[i]) * a + f32::from(p[i]) * da * (1.0 - a)) / oa;
                        p[i] = v.round() as u8;
                    }
                }
                p[3] = (oa * 255.0).round() as u8;
            });
        }
    }
    Ok(if had_alpha {
        DynamicImage::ImageRgba8(canvas)
    } else {
        DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(canvas).to_rgb8())
    })
}

/// The album's thumbnail of an image: at most `edge`×`edge` (aspect kept, never enlarged),
/// orientation applied, WebP. JPEGs are decoded at the smallest scale (1/8 …) still larger than
/// the thumbnail (shrink-on-load), so a 12-megapixel photo is never decoded whole. Animated
/// images give their first frame.
pub fn thumbnail(bytes: &[u8], edge: u32) -> Result<Vec<u8>> {
    let header = crate::image::header(bytes)?;
    let img = match header.kind {
        ImageKind::Jpeg => {
            // The thumbnail's size, with the sides swapped if the orientation turns it.
            let (fw, fh) = fit_within((header.width, header.height), edge, edge);
            decode_at_least(bytes, Some((fw.max(fh), fw.max(fh))))?.0
        }
        k if decodable(k) => decode(bytes)?.0,
        k => {
            return Err(Error::Input(msg!(
                "no thumbnail is made of {} images",
                k.label()
            )))
        }
    };
    let img = to_8bit(img);
    let (w, h) = fit_within((img.width(), img.height()), edge, edge);
    let small = if (w, h) == (img.width(), img.height()) {
        img
    } else {
        resize(&img, w, h)?
    };
    webp_with(&small, 75, None, THUMBNAIL_WEBP_METHOD)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::codecs::jpeg::JpegEncoder;
    use image::GenericImageView;

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
            watermark: None,
        }
    }

    #[test]
    fn a_header_claiming_gigapixels_is_refused_before_decoding() {
        use pixdrop_standin::bombs;
        let bombs = [
            (bombs::png(bombs::SIDE), ImageKind::Png),
            (bombs::jpeg(), ImageKind::Jpeg),
            (bombs::webp(), ImageKind::Webp),
            (bombs::gif(), ImageKind::Gif),
        ];
        for (bytes, kind) in &bombs {
            // Sent as it is: nothing asked needs decoding.
            let sent = run(*kind, bytes, &opts()).unwrap();
            assert!(sent.is_none_or(|d| d.kind == *kind), "{kind:?}");
            // A conversion would decode it whole: refused in words.
            for to in [ConvertTo::Webp, ConvertTo::Jpeg, ConvertTo::Png] {
                let o = Options {
                    convert_to: to,
                    ..opts()
                };
                match run(*kind, bytes, &o) {
                    Err(e) => assert!(
                        e.to_string().contains("40000×40000")
                            && e.to_string().contains("too large"),
                        "{kind:?}: {e}"
                    ),
                    // Already the format asked for: sent as it is.
                    Ok(None) => assert_eq!(to.kind(), Some(*kind)),
                    Ok(Some(_)) => panic!("{kind:?} → {to:?} was decoded"),
                }
            }
        }
        // No thumbnail: a JPEG at 1/8 scale would fit the budget (5000×5000), but libjpeg-turbo
        // finds its data short, and decoding it whole is refused like the others.
        for (bytes, kind) in &bombs[..] {
            let e = thumbnail(bytes, 320).unwrap_err().to_string();
            assert!(e.contains("too large to decode"), "{kind:?}: {e}");
        }
    }

    #[test]
    fn an_animation_too_large_to_hold_is_refused_before_decoding() {
        let header = Header {
            kind: ImageKind::Gif,
            width: 2000,
            height: 2000,
            frames: 40,
            animated: true,
        };
        let e = animated_webp(&header, b"GIF89a", 80)
            .unwrap_err()
            .to_string();
        assert!(e.contains("40 frames of 2000×2000"), "{e}");
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
        // To WebP, which keeps animations: every frame and its delay.
        let o = Options {
            convert_to: ConvertTo::Webp,
            ..opts()
        };
        let d = run(ImageKind::Gif, &gif(3), &o).unwrap().unwrap();
        assert_eq!(d.kind, ImageKind::Webp);
        use image::AnimationDecoder;
        let frames = image::codecs::webp::WebPDecoder::new(Cursor::new(&d.bytes))
            .unwrap()
            .into_frames()
            .collect_frames()
            .unwrap();
        assert_eq!(frames.len(), 3);
        let red: Vec<u8> = frames
            .iter()
            .map(|f| f.buffer().get_pixel(1, 1)[0])
            .collect();
        assert!(
            red[0] < 20 && (50..70).contains(&red[1]) && (110..130).contains(&red[2]),
            "{red:?}"
        );
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

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
        });
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(&img)
            .unwrap();
        out
    }

    #[test]
    fn convert_to_webp_and_avif() {
        for (to, kind) in [
            (ConvertTo::Webp, ImageKind::Webp),
            (ConvertTo::Avif, ImageKind::Avif),
        ] {
            let o = Options {
                convert_to: to,
                ..opts()
            };
            let d = run(ImageKind::Jpeg, &jpeg(64, 48), &o).unwrap().unwrap();
            assert_eq!(d.kind, kind);
            assert_eq!(crate::image::sniff(&d.bytes), Some(kind), "{to:?}");
            assert_eq!(crate::image::dimensions(&d.bytes), Some((64, 48)), "{to:?}");
        }
    }

    #[test]
    fn webp_keeps_the_colour_profile() {
        let icc = b"a fake but carried ICC profile!".to_vec();
        let img = to_8bit(image::load_from_memory(&png(20, 10)).unwrap());
        let out = webp(&img, 80, Some(&icc)).unwrap();
        // libwebp reads it back: a valid file with the profile in it.
        let mut d = image::codecs::webp::WebPDecoder::new(Cursor::new(&out)).unwrap();
        assert_eq!(d.icc_profile().unwrap(), Some(icc));
        assert_eq!(d.dimensions(), (20, 10));
        let mut buf = vec![0; d.total_bytes() as usize];
        d.read_image(&mut buf).unwrap();
    }

    #[test]
    fn jpeg_keeps_the_colour_profile_even_a_large_one() {
        let rgb =
            image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([x as u8 * 6, y as u8 * 8, 50]));
        for icc in [
            b"a small profile".to_vec(),
            (0..150_000u32).map(|i| (i % 251) as u8).collect(),
        ] {
            let out = super::jpeg(&rgb, 80, Some(&icc)).unwrap();
            let mut d = image::codecs::jpeg::JpegDecoder::new(Cursor::new(&out)).unwrap();
            assert_eq!(d.icc_profile().unwrap(), Some(icc));
            assert_eq!(d.dimensions(), (40, 30));
        }
        // Decoded back by libjpeg-turbo, at full and at reduced scale.
        let out = super::jpeg(&rgb, 90, None).unwrap();
        assert_eq!(turbo_decode(&out, None).unwrap().dimensions(), (40, 30));
        assert_eq!(
            turbo_decode(&out, Some((10, 8))).unwrap().dimensions(),
            (10, 8)
        );
    }

    #[test]
    fn a_watermark_is_drawn_where_asked_and_only_there() {
        let plain = image::RgbImage::from_pixel(400, 300, image::Rgb([40, 40, 40]));
        let mut bytes = Vec::new();
        DynamicImage::ImageRgb8(plain)
            .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
            .unwrap();
        let o = Options {
            watermark: Some(Watermark {
                text: "pixdrop.example".into(),
                position: Position::BottomRight,
                opacity: 100,
                font: String::new(),
            }),
            ..opts()
        };
        let d = run(ImageKind::Png, &bytes, &o).unwrap().unwrap();
        assert!(d.watermarked);
        assert_eq!(d.kind, ImageKind::Png);
        let out = image::load_from_memory(&d.bytes).unwrap();
        assert!(!out.color().has_alpha(), "an opaque picture stays opaque");
        let out = out.to_rgb8();
        let bright = |x0: u32, y0: u32, x1: u32, y1: u32| {
            (x0..x1)
                .flat_map(|x| (y0..y1).map(move |y| (x, y)))
                .filter(|&(x, y)| out.get_pixel(x, y)[0] > 200)
                .count()
        };
        assert!(
            bright(200, 250, 400, 300) > 50,
            "text in the bottom-right corner"
        );
        assert_eq!(bright(0, 0, 200, 150), 0, "nothing drawn elsewhere");
    }

    #[test]
    fn a_watermark_the_font_cannot_write_is_refused_in_words() {
        let w = Watermark {
            text: "图床 ok".into(),
            position: Position::Center,
            opacity: 50,
            font: String::new(),
        };
        let e = check_watermark(&w).unwrap_err().to_string();
        assert!(e.contains("图床") && e.contains("watermark_font"), "{e}");
        let e = check_watermark(&Watermark {
            font: "/nonexistent/font.ttf".into(),
            ..w.clone()
        })
        .unwrap_err()
        .to_string();
        assert!(e.contains("/nonexistent/font.ttf"), "{e}");
    }

    #[test]
    fn thumbnails_are_small_webps_the_right_way_up() {
        // A 1200×800 JPEG, decoded at a reduced scale, gives a 320×213 WebP.
        let t = thumbnail(&jpeg(1200, 800), 320).unwrap();
        assert_eq!(crate::image::sniff(&t), Some(ImageKind::Webp));
        assert_eq!(crate::image::dimensions(&t), Some((320, 213)));
        // A small PNG is not enlarged.
        let t = thumbnail(&png(40, 20), 320).unwrap();
        assert_eq!(crate::image::dimensions(&t), Some((40, 20)));
        assert!(thumbnail(b"not an image", 320).is_err());
    }
}
