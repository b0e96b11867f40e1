//! PicGo-Core's command line, for editors that run `picgo upload FILES` (Typora's "PicGo-Core"
//! option, the Obsidian plugin's and SiYuan's PicGo-Core modes): `pixdrop picgo upload`, or the
//! binary run through a link named `picgo`.
//!
//! What they read is PicGo-Core's output on stdout: `[PicGo SUCCESS]: ` then one URL per line,
//! and `[PicGo ERROR]: …` lines on failure (an editor that finds "PicGo ERROR" takes the
//! upload as failed). Like PicGo-Core, it exits 0 once the upload was tried, whatever came of
//! it; with no file it uploads the clipboard. Unlike PicGo-Core, a batch with a failed file
//! still gives one line per file after the success line (`pixdrop:upload-failed` for the failed
//! one), so an editor that takes the last N lines never puts a link on the wrong image.

use std::path::Path;

use pixdrop_core::pipeline::{labelled, log_outcome};
use pixdrop_core::{Engine, Input, LinkFormat, Paths, UploadOptions};

use crate::batch::FAILED_LINE;
use crate::cli::PicgoCmd;
use crate::Failure;

/// Whether the program was started under the name `picgo` (a link or a copy).
pub fn invoked_as_picgo(argv0: &std::ffi::OsStr) -> bool {
    Path::new(argv0)
        .file_name()
        .is_some_and(|n| n == "picgo" || n == "picgo.exe")
}

pub async fn run(data_dir: Option<&Path>, cmd: PicgoCmd) -> Result<(), Failure> {
    let PicgoCmd::Upload { inputs } = cmd;
    let engine = match Paths::resolve(data_dir).and_then(Engine::open) {
        Ok(e) => e,
        Err(e) => {
            print!("{}", output(&[e.to_string()], &[]));
            return Ok(());
        }
    };
    // The links first, then what the album still makes (editors read the output when the
    // command ends; a terminal shows the links at once).
    print!("{}", upload(&engine, inputs).await);
    let _ = std::io::Write::flush(&mut std::io::stdout());
    crate::batch::settle(&engine).await;
    Ok(())
}

/// PicGo-Core's output for an upload of `args` (the clipboard when empty).
async fn upload(engine: &Engine, args: Vec<String>) -> String {
    let inputs = if args.is_empty() {
        match pixdrop_clipboard::inputs() {
            Ok(found) => found,
            Err(e) => return output(&[format!("clipboard: {e}")], &[]),
        }
    } else {
        args.iter().map(|a| Input::parse(a)).collect()
    };
    let opts = UploadOptions {
        format: Some(LinkFormat::Url),
        ..Default::default()
    };
    let mut errors = Vec::new();
    let mut lines = Vec::new();
    for o in engine.upload_all(inputs, opts).await {
        log_outcome(engine.paths(), "picgo: ", &o.input, &o.result);
        match o.result {
            Ok(done) => lines.push(done.link),
            Err(e) => {
                errors.push(labelled(&o.input, &e).text);
                lines.push(FAILED_LINE.to_string());
            }
        }
    }
    if lines.is_empty() {
        errors.push("nothing to upload".into());
    }
    if errors.len() == lines.len() {
        lines.clear();
    }
    output(&errors, &lines)
}

/// The error lines, then the success block when anything was uploaded (PicGo-Core's
/// `console.log("[PicGo SUCCESS]:", "\nurl…")`: the marker, a space, one URL per line).
fn output(errors: &[String], lines: &[String]) -> String {
    let mut out = String::new();
    for e in errors {
        // One line per error: a line break in a message cannot pose as a URL line.
        let e: String = e
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        out.push_str(&format!("[PicGo ERROR]: {e}\n"));
    }
    if !lines.is_empty() {
        out.push_str("[PicGo SUCCESS]: \n");
        for l in lines {
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_decides() {
        assert!(invoked_as_picgo("/usr/local/bin/picgo".as_ref()));
        assert!(invoked_as_picgo("picgo".as_ref()));
        assert!(!invoked_as_picgo("/usr/bin/pixdrop".as_ref()));
        assert!(!invoked_as_picgo("picgo-core".as_ref()));
    }
}
