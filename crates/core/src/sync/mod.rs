//! Sync: the album, host configs and settings shared between a person's computers through
//! storage they already have, end-to-end encrypted.
//!
//! [`seal`] is what makes the storage unable to read it: the key from the passphrase, and each
//! object sealed under it.

pub mod seal;

pub use seal::{KdfParams, KeyFile, SyncKey};
