//! Links that outlive their host: which of the album's links still work ([`check`]), images
//! moved to another host ([`move_records`]), and the notes that use the links of moved images
//! brought up to date ([`rewrite`]).
//!
//! What is kept per record (the album's schemas 5 and 6): the last check of its link, and for a record
//! moved to another host, the record of its new copy (`moved_to` / `moved_from`), the hash of
//! the bytes each upload sent, and whether a moved record's old copy was deleted on its host.

mod check;
mod diff;
mod localize;
mod moving;
mod rewrite;
mod scan;
mod store;

pub use check::{
    check, check_records, check_with, CheckOptions, CheckProgress, CheckReport, LinkResult,
    LinkStatus,
};
pub use localize::{is_note, localize, LocalProblem, LocalizeOptions, LocalizeReport};
pub use moving::{
    move_records, move_records_with, MoveOptions, MoveReport, MoveResult, MoveStatus,
};
pub use rewrite::{rewrite, BrokenLink, FileChange, RewriteOptions, RewriteReport};
pub use store::LinkCheck;
/// Stops a [`check_with`].
pub use tokio_util::sync::CancellationToken;
