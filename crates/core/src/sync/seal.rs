//! Nothing sync puts on the storage reads without the passphrase.
//!
//! - **The key**: Argon2id (RFC 9106) over the passphrase and a random 16-byte salt: 64 MiB of
//!   memory and 3 passes for a new sync, above OWASP's minimum (19 MiB, 2 passes), because the
//!   storage's owner holds the salt and can guess offline. The parameters and the salt are kept
//!   in clear beside the data, in the sync's [`KeyFile`], so every machine derives the same key
//!   from the same passphrase. Parameters read back from the storage are bounded (19–256 MiB,
//!   2–10 passes, 1–8 lanes): a changed key file cannot make a machine allocate or compute
//!   without limit.
//! - **Each object**: AES-256-GCM with a fresh random 96-bit nonce, laid out as
//!   `PXS1 | key id | nonce | ciphertext | tag`. The object's name and the key id are the
//!   associated data, so an object copied over another's name does not open either. The key id
//!   (8 bytes of a hash of the key) tells an object sealed under another key — the sync set up
//!   again elsewhere — from a changed one. All machines together seal far fewer than the 2³²
//!   messages under one key after which random nonces would start to risk a repeat.
//! - **Telling a wrong passphrase from a changed object**: the key file carries a known text
//!   sealed under the key. When that does not open, the passphrase is wrong; when it opens and an
//!   object does not, the object was changed or cut short on the storage.
//!
//! AES-256-GCM rather than XChaCha20-Poly1305: both are AEADs with 256-bit keys; the RustCrypto
//! AES-GCM and Argon2 crates are the versions Pixdrop already builds for SSH keys (no new code),
//! and the CPUs Pixdrop runs on have AES instructions.

use aes_gcm::aead::{Aead, Generate, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::msg::msg;

const MAGIC: &[u8; 4] = b"PXS1";
const KEY_ID_LEN: usize = 8;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// Bound to every object's associated data: a sealed object of another program, or of a later
/// format, does not open as one of this one.
const AAD_PREFIX: &[u8] = b"pixdrop-sync/1\0";
/// The known text the key file carries, and the name it is sealed under.
const CHECK_NAME: &str = "key-check";
const CHECK_TEXT: &[u8] = b"pixdrop sync key";
/// A key file is a few hundred bytes; anything much larger is not one.
const KEY_FILE_MAX: usize = 64 * 1024;
/// The shortest passphrase accepted when a sync is set up.
pub const PASSPHRASE_MIN_CHARS: usize = 8;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// How the key is derived from the passphrase: stored in clear in the key file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Always `argon2id`.
    pub algorithm: String,
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes over the memory.
    pub t: u32,
    /// Lanes.
    pub p: u32,
    /// 16 random bytes, base64.
    pub salt: String,
}

impl KdfParams {
    /// OWASP's minimum for Argon2id (Password Storage Cheat Sheet): 19 MiB, 2 passes, 1 lane.
    pub const MIN_M_KIB: u32 = 19 * 1024;
    pub const MIN_T: u32 = 2;
    /// What a new sync uses.
    pub const NEW_M_KIB: u32 = 64 * 1024;
    pub const NEW_T: u32 = 3;
    /// The most a key file may ask of a machine.
    pub const MAX_M_KIB: u32 = 256 * 1024;
    pub const MAX_T: u32 = 10;
    pub const MAX_P: u32 = 8;

    /// Parameters for a new sync: 64 MiB, 3 passes, a fresh salt.
    pub fn fresh() -> Self {
        KdfParams {
            algorithm: "argon2id".into(),
            m_kib: Self::NEW_M_KIB,
            t: Self::NEW_T,
            p: 1,
            salt: B64.encode(<[u8; 16]>::generate()),
        }
    }

    /// The Argon2 parameters and the salt, refused in words when outside the bounds.
    fn checked(&self) -> Result<(Params, Vec<u8>)> {
        let bad = unusable;
        if self.algorithm != "argon2id" {
            return Err(bad(msg!(
                "it names the key derivation {name}, and Pixdrop uses argon2id",
                name = self.algorithm.chars().take(40).collect::<String>()
            )));
        }
        if !(Self::MIN_M_KIB..=Self::MAX_M_KIB).contains(&self.m_kib)
            || !(Self::MIN_T..=Self::MAX_T).contains(&self.t)
            || !(1..=Self::MAX_P).contains(&self.p)
        {
            return Err(bad(msg!(
                "its Argon2id parameters (memory {m} KiB, {t} passes, {p} lanes) are outside what Pixdrop accepts (memory {min_m}–{max_m} KiB, {min_t}–{max_t} passes, 1–{max_p} lanes)",
                m = self.m_kib,
                t = self.t,
                p = self.p,
                min_m = Self::MIN_M_KIB,
                max_m = Self::MAX_M_KIB,
                min_t = Self::MIN_T,
                max_t = Self::MAX_T,
                max_p = Self::MAX_P
            )));
        }
        let salt = B64
            .decode(&self.salt)
            .ok()
            .filter(|s| (16..=64).contains(&s.len()))
            .ok_or_else(|| bad(msg!("its salt is not 16 to 64 bytes in base64")))?;
        let params = Params::new(self.m_kib, self.t, self.p, Some(32)).map_err(|e| {
            bad(msg!(
                "its Argon2id parameters are refused: {e}",
                e = e.to_string()
            ))
        })?;
        Ok((params, salt))
    }
}

