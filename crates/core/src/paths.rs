//! Where Pixdrop keeps its files. The app and the CLI resolve the same places.

use crate::msg;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Environment variable that puts everything under one folder (same as `--data-dir`).
pub const HOME_ENV: &str = "PIXDROP_HOME";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    /// What can be made again (the album's thumbnails).
    pub cache_dir: PathBuf,
}

impl Paths {
    /// Everything under one folder: `DIR/config.json`, `DIR/album.db`, `DIR/logs/`,
    /// `DIR/cache/`.
    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        Paths {
            config_dir: dir.clone(),
            cache_dir: dir.join("cache"),
            data_dir: dir,
        }
    }

    /// `--data-dir` if given, else `$PIXDROP_HOME`, else the platform's config and data folders
    /// (on Linux `~/.config/pixdrop`, `~/.local/share/pixdrop` and `~/.cache/pixdrop`).
    pub fn resolve(explicit: Option<&Path>) -> Result<Self> {
        if let Some(dir) = explicit {
            return Ok(Self::in_dir(dir));
        }
        if let Some(dir) = std::env::var_os(HOME_ENV).filter(|v| !v.is_empty()) {
            return Ok(Self::in_dir(PathBuf::from(dir)));
        }
        let dirs = directories::ProjectDirs::from("", "", "pixdrop").ok_or_else(|| {
            Error::Config(msg!(
                "cannot find a home folder for Pixdrop's data; set {HOME_ENV} or pass --data-dir"
            ))
        })?;
        Ok(Paths {
            config_dir: dirs.config_dir().to_path_buf(),
            data_dir: dirs.data_dir().to_path_buf(),
            cache_dir: dirs.cache_dir().to_path_buf(),
        })
    }

    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.json")
    }
    pub fn album_file(&self) -> PathBuf {
        self.data_dir.join("album.db")
    }
    pub fn log_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }
    /// The local copies of what uploads sent (setting `keep_originals`): data, not cache.
    pub fn originals_dir(&self) -> PathBuf {
        self.data_dir.join("originals")
    }
    pub fn thumbs_dir(&self) -> PathBuf {
        self.cache_dir.join("thumbnails")
    }
    /// The lock files that make uploads of the same bytes wait for each other across processes.
    pub fn locks_dir(&self) -> PathBuf {
        self.data_dir.join("locks")
    }

    /// Create the folders (private to the user: the config holds tokens).
    pub fn ensure(&self) -> Result<()> {
        for dir in [&self.config_dir, &self.data_dir] {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io(msg!("creating {}", dir.display()), e))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
            }
        }
        Ok(())
    }
}

/// A path typed by a user: `~` and `~/…` are the home folder.
pub fn expand_home(path: &str) -> PathBuf {
    match path.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => {
            match directories::BaseDirs::new() {
                Some(b) => b.home_dir().join(rest.trim_start_matches('/')),
                None => PathBuf::from(path),
            }
        }
        _ => PathBuf::from(path),
    }
}
