//! Removing what a photo says about where and how it was taken, without touching its pixels.
//!
//! JPEG, PNG and WebP are rewritten segment by segment (chunk by chunk): EXIF (GPS position,
//! camera make and model, times, the embedded thumbnail), XMP, IPTC, comments and text chunks
//! go; the image data is copied byte for byte, so nothing is re-encoded and the pixels are
//! exactly the original's. The colour profile (ICC) stays, and so does the EXIF orientation —
//! as the only tag left — so the picture never turns. Animated images (APNG, animated WebP) and
//! other formats pass through untouched.

use crate::image::ImageKind;

/// What [`strip`] removed, and the bytes without it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stripped {
    pub bytes: Vec<u8>,
    /// What went, in words: "EXIF", "GPS", "XMP", "IPTC", "comments", "text", "thumbnail".
    pub removed: Vec<&'static str>,
}

/// The image without its metadata; `None` when it has none to remove, is animated, is
/// malformed, or is of a kind this does not rewrite (the bytes are then sent as they are).
pub fn strip(kind: ImageKind, bytes: &[u8]) -> Option<Stripped> {
    let out = match kind {
        ImageKind::Jpeg => jpeg(bytes),
        ImageKind::Png => png(bytes),
        ImageKind::Webp => webp(bytes),
        _ => None,
    }?;
    (!out.removed.is_empty()).then_some(out)
}

fn note(removed: &mut Vec<&'static str>, what: &'static str) {
    if !removed.contains(&what) {
        removed.push(what);
    }
}

/// What an EXIF block holds worth naming: GPS (the GPS IFD pointer) and a thumbnail (IFD1).
fn describe_exif(tiff: &[u8], removed: &mut Vec<&'static str>) {
    note(removed, "EXIF");
    let Some(t) = Tiff::new(tiff) else { return };
    if t.ifd0_tag(0x8825).is_some() {
        note(removed, "GPS");
    }
    if t.next_ifd().is_some_and(|o| o != 0) {
        note(removed, "thumbnail");
    }
}

/// A TIFF structure (the body of EXIF), read only as far as needed.
struct Tiff<'a> {
    b: &'a [u8],
    big: bool,
    ifd0: usize,
}

impl<'a> Tiff<'a> {
    fn new(b: &'a [u8]) -> Option<Self> {
        let big = match b.get(..4)? {
            b"MM\0*" => true,
            b"II*\0" => false,
            _ => return None,
        };
        let t = Tiff { b, big, ifd0: 0 };
        let ifd0 = t.u32(4)? as usize;
        Some(Tiff { ifd0, ..t })
    }

    fn u16(&self, at: usize) -> Option<u16> {
        let s: [u8; 2] = self.b.get(at..at + 2)?.try_into().ok()?;
        Some(if self.big {
            u16::from_be_bytes(s)
        } else {
            u16::from_le_bytes(s)
        })
    }

    fn u32(&self, at: usize) -> Option<u32> {
        let s: [u8; 4] = self.b.get(at..at + 4)?.try_into().ok()?;
        Some(if self.big {
            u32::from_be_bytes(s)
        } else {
            u32::from_le_bytes(s)
        })
    }

    /// IFD0's entry for `tag`: (type, offset of its value field).
    fn ifd0_tag(&self, tag: u16) -> Option<(u16, usize)> {
        let n = self.u16(self.ifd0)? as usize;
        (0..n.min(512)).find_map(|i| {
            let e = self.ifd0 + 2 + i * 12;
            (self.u16(e)? == tag).then_some((self.u16(e + 2)?, e + 8))
        })
    }

    fn next_ifd(&self) -> Option<u32> {
        let n = self.u16(self.ifd0)? as usize;
        self.u32(self.ifd0 + 2 + n * 12)
    }

