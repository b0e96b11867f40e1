//! What `upload` and `picgo upload` share once a batch is sent.

use pixdrop_core::Engine;

/// What is printed on stdout in place of a failed input's link when the links are bare URLs
/// (what editors read by line): one line that is plainly no link, so each input keeps its line.
pub(crate) const FAILED_LINE: &str = "pixdrop:upload-failed";

/// The longest a command waits, after printing its links, for the album's thumbnails and the
/// local copies of what was sent (`keep_originals`) made meanwhile; a thumbnail not done by then
/// is made by the app's background round from the link, a copy is written whole or not at all.
const THUMBNAILS_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// After the links are out: wait (bounded) for the thumbnails and copies made meanwhile.
async fn settle_thumbnails(engine: &Engine) {
    let both = async {
        engine.thumbs().settled().await;
        engine.originals().settled().await;
    };
    let _ = tokio::time::timeout(THUMBNAILS_WAIT, both).await;
}

/// The album's write-ahead log is folded in once it passes this (about ten uploads' worth).
const LOG_FOLD_ABOVE: u64 = 512 * 1024;

/// After the links are out: what `settle_thumbnails` waits for, and first keep the album's
/// write-ahead log short, which the next command reads whole when it opens the album (README,
/// Benchmarks: a 4 MB log cost the next upload about 1.5 ms before its link).
pub(crate) async fn settle(engine: &Engine) {
    // Synchronous on purpose: the thumbnails are made on their own thread meanwhile; a fold
    // kept from finishing by a reader elsewhere gives up after 200 ms.
    let _ = engine.album().fold_log(LOG_FOLD_ABOVE);
    settle_thumbnails(engine).await;
}
