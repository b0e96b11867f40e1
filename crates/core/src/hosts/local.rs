//! A folder on this computer (kind `local`), e.g. one a web server or a sync tool serves.
//!
//! Files are written atomically (a temporary file in the target folder, then linked into place)
//! and never replace an existing file: a taken name gets `-2`, `-3` … before its extension. The
//! delete handle is the key (the path below the folder).

use crate::{msg, Msg};
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use serde::Deserialize;

use super::http::Http;
use super::storage::{self, PlaceFile, Storage, SyncPlace, DEFAULT_UPLOAD_PATH};
use super::{Deletes, FieldKind, FieldSpec, Host, Kind, Payload, Progress, Uploaded};
use crate::error::{Error, Result};
use crate::host_config::HostConfig;

pub const KIND: Kind = Kind {
    kind: "local",
    label: "Local folder",
    fields: &[
        FieldSpec::new("path", "Folder", FieldKind::Text, "The folder files are written to, e.g. /var/www/img or ~/Sync/img. It must exist; folders below it are made as needed.").required("/srv/www/img"),
        FieldSpec::new("upload_path", "Upload path", FieldKind::Text, "Where in the folder, with placeholders: {Y} {m} {d} {h} {i} {s} {ms} {timestamp} {md5} {sha256} {uuid} {filename} {ext}.").default(DEFAULT_UPLOAD_PATH),
        FieldSpec::new("url_prefix", "URL prefix", FieldKind::Url, "The address that serves the folder, e.g. https://img.example.com.").required("https://img.example.com"),
        storage::FILE_MODE,
    ],
    build: |cfg| Ok(Box::new(Local::from_config(cfg)?)),
};

#[derive(Debug, Deserialize)]
struct Settings {
    path: String,
    upload_path: String,
    url_prefix: String,
    file_mode: String,
}

#[derive(Debug, Clone)]
pub struct Local {
    root: PathBuf,
    upload_path: String,
    url_prefix: String,
    /// The permissions files are given (the temporary file they start as is private).
    mode: u32,
}

/// The file a key names below `root`; a key that would leave the folder is refused.
fn file_of(root: &Path, key: &str) -> Result<PathBuf> {
    let key = key.trim();
    if key.is_empty()
        || key.starts_with('/')
        || key.contains('\\')
        || key
            .split('/')
            .any(|p| p.is_empty() || p == "." || p == "..")
    {
        return Err(Error::Input(msg!(
            "{key:?} is not a path inside the folder"
        )));
    }
    Ok(root.join(key))
}

/// Give `file` the permissions `mode` (the temporary file is created readable by its owner only,
/// and a link or rename keeps that).
fn set_mode(file: &std::fs::File, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (file, mode);
        Ok(())
    }
}

impl Local {
    pub fn from_config(cfg: &HostConfig) -> Result<Self> {
        let s: Settings = super::settings_of(cfg)?;
        crate::rename::check_path_template(&s.upload_path)?;
        let mode = storage::parse_mode(&s.file_mode)?;
        let root = crate::paths::expand_home(&s.path);
        if !root.is_absolute() {
            return Err(Error::Input(msg!(
                "Folder (path) must be an absolute path like /srv/www/img, not {:?}",
                s.path
            )));
        }
        Ok(Local {
            root,
            upload_path: s.upload_path,
            url_prefix: s.url_prefix,
            mode,
        })
    }

    fn check_root(&self) -> Result<()> {
        match std::fs::metadata(&self.root) {
            Ok(m) if m.is_dir() => Ok(()),
            Ok(_) => Err(Error::Config(msg!(
                "{} is not a folder",
                self.root.display()
            ))),
            Err(_) => Err(Error::Config(msg!(
                "the folder {} does not exist",
                self.root.display()
            ))),
        }
    }

    /// Write `bytes` as `key` unless it exists: `Ok(false)` when the name is taken.
    fn write_new(&self, key: &str, bytes: &[u8]) -> Result<bool> {
        use std::io::Write;
        let target = file_of(&self.root, key)?;
        let dir = target.parent().unwrap_or(&self.root).to_path_buf();
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::io(msg!("cannot make the folder {}", dir.display()), e))?;
        if target.exists() {
            return Ok(false);
        }
        let mut tmp = tempfile::Builder::new()
            .prefix(".pixdrop-")
            .suffix(".part")
            .tempfile_in(&dir)
            .map_err(|e| Error::io(msg!("cannot write in {}", dir.display()), e))?;
        tmp.write_all(bytes)
            .and_then(|_| set_mode(tmp.as_file(), self.mode))
            .and_then(|_| tmp.as_file().sync_all())
            .map_err(|e| Error::io(msg!("cannot write in {}", dir.display()), e))?;
        // A hard link puts the whole file in place at once and fails if the name is taken;
        // where links are not possible (FAT, some network folders) the file is renamed in place
        // after checking the name is still free.
        match std::fs::hard_link(tmp.path(), &target) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(_) if !target.exists() => {
                tmp.persist_noclobber(&target)
                    .map_err(|e| Error::io(msg!("cannot write {}", target.display()), e.error))?;
                Ok(true)
            }
            Err(_) => Ok(false),
        }
    }
}

