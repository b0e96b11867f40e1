//! Links that outlive their host: which of the album's links still work ([`check`]), and the
//! notes that use the links of moved images brought up to date ([`rewrite`]).
//!
//! What is kept per record (the album's schema 5): the last check of its link, and for a record
//! moved to another host, the record of its new copy (`moved_to` / `moved_from`).

mod check;
mod diff;
mod localize;
mod rewrite;
mod scan;
mod store;

pub use check::{check, check_records, CheckOptions, CheckReport, LinkResult, LinkStatus};
pub use localize::{localize, LocalProblem, LocalizeOptions, LocalizeReport};
pub use rewrite::{rewrite, BrokenLink, FileChange, RewriteOptions, RewriteReport};
pub use store::LinkCheck;
