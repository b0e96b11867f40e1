//! Decompression bombs: small files whose headers claim 40000×40000 pixels (1.6 gigapixels,
//! 6.4 GB as RGBA), for tests that an upload reads the header before decoding anything.

use std::io::Write;

/// The size every bomb claims.
pub const SIDE: u32 = 40_000;

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
}

/// A whole, valid PNG of `side`×`side` black pixels, 1 bit each, rows of zeros: about 194 KB
/// for 40000×40000 (200 MB inflated, 1.6 gigapixels decoded).
pub fn png(side: u32) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let row = vec![0u8; 1 + side.div_ceil(8) as usize];
    let rows_per_write = (1 << 20) / row.len();
    let block = row.repeat(rows_per_write.max(1));
    let mut left = side as usize;
    while left > 0 {
        let n = left.min(rows_per_write.max(1));
        z.write_all(&block[..n * row.len()]).unwrap();
        left -= n;
    }
    let idat = z.finish().unwrap();
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = side.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&side.to_be_bytes());
    ihdr.extend_from_slice(&[1, 0, 0, 0, 0]); // 1-bit greyscale
    png_chunk(&mut out, b"IHDR", &ihdr);
    png_chunk(&mut out, b"IDAT", &idat);
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// A baseline JPEG whose frame says `SIDE`×`SIDE` (one grey component) and whose scan holds a
/// few blocks: decoders allocate the whole picture, then find the data short.
pub fn jpeg() -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8];
    // Quantisation table 0: all ones.
    out.extend_from_slice(&[0xFF, 0xDB, 0, 67, 0]);
    out.extend_from_slice(&[1u8; 64]);
    // Frame: 8-bit, SIDE×SIDE, one component (id 1, 1×1 sampling, table 0).
    out.extend_from_slice(&[0xFF, 0xC0, 0, 11, 8]);
    out.extend_from_slice(&(SIDE as u16).to_be_bytes());
    out.extend_from_slice(&(SIDE as u16).to_be_bytes());
    out.extend_from_slice(&[1, 1, 0x11, 0]);
    // Huffman tables: DC 0 and AC 0, each one code of length 1 (symbol 0: no difference / EOB).
    for class in [0x00u8, 0x10] {
        out.extend_from_slice(&[0xFF, 0xC4, 0, 20, class, 1]);
        out.extend_from_slice(&[0u8; 15]);
        out.push(0);
    }
    // Scan: component 1 with tables 0/0, then a few zero bytes (blocks of flat grey).
    out.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0x00, 0, 63, 0]);
    out.extend_from_slice(&[0u8; 64]);
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

/// A WebP whose extended header (`VP8X`) gives a `SIDE`×`SIDE` canvas, holding a 1×1 lossless
/// picture.
pub fn webp() -> Vec<u8> {
    let mut vp8x = [0u8; 10];
    vp8x[4..7].copy_from_slice(&(SIDE - 1).to_le_bytes()[..3]);
    vp8x[7..10].copy_from_slice(&(SIDE - 1).to_le_bytes()[..3]);
    // VP8L, 1×1: signature, 14-bit width-1 and height-1 (0), no alpha, version 0; then no
    // transform, no colour cache, no meta codes, and five simple one-symbol prefix codes (0).
    let vp8l = [0x2F, 0, 0, 0, 0, 0x88, 0x88, 0x08];
    let mut body = b"WEBP".to_vec();
    for (kind, data) in [(b"VP8X", &vp8x[..]), (b"VP8L", &vp8l[..])] {
        body.extend_from_slice(kind);
        body.extend_from_slice(&(data.len() as u32).to_le_bytes());
        body.extend_from_slice(data);
        if data.len() % 2 == 1 {
            body.push(0);
        }
    }
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

/// A GIF whose screen and only frame are `SIDE`×`SIDE`, with a few bytes of LZW data.
pub fn gif() -> Vec<u8> {
    let side = (SIDE as u16).to_le_bytes();
    let mut out = b"GIF89a".to_vec();
    out.extend_from_slice(&side);
    out.extend_from_slice(&side);
    out.extend_from_slice(&[0x80, 0, 0]); // a global table of 2 colours
    out.extend_from_slice(&[0, 0, 0, 255, 255, 255]);
    out.push(0x2C);
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&side);
    out.extend_from_slice(&side);
    out.push(0);
    // LZW code size 2: clear (4), a few pixels, end (5).
    out.extend_from_slice(&[2, 2, 0x44, 0x01, 0]);
    out.push(0x3B);
    out
}
