//! Fill an album with synthetic records, for benchmarks of the app's album page:
//! `cargo run --release -p pixdrop-core --example seed_album -- DATA_DIR COUNT`. Each record has
//! its own thumbnail in the cache, a real 320 × 180 WebP (1,000 different pictures, repeated).

use pixdrop_core::thumbs::Thumbs;
use pixdrop_core::{Album, NewRecord, Paths};

/// Record `i`'s hash, spread as real ones are (the cache's folders are named by its start).
fn key(i: usize) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(i.to_le_bytes()))
}

/// A picture for record `i`: a colour gradient with a pattern, as a PNG.
fn picture(i: usize) -> Vec<u8> {
    let (a, b) = ((i * 37 % 256) as u8, (i * 91 % 256) as u8);
    let img = image::RgbImage::from_fn(640, 360, |x, y| {
        let wave = (((x as f32 / 23.0 + i as f32).sin() + (y as f32 / 17.0).cos()) * 40.0) as i32;
        image::Rgb([
            (a as i32 + x as i32 / 3 + wave).clamp(0, 255) as u8,
            (b as i32 + y as i32 / 2 - wave).clamp(0, 255) as u8,
            ((x + y) / 4 % 256) as u8,
        ])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("PNG");
    out
}

fn main() -> pixdrop_core::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: seed_album DATA_DIR COUNT");
    let count: usize = args.next().and_then(|n| n.parse().ok()).expect("COUNT");
    let paths = Paths::resolve(Some(std::path::Path::new(&dir)))?;
    paths.ensure()?;
    let album = Album::open(&paths.album_file())?;
    let start = 1_700_000_000_000i64;
    let words = [
        "screenshot",
        "diagram",
        "photo",
        "meme",
        "receipt",
        "chart",
        "sketch",
        "scan",
    ];
    for chunk in (0..count).collect::<Vec<_>>().chunks(10_000) {
        let records: Vec<NewRecord> = chunk
            .iter()
            .map(|&i| {
                let name = format!("{}-{i:06}.png", words[i % words.len()]);
                NewRecord {
                    host_kind: "smms".into(),
                    config_name: if i % 3 == 0 { "work" } else { "personal" }.into(),
                    stored_name: format!("{i:x}.png"),
                    url: format!("http://127.0.0.1:9/i/2026/{:02}/{i:x}.png", i % 12 + 1),
                    delete_handle: Some(format!("h{i:x}")),
                    size: 10_000 + (i as u64 * 37) % 900_000,
                    width: Some(1920),
                    height: Some(1080),
                    sha256: Some(key(i)),
                    created_at: start + i as i64 * 60_000,
                    sent_sha256: None,
                    origin_url: None,
                    file_name: name,
                }
            })
            .collect();
        album.insert_many(&records)?;
    }
    // Thumbnails: made once per picture, written under each record's key.
    let thumbs = Thumbs::new(paths.thumbs_dir());
    let made: Vec<Vec<u8>> = (0..count.min(1000))
        .map(|i| pixdrop_core::process::thumbnail(&picture(i), pixdrop_core::thumbs::EDGE))
        .collect::<pixdrop_core::Result<_>>()?;
    for i in 0..count {
        thumbs.write_raw(&key(i), &made[i % made.len()])?;
    }
    println!(
        "{} records in {}, thumbnails in {}",
        count,
        paths.album_file().display(),
        paths.thumbs_dir().display()
    );
    Ok(())
}