    /// The orientation (1–8), when IFD0 says one.
    fn orientation(&self) -> Option<u16> {
        let (ty, at) = self.ifd0_tag(0x0112)?;
        let v = match ty {
            3 => self.u16(at)?,
            4 => self.u32(at)? as u16,
            _ => return None,
        };
        (1..=8).contains(&v).then_some(v)
    }
}

/// Whether an EXIF block holds nothing but the orientation (what [`strip`] leaves): kept as is.
fn only_orientation(tiff: &[u8]) -> bool {
    Tiff::new(tiff).is_some_and(|t| {
        t.u16(t.ifd0) == Some(1) && t.ifd0_tag(0x0112).is_some() && t.next_ifd() == Some(0)
    })
}

/// The orientation an EXIF TIFF block holds, if not the upright 1.
fn turned(tiff: &[u8]) -> Option<u16> {
    Tiff::new(tiff)?.orientation().filter(|o| *o != 1)
}

/// A TIFF block with one tag: the orientation.
fn orientation_tiff(o: u16) -> Vec<u8> {
    let mut t = b"MM\0*\0\0\0\x08".to_vec();
    t.extend_from_slice(&1u16.to_be_bytes()); // one entry
    t.extend_from_slice(&0x0112u16.to_be_bytes());
    t.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    t.extend_from_slice(&1u32.to_be_bytes()); // one value
    t.extend_from_slice(&o.to_be_bytes());
    t.extend_from_slice(&[0, 0]);
    t.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    t
}

const EXIF_HEADER: &[u8] = b"Exif\0\0";

fn jpeg(b: &[u8]) -> Option<Stripped> {
    if b.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    let mut removed = Vec::new();
    let mut orientation = None;
    let mut i = 2;
    // Where the orientation goes: after JFIF (APP0), else first.
    let mut insert_at = 2;
    loop {
        // Markers may be padded with 0xFF bytes.
        while b.get(i) == Some(&0xFF) && b.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        if b.get(i) != Some(&0xFF) {
            return None;
        }
        let marker = *b.get(i + 1)?;
        // Start of scan (the image data, to the end) and end of image: copied as they are.
        if marker == 0xDA || marker == 0xD9 {
            out.extend_from_slice(&b[i..]);
            break;
        }
        // Markers without a length.
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            out.extend_from_slice(&b[i..i + 2]);
            i += 2;
            continue;
        }
        let len = u16::from_be_bytes([*b.get(i + 2)?, *b.get(i + 3)?]) as usize;
        if len < 2 {
            return None;
        }
        let seg = b.get(i..i + 2 + len)?;
        let body = &seg[4..];
        let keep = match marker {
            // APP0 (JFIF), APP14 (Adobe: how to decode the colours) stay.
            0xE0 | 0xEE => true,
            0xE1 if body.starts_with(EXIF_HEADER) && only_orientation(&body[6..]) => true,
            0xE1 if body.starts_with(EXIF_HEADER) => {
                let tiff = &body[EXIF_HEADER.len()..];
                describe_exif(tiff, &mut removed);
                orientation = orientation.or_else(|| turned(tiff));
                false
            }
            0xE1 => {
                note(&mut removed, "XMP");
                false
            }
            // APP2: the ICC profile stays; FlashPix and MPF (previews) go.
            0xE2 if body.starts_with(b"ICC_PROFILE\0") => true,
            0xED => {
                note(&mut removed, "IPTC");
                false
            }
            0xFE => {
                note(&mut removed, "comments");
                false
            }
            0xE2..=0xEF => {
                note(&mut removed, "maker data");
                false
            }
            // Tables, frame headers and the rest: the image needs them.
            _ => true,
        };
        if keep {
            out.extend_from_slice(seg);
            if marker == 0xE0 {
                insert_at = out.len();
            }
        }
        i += 2 + len;
    }
    if let Some(o) = orientation {
        let tiff = orientation_tiff(o);
        let mut seg = vec![0xFF, 0xE1];
        seg.extend_from_slice(&((2 + EXIF_HEADER.len() + tiff.len()) as u16).to_be_bytes());
        seg.extend_from_slice(EXIF_HEADER);
        seg.extend_from_slice(&tiff);
        out.splice(insert_at..insert_at, seg);
    }
    Some(Stripped {
        bytes: out,
        removed,
    })
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