/// A key file that cannot be used, and why.
fn unusable(reason: crate::msg::Msg) -> Error {
    Error::BadResponse(msg!(
        "the sync's key file on the storage cannot be used: {reason}; nothing was changed here"
    ))
}

/// The key everything is sealed with. Wiped from memory when dropped (kept in one heap place,
/// never moved).
pub struct SyncKey {
    key: Box<Zeroizing<[u8; 32]>>,
    id: [u8; KEY_ID_LEN],
}

impl std::fmt::Debug for SyncKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SyncKey(…)")
    }
}

impl SyncKey {
    /// Derive the key from the passphrase (Argon2id: 64 MiB and a fraction of a second for a
    /// new sync's parameters).
    /// The passphrase is taken in Unicode NFC, without blanks around it: "é" typed as one
    /// character or as "e" and an accent (as some systems' keyboards give it) is one passphrase,
    /// and a space picked up with a pasted one does not make another.
    pub fn derive(passphrase: &str, kdf: &KdfParams) -> Result<SyncKey> {
        let (params, salt) = kdf.checked()?;
        let passphrase = Zeroizing::new(
            icu_normalizer::ComposingNormalizerBorrowed::new_nfc()
                .normalize(passphrase.trim())
                .into_owned(),
        );
        let mut key = Box::new(Zeroizing::new([0u8; 32]));
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(passphrase.as_bytes(), &salt, key.as_mut_slice())
            .map_err(|e| {
                Error::Internal(msg!("deriving the sync key failed: {e}", e = e.to_string()))
            })?;
        let digest = Sha256::new()
            .chain_update(b"pixdrop-sync key id\0")
            .chain_update(key.as_slice())
            .finalize();
        let mut id = [0u8; KEY_ID_LEN];
        id.copy_from_slice(&digest[..KEY_ID_LEN]);
        Ok(SyncKey { key, id })
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new_from_slice(self.key.as_slice()).expect("a 32-byte key")
    }

    fn aad(&self, name: &str) -> Vec<u8> {
        [AAD_PREFIX, &self.id, name.as_bytes()].concat()
    }

    /// `plain` sealed as the object `name`.
    pub fn seal(&self, name: &str, plain: &[u8]) -> Vec<u8> {
        let nonce = Nonce::generate();
        let aad = self.aad(name);
        let sealed = self
            .cipher()
            .encrypt(
                &nonce,
                Payload {
                    msg: plain,
                    aad: &aad,
                },
            )
            // Only a message over 64 GiB fails to encrypt; sync objects are far smaller.
            .expect("AES-GCM seals any sync object");
        let mut out = Vec::with_capacity(MAGIC.len() + KEY_ID_LEN + NONCE_LEN + sealed.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.id);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// The object `name` opened; refused in words when it was changed, cut short, or sealed
    /// under another name or key.
    pub fn open(&self, name: &str, sealed: &[u8]) -> Result<Vec<u8>> {
        let other_key = sealed
            .strip_prefix(MAGIC.as_slice())
            .and_then(|rest| rest.get(..KEY_ID_LEN))
            .is_some_and(|id| id != self.id);
        if other_key {
            return Err(Error::Auth(msg!(
                "the sync object {name} on the storage was sealed with another key: the sync was set up again, or its passphrase changed, on another computer; set it up here with that passphrase",
                name = name.to_string()
            )));
        }
        self.try_open(name, sealed).ok_or_else(|| {
            Error::BadResponse(msg!(
                "the sync object {name} on the storage was changed or cut short (it does not open with this sync's key); nothing of it was used (the rest synced)",
                name = name.to_string()
            ))
        })
    }

    fn try_open(&self, name: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        let rest = sealed.strip_prefix(MAGIC.as_slice())?;
        let rest = rest.strip_prefix(self.id.as_slice())?;
        if rest.len() < NONCE_LEN + TAG_LEN {
            return None;
        }
        let (nonce, body) = rest.split_at(NONCE_LEN);
        let aad = self.aad(name);
        self.cipher()
            .decrypt(
                &Nonce::try_from(nonce).ok()?,
                Payload {
                    msg: body,
                    aad: &aad,
                },
            )
            .ok()
    }
}

/// The one object of a sync kept in clear: how to derive its key, and a known text sealed under
/// it. It holds no secret (the salt and parameters are public by design).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyFile {
    pub version: u32,
    pub kdf: KdfParams,
    /// [`CHECK_TEXT`] sealed under the key, base64.
    pub check: String,
}

