//! Location and camera data removed before upload, checked on real files: photos written by
//! ImageMagick and tagged by exiftool as a phone would (GPS, orientation 6, make and model, an
//! embedded thumbnail), sent through the pipeline to the stand-in host, and read back with
//! exiftool. `scripts/test.sh` installs both (Debian `imagemagick`, `libimage-exiftool-perl`)
//! and runs these (`--include-ignored`).

mod support;

use std::path::Path;
use std::process::Command;

use pixdrop_standin::StandIn;
use serde_json::{json, Value};
use support::engine::env;

fn run(cmd: &str, args: &[&str]) -> Vec<u8> {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd} is missing ({e}): bash scripts/test.sh installs it"));
    assert!(
        out.status.success(),
        "{cmd} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// ImageMagick's own `convert` (a stand-in may come first on PATH).
const CONVERT: &str = "/usr/bin/convert";

/// Every tag exiftool finds, by group:name.
fn tags(bytes: &[u8], dir: &Path) -> serde_json::Map<String, Value> {
    let p = dir.join(format!("probe-{}", rand::random::<u32>()));
    std::fs::write(&p, bytes).unwrap();
    let out = run("exiftool", &["-j", "-G", "-n", p.to_str().unwrap()]);
    let v: Value = serde_json::from_slice(&out).unwrap();
    v[0].as_object().unwrap().clone()
}

fn pixels(path: &Path) -> Vec<u8> {
    run(CONVERT, &[path.to_str().unwrap(), "-depth", "8", "rgba:-"])
}

fn phone_photo(dir: &Path, name: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    let thumb = dir.join("thumb.jpg");
    run(
        CONVERT,
        &[
            "-size",
            "160x120",
            "gradient:orange-navy",
            p.to_str().unwrap(),
        ],
    );
    run(
        CONVERT,
        &["-size", "16x12", "xc:gray", thumb.to_str().unwrap()],
    );
    run(
        "exiftool",
        &[
            "-q",
            "-overwrite_original",
            "-GPSLatitude=48.8584",
            "-GPSLatitudeRef=N",
            "-GPSLongitude=2.2945",
            "-GPSLongitudeRef=E",
            "-Orientation#=6",
            "-Make=Pixdrop Phone",
            "-Model=P1",
            "-XMP-dc:Description=at home",
            "-IPTC:Keywords=home",
            "-Comment=taken at home",
            &format!("-ThumbnailImage<={}", thumb.display()),
            p.to_str().unwrap(),
        ],
    );
    p
}

fn has_any(tags: &serde_json::Map<String, Value>, what: &[&str]) -> Vec<String> {
    tags.keys()
        .filter(|k| what.iter().any(|w| k.contains(w)))
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs exiftool and ImageMagick (scripts/test.sh installs them)"]
async fn a_phone_photo_arrives_without_location_or_camera_data() {
    let host = StandIn::start("tok");
    let env = env();
    env.add(
        "s",
        "smms",
        json!({"token": "tok", "server": host.base_url(), "api": "v2"}),
    )
    .unwrap();
    let dir = env.dir.path();
    let photo = phone_photo(dir, "IMG_0001.jpg");
    let before = tags(&std::fs::read(&photo).unwrap(), dir);
    assert!(
        !has_any(&before, &["GPSLatitude", "Make", "ThumbnailImage"]).is_empty(),
        "{before:?}"
    );

    let done = env
        .upload_bytes("s", "IMG_0001.jpg", &std::fs::read(&photo).unwrap())
        .await
        .unwrap();
    let sent = host.stored().pop().unwrap().bytes;
    let after = tags(&sent, dir);
    let left = has_any(
        &after,
        &[
            "GPS",
            "Make",
            "Model",
            "Thumbnail",
            "XMP",
            "IPTC",
            "Comment",
            "Description",
            "Keywords",
        ],
    );
    assert!(left.is_empty(), "still there: {left:?}");
    assert_eq!(after["EXIF:Orientation"], 6, "the picture must not turn");
    // Not re-encoded: the decoded pixels are the original's.
    let sent_path = dir.join("sent.jpg");
    std::fs::write(&sent_path, &sent).unwrap();
    assert_eq!(pixels(&sent_path), pixels(&photo));
    let p = done.processed.clone().unwrap();
    assert!(
        p.removed.contains(&"GPS") && p.size_after < p.size_before,
        "{p:?}"
    );
    assert_eq!(done.record.size, sent.len() as u64);

    // The same file again: not sent twice. With the config's override off, it goes whole,
    // as a new upload.
    let again = env
        .upload_bytes("s", "IMG_0001.jpg", &std::fs::read(&photo).unwrap())
        .await
        .unwrap();
    assert!(again.duplicate);
    env.set("s", "strip_metadata", json!("off"));
    let whole = env
        .upload_bytes("s", "IMG_0001.jpg", &std::fs::read(&photo).unwrap())
        .await
        .unwrap();
    assert!(!whole.duplicate && whole.processed.is_none());
    assert_eq!(
        host.stored().pop().unwrap().bytes,
        std::fs::read(&photo).unwrap()
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs exiftool and ImageMagick (scripts/test.sh installs them)"]
async fn png_and_webp_lose_their_metadata_and_animations_pass_untouched() {
    let host = StandIn::start("tok");
    let env = env();
    env.add(
        "s",
        "smms",
        json!({"token": "tok", "server": host.base_url(), "api": "v2"}),
    )
    .unwrap();
    let dir = env.dir.path();
    for (name, args) in [
        (
            "shot.png",
            vec![
                "-Make=Cam",
                "-GPSLatitude=1.5",
                "-GPSLatitudeRef=N",
                "-PNG:Comment=secret",
            ],
        ),
        (
            "shot.webp",
            vec![
                "-Make=Cam",
                "-GPSLatitude=1.5",
                "-GPSLatitudeRef=N",
                "-XMP-dc:Description=secret",
            ],
        ),
    ] {
        let p = dir.join(name);
        run(
            CONVERT,
            &["-size", "40x30", "gradient:red-blue", p.to_str().unwrap()],
        );
        let mut a = vec!["-q", "-overwrite_original"];
        a.extend(args);
        a.push(p.to_str().unwrap());
        run("exiftool", &a);
        let original = std::fs::read(&p).unwrap();
        assert!(!has_any(&tags(&original, dir), &["GPS", "Make"]).is_empty());
        env.upload_bytes("s", name, &original).await.unwrap();
        let sent = host.stored().pop().unwrap().bytes;
        let left = has_any(
            &tags(&sent, dir),
            &["GPS", "Make", "Comment", "Description"],
        );
        assert!(left.is_empty(), "{name}: still there: {left:?}");
        let sent_path = dir.join(format!("sent-{name}"));
        std::fs::write(&sent_path, &sent).unwrap();
        assert_eq!(pixels(&sent_path), pixels(&p), "{name}: pixels changed");
    }
    // An animated GIF is sent byte for byte.
    let gif = dir.join("anim.gif");
    run(
        CONVERT,
        &[
            "-delay",
            "10",
            "-size",
            "8x8",
            "xc:red",
            "xc:blue",
            "-loop",
            "0",
            gif.to_str().unwrap(),
        ],
    );
    let bytes = std::fs::read(&gif).unwrap();
    let done = env.upload_bytes("s", "anim.gif", &bytes).await.unwrap();
    assert!(done.processed.is_none());
    assert_eq!(host.stored().pop().unwrap().bytes, bytes);
}