fn png(b: &[u8]) -> Option<Stripped> {
    const SIG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if b.get(..8)? != SIG {
        return None;
    }
    let mut out = SIG.to_vec();
    let mut removed = Vec::new();
    let mut orientation = None;
    let mut i = 8;
    let mut after_ihdr = None;
    while i < b.len() {
        let len = u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?) as usize;
        let chunk = b.get(i..i + 12 + len)?;
        let kind = &chunk[4..8];
        let data = &chunk[8..8 + len];
        let keep = match kind {
            // Animated (APNG): left as it is.
            b"acTL" => return None,
            b"eXIf" if only_orientation(data) => true,
            b"eXIf" => {
                describe_exif(data, &mut removed);
                orientation = orientation.or_else(|| turned(data));
                false
            }
            b"tEXt" | b"zTXt" | b"iTXt" => {
                // XMP travels in an iTXt chunk of its own name.
                note(
                    &mut removed,
                    if data.starts_with(b"XML:com.adobe.xmp\0") {
                        "XMP"
                    } else {
                        "text"
                    },
                );
                false
            }
            b"tIME" => {
                note(&mut removed, "time");
                false
            }
            _ => true,
        };
        if keep {
            out.extend_from_slice(chunk);
            if kind == b"IHDR" {
                after_ihdr = Some(out.len());
            }
        }
        i += 12 + len;
        if kind == b"IEND" {
            break;
        }
    }
    if let Some(o) = orientation {
        let mut c = Vec::new();
        png_chunk(&mut c, b"eXIf", &orientation_tiff(o));
        let at = after_ihdr?;
        out.splice(at..at, c);
    }
    Some(Stripped {
        bytes: out,
        removed,
    })
}

fn webp(b: &[u8]) -> Option<Stripped> {
    if b.get(..4)? != b"RIFF" || b.get(8..12)? != b"WEBP" {
        return None;
    }
    let mut chunks: Vec<([u8; 4], &[u8])> = Vec::new();
    let mut i = 12;
    while i + 8 <= b.len() {
        let kind: [u8; 4] = b[i..i + 4].try_into().ok()?;
        let len = u32::from_le_bytes(b[i + 4..i + 8].try_into().ok()?) as usize;
        let data = b.get(i + 8..i + 8 + len)?;
        chunks.push((kind, data));
        i += 8 + len + (len & 1);
    }
    let mut removed = Vec::new();
    let mut orientation = None;
    let mut kept: Vec<([u8; 4], std::borrow::Cow<[u8]>)> = Vec::new();
    for (kind, data) in chunks {
        match &kind {
            b"ANIM" | b"ANMF" => return None,
            b"EXIF" if only_orientation(data.strip_prefix(EXIF_HEADER).unwrap_or(data)) => {
                kept.push((kind, data.into()))
            }
            b"EXIF" => {
                let tiff = data.strip_prefix(EXIF_HEADER).unwrap_or(data);
                describe_exif(tiff, &mut removed);
                orientation = orientation.or_else(|| turned(tiff));
            }
            b"XMP " => note(&mut removed, "XMP"),
            _ => kept.push((kind, data.into())),
        }
    }
    if removed.is_empty() {
        return None;
    }
    if let Some(o) = orientation {
        kept.push((*b"EXIF", orientation_tiff(o).into()));
    }
    // VP8X's flags say which chunks follow: EXIF (0x08) and XMP (0x04) as they are now.
    let has_exif = kept.iter().any(|(kind, _)| kind == b"EXIF");
    for (kind, data) in kept.iter_mut() {
        if kind == b"VP8X" && !data.is_empty() {
            let mut d = data.to_vec();
            d[0] &= !0x0C;
            if has_exif {
                d[0] |= 0x08;
            }
            *data = d.into();
        }
    }
    let mut body = b"WEBP".to_vec();
    for (kind, data) in &kept {
        body.extend_from_slice(kind);
        body.extend_from_slice(&(data.len() as u32).to_le_bytes());
        body.extend_from_slice(data);
        if data.len() & 1 == 1 {
            body.push(0);
        }
    }
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    Some(Stripped {
        bytes: out,
        removed,
    })
}