impl KeyFile {
    /// A new sync's key file and key. The passphrase must have at least
    /// [`PASSPHRASE_MIN_CHARS`] characters.
    pub fn create(passphrase: &str) -> Result<(KeyFile, SyncKey)> {
        if passphrase.trim().chars().count() < PASSPHRASE_MIN_CHARS {
            return Err(Error::Input(msg!(
                "the sync passphrase is too short: use at least {min} characters (it is the only thing that keeps your synced hosts and album private)",
                min = PASSPHRASE_MIN_CHARS
            )));
        }
        let kdf = KdfParams::fresh();
        let key = SyncKey::derive(passphrase, &kdf)?;
        let check = B64.encode(key.seal(CHECK_NAME, CHECK_TEXT));
        Ok((
            KeyFile {
                version: 1,
                kdf,
                check,
            },
            key,
        ))
    }

    /// The key, when `passphrase` is this sync's; a wrong one is said plainly.
    pub fn unlock(&self, passphrase: &str) -> Result<SyncKey> {
        let key = SyncKey::derive(passphrase, &self.kdf)?;
        let opens = B64
            .decode(&self.check)
            .ok()
            .and_then(|c| key.try_open(CHECK_NAME, &c))
            .is_some_and(|t| t == CHECK_TEXT);
        if !opens {
            return Err(Error::Auth(msg!(
                "the sync passphrase is wrong: it is not the one this sync was set up with (or its key file was changed on the storage); nothing was changed here"
            )));
        }
        Ok(key)
    }

    /// Read a key file from the storage's bytes, refused in words when it is not one.
    pub fn parse(bytes: &[u8]) -> Result<KeyFile> {
        if bytes.len() > KEY_FILE_MAX {
            return Err(unusable(msg!(
                "it is {size} bytes, far larger than a key file",
                size = bytes.len()
            )));
        }
        let file: KeyFile = serde_json::from_slice(bytes)
            .map_err(|e| unusable(msg!("it is not a key file ({e})", e = e.to_string())))?;
        if file.version != 1 {
            return Err(unusable(msg!(
                "it is of version {version}, made by a newer Pixdrop",
                version = file.version
            )));
        }
        file.kdf.checked()?;
        Ok(file)
    }