#[async_trait]
impl Host for Local {
    fn kind(&self) -> &'static str {
        "local"
    }

    fn max_size(&self) -> Option<u64> {
        None
    }

    async fn upload(
        &self,
        _http: &Http,
        file: &Payload,
        progress: Option<Progress>,
    ) -> Result<Uploaded> {
        self.check_root()?;
        let base = storage::key_for(&self.upload_path, file)?;
        for n in 1..=storage::MAX_TRIES {
            let key = storage::numbered(&base, n);
            let this = self.clone();
            let bytes = file.bytes.clone();
            let k = key.clone();
            let written = blocking(move || this.write_new(&k, &bytes)).await?;
            if written {
                if let Some(p) = &progress {
                    let total = file.bytes.len() as u64;
                    p(total, total);
                }
                return Ok(Uploaded {
                    url: storage::link(&self.url_prefix, &key),
                    delete_handle: Some(self.handle_of(&key)),
                    stored_name: Some(key),
                    ..Default::default()
                });
            }
        }
        Err(Error::Refused(msg!(
            "{base} and {} more names like it are taken in {}; change upload_path",
            storage::MAX_TRIES - 1,
            self.root.display()
        )))
    }

    async fn check(&self, _http: &Http) -> Result<Msg> {
        self.check_root()?;
        let probe = tempfile::Builder::new()
            .prefix(".pixdrop-check-")
            .tempfile_in(&self.root)
            .map_err(|e| Error::io(msg!("cannot write in {}", self.root.display()), e))?;
        drop(probe);
        Ok(msg!(
            "{} is a folder Pixdrop can write to",
            self.root.display()
        ))
    }

    fn deleter(&self) -> Option<&dyn Deletes> {
        Some(self)
    }

    fn sync_place(&self) -> Option<&dyn SyncPlace> {
        Some(self)
    }
}

/// Run file work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::Internal(msg!("the file work failed: {e}")))?
}

#[async_trait]
impl SyncPlace for Local {
    async fn list(&self, _http: &Http, folder: &str) -> Result<Vec<PlaceFile>> {
        self.check_root()?;
        let dir = file_of(&self.root, folder)?;
        blocking(move || {
            let entries = match std::fs::read_dir(&dir) {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
                Err(e) => {
                    return Err(Error::io(
                        msg!("cannot read the folder {}", dir.display()),
                        e,
                    ))
                }
            };
            let mut files = Vec::new();
            for entry in entries {
                let entry = entry
                    .map_err(|e| Error::io(msg!("cannot read the folder {}", dir.display()), e))?;
                let Ok(name) = entry.file_name().into_string() else {
                    continue;
                };
                match entry.metadata() {
                    Ok(m) if m.is_file() && storage::is_listed(&name) => files.push(PlaceFile {
                        name,
                        size: m.len(),
                    }),
                    _ => {}
                }
            }
            files.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(files)
        })
        .await
    }

    async fn read(&self, _http: &Http, key: &str, max: u64) -> Result<Option<Vec<u8>>> {
        use std::io::Read;
        let path = file_of(&self.root, key)?;
        let key = key.to_string();
        blocking(move || {
            let file = match std::fs::File::open(&path) {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(Error::io(msg!("cannot read {}", path.display()), e)),
            };
            let size = file
                .metadata()
                .map_err(|e| Error::io(msg!("cannot read {}", path.display()), e))?
                .len();
            if size > max {
                return Err(storage::too_large(&key, max));
            }
            let mut bytes = Vec::with_capacity(size as usize);
            file.take(max + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| Error::io(msg!("cannot read {}", path.display()), e))?;
            if bytes.len() as u64 > max {
                return Err(storage::too_large(&key, max));
            }
            Ok(Some(bytes))
        })
        .await
    }

    async fn create(&self, _http: &Http, key: &str, bytes: bytes::Bytes) -> Result<bool> {
        self.check_root()?;
        // Sync files are for this user only, whatever mode the uploads get.
        let this = Local {
            mode: 0o600,
            ..self.clone()
        };
        let key = key.to_string();
        blocking(move || this.write_new(&key, &bytes)).await
    }
}

#[async_trait]
impl Storage for Local {
    /// Where this config's files are: the folder as a `file://` URL (the start of every delete
    /// handle).
    fn location(&self) -> String {
        url::Url::from_directory_path(&self.root)
            .map(String::from)
            .unwrap_or_else(|_| format!("file://{}/", self.root.display()))
    }

    async fn delete_key(&self, _http: &Http, key: &str) -> Result<()> {
        let path = file_of(&self.root, key)?;
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            // Already gone (deleted by hand): what was asked is done.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io(msg!("cannot delete {}", path.display()), e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_inside_the_folder() {
        let root = Path::new("/srv/img");
        assert!(file_of(root, "../etc/passwd").is_err());
        assert!(file_of(root, "/etc/passwd").is_err());
        assert!(file_of(root, "a//b.png").is_err());
        assert_eq!(
            file_of(root, "2026/a.png").unwrap(),
            root.join("2026/a.png")
        );
    }
}