fn crc32(data: &[u8]) -> u32 {
    // PNG's CRC is zlib's, which flate2 (already a dependency) computes.
    let mut crc = flate2::Crc::new();
    crc.update(data);
    crc.sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exif_with(orientation: u16, gps: bool) -> Vec<u8> {
        // Little-endian TIFF, IFD0 with Make, Orientation and (optionally) a GPS pointer.
        let mut t = b"II*\0\x08\0\0\0".to_vec();
        let n: u16 = if gps { 3 } else { 2 };
        t.extend_from_slice(&n.to_le_bytes());
        let mut entry = |tag: u16, ty: u16, count: u32, value: [u8; 4]| {
            t.extend_from_slice(&tag.to_le_bytes());
            t.extend_from_slice(&ty.to_le_bytes());
            t.extend_from_slice(&count.to_le_bytes());
            t.extend_from_slice(&value);
        };
        entry(0x010F, 2, 4, *b"Cam\0");
        let o = orientation.to_le_bytes();
        entry(0x0112, 3, 1, [o[0], o[1], 0, 0]);
        if gps {
            entry(0x8825, 4, 1, 0u32.to_le_bytes());
        }
        t.extend_from_slice(&0u32.to_le_bytes());
        t
    }

    fn jpeg_with(segments: &[(u8, Vec<u8>)]) -> Vec<u8> {
        let mut j = vec![0xFF, 0xD8];
        for (m, body) in segments {
            j.extend_from_slice(&[0xFF, *m]);
            j.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
            j.extend_from_slice(body);
        }
        // A scan: its header, then entropy-coded bytes with a stuffed 0xFF00, then EOI.
        j.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0, 0x12, 0xFF, 0x00, 0x34]);
        j.extend_from_slice(&[0xFF, 0xD9]);
        j
    }

    #[test]
    fn jpeg_keeps_pixels_icc_and_orientation_only() {
        let mut exif = EXIF_HEADER.to_vec();
        exif.extend(exif_with(6, true));
        let icc = b"ICC_PROFILE\0\x01\x01profile".to_vec();
        let src = jpeg_with(&[
            (0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0".to_vec()),
            (0xE1, exif),
            (0xE1, b"http://ns.adobe.com/xap/1.0/\0<x/>".to_vec()),
            (0xE2, icc.clone()),
            (0xED, b"Photoshop 3.0\0".to_vec()),
            (0xFE, b"taken at home".to_vec()),
            (0xDB, vec![0; 65]),
        ]);
        let s = strip(ImageKind::Jpeg, &src).unwrap();
        assert_eq!(s.removed, ["EXIF", "GPS", "XMP", "IPTC", "comments"]);
        let out = &s.bytes;
        // The scan is byte for byte the original's.
        let scan = |b: &[u8]| b[b.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap()..].to_vec();
        assert_eq!(scan(out), scan(&src));
        assert!(out.windows(icc.len()).any(|w| w == icc));
        assert!(!out.windows(3).any(|w| w == b"Cam"));
        assert!(!out.windows(9).any(|w| w == b"Photoshop"));
        // The orientation is the one tag left, right after JFIF.
        let app1 = out.windows(6).position(|w| w == EXIF_HEADER).unwrap();
        let tiff = &out[app1 + 6..];
        assert_eq!(Tiff::new(tiff).unwrap().orientation(), Some(6));
        assert_eq!(Tiff::new(tiff).unwrap().ifd0_tag(0x010F), None);
        // Stripping again finds nothing more to remove.
        assert_eq!(strip(ImageKind::Jpeg, out), None);
    }

    #[test]
    fn upright_photos_keep_no_exif_and_clean_ones_are_left_alone() {
        let mut exif = EXIF_HEADER.to_vec();
        exif.extend(exif_with(1, false));
        let s = strip(ImageKind::Jpeg, &jpeg_with(&[(0xE1, exif)])).unwrap();
        assert!(!s.bytes.windows(6).any(|w| w == EXIF_HEADER));
        let clean = jpeg_with(&[(0xDB, vec![0; 65])]);
        assert_eq!(strip(ImageKind::Jpeg, &clean), None);
        // Broken input is sent as it is.
        assert_eq!(strip(ImageKind::Jpeg, &clean[..10]), None);
        assert_eq!(strip(ImageKind::Gif, b"GIF89a"), None);
    }

    #[test]
    fn png_text_and_exif_go_apng_stays() {
        let mut src = b"\x89PNG\r\n\x1a\n".to_vec();
        png_chunk(&mut src, b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
        png_chunk(&mut src, b"iCCP", b"icc\0\0data");
        png_chunk(&mut src, b"eXIf", &exif_with(8, true));
        png_chunk(&mut src, b"tEXt", b"Comment\0secret place");
        png_chunk(&mut src, b"IDAT", b"pixels");
        png_chunk(&mut src, b"IEND", b"");
        let s = strip(ImageKind::Png, &src).unwrap();
        assert_eq!(s.removed, ["EXIF", "GPS", "text"]);
        let out = &s.bytes;
        assert!(out.windows(4).any(|w| w == b"iCCP"));
        assert!(!out.windows(12).any(|w| w == b"secret place"));
        let at = out.windows(4).position(|w| w == b"eXIf").unwrap();
        assert_eq!(Tiff::new(&out[at + 4..]).unwrap().orientation(), Some(8));
        // Every chunk's CRC is right: decoding it with the png crate works.
        let decoder = ::png::Decoder::new(std::io::Cursor::new(out.clone()));
        assert!(decoder.read_info().is_ok());
        let mut apng = src.clone();
        apng.splice(33..33, {
            let mut c = Vec::new();
            png_chunk(&mut c, b"acTL", &[0, 0, 0, 2, 0, 0, 0, 0]);
            c
        });
        assert_eq!(strip(ImageKind::Png, &apng), None);
    }

    #[test]
    fn webp_exif_and_xmp_go_with_their_flags() {
        let chunk = |kind: &[u8; 4], data: &[u8]| {
            let mut c = kind.to_vec();
            c.extend_from_slice(&(data.len() as u32).to_le_bytes());
            c.extend_from_slice(data);
            if data.len() % 2 == 1 {
                c.push(0);
            }
            c
        };
        let mut body = b"WEBP".to_vec();
        body.extend(chunk(b"VP8X", &[0x2C, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        body.extend(chunk(b"ICCP", b"icc"));
        body.extend(chunk(b"VP8L", b"\x2f\0\0\0\0"));
        body.extend(chunk(b"EXIF", &exif_with(3, false)));
        body.extend(chunk(b"XMP ", b"<x/>"));
        let mut src = b"RIFF".to_vec();
        src.extend_from_slice(&(body.len() as u32).to_le_bytes());
        src.extend(body);
        let s = strip(ImageKind::Webp, &src).unwrap();
        assert_eq!(s.removed, ["EXIF", "XMP"]);
        let out = &s.bytes;
        assert_eq!(
            u32::from_le_bytes(out[4..8].try_into().unwrap()) as usize,
            out.len() - 8
        );
        // ICC (0x20) stays flagged, XMP (0x04) not, EXIF (0x08) for the orientation kept.
        assert_eq!(out[20], 0x28);
        assert!(!out.windows(4).any(|w| w == b"XMP "));
        assert!(out.windows(4).any(|w| w == b"ICCP"));
    }
}