    /// The bytes to store.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).expect("a key file serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(e: &Error) -> &'static str {
        e.kind().as_str()
    }

    #[test]
    fn a_passphrase_is_one_however_its_accents_were_typed_and_blanks_do_not_count() {
        let (file, _) = KeyFile::create("caf\u{e9} cr\u{e8}me br\u{fb}l\u{e9}e").unwrap();
        // The same words with each accent as a separate combining character.
        assert!(file
            .unlock("cafe\u{301} cre\u{300}me bru\u{302}le\u{301}e")
            .is_ok());
        assert!(file.unlock("cafe creme brulee").is_err());
        assert!(KeyFile::create("   \t  a        ").is_err());
        assert!(file
            .unlock(" caf\u{e9} cr\u{e8}me br\u{fb}l\u{e9}e\n")
            .is_ok());
    }

    #[test]
    fn what_is_sealed_opens_with_the_same_passphrase_on_another_machine() {
        let (file, key) = KeyFile::create("correct horse battery").unwrap();
        let sealed = key.seal("m-1/changes-1", b"{\"token\":\"sk-secret\"}");
        // The other machine has only the key file's bytes and the passphrase.
        let there = KeyFile::parse(&file.to_bytes())
            .unwrap()
            .unlock("correct horse battery")
            .unwrap();
        assert_eq!(
            there.open("m-1/changes-1", &sealed).unwrap(),
            b"{\"token\":\"sk-secret\"}"
        );
    }

    #[test]
    fn nothing_readable_is_left_in_the_sealed_bytes() {
        let (_, key) = KeyFile::create("correct horse battery").unwrap();
        let plain = b"sk-secret-token https://i.example/cat.png cat.png";
        let sealed = key.seal("o", plain);
        for needle in [&b"sk-secret"[..], b"https://", b"cat.png"] {
            assert!(!sealed.windows(needle.len()).any(|w| w == needle));
        }
        // A fresh nonce each time: the same text seals differently.
        assert_ne!(key.seal("o", plain), sealed);
    }

    #[test]
    fn a_changed_or_cut_object_is_refused_in_words() {
        let (_, key) = KeyFile::create("correct horse battery").unwrap();
        let sealed = key.seal("o", b"records");
        // The magic, the nonce, the ciphertext, the tag.
        for i in [0, 3, 12, 19, 24, sealed.len() - 1] {
            let mut bad = sealed.clone();
            bad[i] ^= 1;
            let e = key.open("o", &bad).unwrap_err();
            assert_eq!(kind(&e), "bad_response");
            assert!(e.to_string().contains("changed or cut short"), "{e}");
        }
        for len in [0, 3, 4, 12, 24, 40, sealed.len() - 1] {
            assert!(key.open("o", &sealed[..len]).is_err(), "cut to {len}");
        }
        // Put under another object's name, it does not open either.
        assert!(key.open("p", &sealed).is_err());
        assert_eq!(key.open("o", &sealed).unwrap(), b"records");
    }

    #[test]
    fn an_object_sealed_under_another_key_says_so() {
        let (_, old) = KeyFile::create("correct horse battery").unwrap();
        let (_, new) = KeyFile::create("correct horse battery").unwrap(); // set up again: new salt
        let e = new.open("o", &old.seal("o", b"records")).unwrap_err();
        assert_eq!(kind(&e), "auth");
        assert!(e.to_string().contains("sealed with another key"), "{e}");
    }

    #[test]
    fn a_wrong_passphrase_is_said_plainly() {
        let (file, _) = KeyFile::create("correct horse battery").unwrap();
        let e = file.unlock("correct horse batterY").unwrap_err();
        assert_eq!(kind(&e), "auth");
        assert!(e.to_string().contains("passphrase is wrong"), "{e}");
        // A changed check in the key file reads as a wrong passphrase too, never as a key.
        let mut changed = file.clone();
        let mut check = B64.decode(&changed.check).unwrap();
        check[20] ^= 1;
        changed.check = B64.encode(check);
        assert_eq!(
            kind(&changed.unlock("correct horse battery").unwrap_err()),
            "auth"
        );
        assert!(file.unlock("correct horse battery").is_ok());
    }

    #[test]
    fn a_short_passphrase_is_refused_when_setting_up() {
        let e = KeyFile::create("short").unwrap_err();
        assert_eq!(kind(&e), "input");
        assert!(e.to_string().contains("at least 8 characters"), "{e}");
        // Eight characters of any script count as eight.
        assert!(KeyFile::create("猫猫猫猫猫猫猫猫").is_ok());
    }

    #[test]
    fn a_key_file_asking_for_too_much_memory_is_refused_before_anything_is_derived() {
        let (file, _) = KeyFile::create("correct horse battery").unwrap();
        for (m, t, p) in [
            (KdfParams::MAX_M_KIB + 1, 2, 1),
            (1024, 2, 1),
            (KdfParams::MIN_M_KIB, 1000, 1),
            (KdfParams::MIN_M_KIB, 2, 64),
        ] {
            let mut greedy = file.clone();
            greedy.kdf.m_kib = m;
            greedy.kdf.t = t;
            greedy.kdf.p = p;
            let e = KeyFile::parse(&greedy.to_bytes()).unwrap_err();
            assert_eq!(kind(&e), "bad_response");
            assert!(
                e.to_string().contains("outside what Pixdrop accepts"),
                "{e}"
            );
            // Refused by the bounds before any key is derived (a derived key would fail the
            // check instead, as a wrong passphrase: `auth`).
            let e = greedy.unlock("correct horse battery").unwrap_err();
            assert_eq!(kind(&e), "bad_response", "{e}");
        }
        let mut other = file.clone();
        other.kdf.algorithm = "scrypt".into();
        assert!(KeyFile::parse(&other.to_bytes()).is_err());
        assert!(KeyFile::parse(b"<html>not found</html>").is_err());
        assert!(KeyFile::parse(&vec![b' '; KEY_FILE_MAX + 1]).is_err());
    }

    #[test]
    fn a_new_sync_derives_with_more_than_owasps_minimum() {
        let (file, _) = KeyFile::create("correct horse battery").unwrap();
        let text = String::from_utf8(file.to_bytes()).unwrap();
        assert!(text.contains("argon2id"));
        assert_eq!((file.kdf.m_kib, file.kdf.t, file.kdf.p), (64 * 1024, 3, 1));
        // Two syncs never share a salt.
        let (other, _) = KeyFile::create("correct horse battery").unwrap();
        assert_ne!(file.kdf.salt, other.kdf.salt);
    }
}
