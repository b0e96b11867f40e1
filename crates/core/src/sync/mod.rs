//! Sync: the album, host configs and settings shared between a person's computers through
//! storage they already have, end-to-end encrypted.
//!
//! [`seal`] is what makes the storage unable to read it: the key from the passphrase, and each
//! object sealed under it. [`merge`] is how changes from several machines become one state, the
//! same on each: every item's last change by a hybrid logical clock, deletions kept as
//! tombstones.

pub mod exchange;
pub mod local;
pub mod merge;
pub mod round;
pub mod seal;
pub mod service;
pub mod shared;

pub use exchange::{Cursors, Place, Received};
pub use local::{Applied, Local, RecordValue};
pub use merge::{Change, Clock, Content, Item, Stamp, State};
pub use round::{sync_album, Report};
pub use seal::{KdfParams, KeyFile, SyncKey};
