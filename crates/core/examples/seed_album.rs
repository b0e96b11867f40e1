//! Fill an album with synthetic records, for benchmarks of the app's album page:
//! `cargo run --release -p pixdrop-core --example seed_album -- DATA_DIR COUNT`.

use pixdrop_core::{Album, NewRecord, Paths};

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
                    sha256: Some(format!("{i:064x}")),
                    created_at: start + i as i64 * 60_000,
                    file_name: name,
                }
            })
            .collect();
        album.insert_many(&records)?;
    }
    println!("{} records in {}", count, paths.album_file().display());
    Ok(())
}
