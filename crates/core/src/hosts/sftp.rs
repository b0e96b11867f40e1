//! A folder on a server reached over SFTP (kind `sftp`), with `russh` and `russh-sftp`: pure
//! Rust, no libssh2 or OpenSSL to link.
//!
//! Host keys are verified. The first `hosts test` shows the server's fingerprint (OpenSSH's
//! `SHA256:…` form) and keeps it in the config as `host_key`; an upload to a server whose key is
//! not known yet is refused with its fingerprint, and a key that changed is refused with both
//! fingerprints named. Files are written under a temporary name and renamed into place (the
//! server refuses to rename over an existing file, so nothing is replaced: a taken name gets
//! `-2`, `-3` …). The delete handle is the key (the path below `path`).

use crate::{msg, Msg};
use std::sync::{Arc, Mutex as StdMutex};

use async_trait::async_trait;
use russh::client;
use russh::keys::{HashAlg, PrivateKeyWithHashAlg};
use russh_sftp::client::SftpSession;
use russh_sftp::protocol::{FileAttributes, OpenFlags, StatusCode};
use serde::Deserialize;
use tokio::io::AsyncWriteExt;

use super::http::Http;
use super::storage::{self, PlaceFile, Storage, SyncPlace, DEFAULT_UPLOAD_PATH};
use super::{Deletes, FieldKind, FieldSpec, Host, Kind, Payload, Progress, Uploaded};
use crate::error::{Error, Result};
use crate::host_config::HostConfig;

pub const KIND: Kind = Kind {
    kind: "sftp",
    label: "SFTP server",
    fields: &[
        FieldSpec::new("host", "Server", FieldKind::Text, "The server's name or address, e.g. example.com.").required("example.com"),
        FieldSpec::new("port", "Port", FieldKind::Number, "The SSH port.").default("22"),
        FieldSpec::new("username", "Username", FieldKind::Text, "The login on the server.").required("me"),
        FieldSpec::new("password", "Password", FieldKind::Secret, "The login's password; or use a private key."),
        FieldSpec::new("private_key", "Private key file", FieldKind::Text, "The path of a private key file (OpenSSH format), e.g. ~/.ssh/id_ed25519. The key stays in its file.").example("~/.ssh/id_ed25519"),
        FieldSpec::new("passphrase", "Key passphrase", FieldKind::Secret, "The passphrase of the private key, if it has one."),
        FieldSpec::new("path", "Folder", FieldKind::Text, "The folder on the server that the URL prefix serves, e.g. /var/www/img. Empty: the login's own folder.").example("/var/www/img"),
        FieldSpec::new("upload_path", "Upload path", FieldKind::Text, "Where in the folder, with placeholders: {Y} {m} {d} {h} {i} {s} {ms} {timestamp} {md5} {sha256} {uuid} {filename} {ext}.").default(DEFAULT_UPLOAD_PATH),
        FieldSpec::new("url_prefix", "URL prefix", FieldKind::Url, "The public address that serves the folder, e.g. https://img.example.com.").required("https://img.example.com"),
        storage::FILE_MODE,
        FieldSpec::new("host_key", "Host key", FieldKind::Text, "The server's key fingerprint (SHA256:…), kept by the first Test. Clear it only when the server's key really changed."),
    ],
    build: |cfg| Ok(Box::new(Sftp::from_config(cfg)?)),
};

#[derive(Debug, Deserialize)]
struct Settings {
    host: String,
    port: u16,
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    private_key: String,
    #[serde(default)]
    passphrase: String,
    #[serde(default)]
    path: String,
    upload_path: String,
    url_prefix: String,
    file_mode: String,
    #[serde(default)]
    host_key: String,
}

/// An open SFTP session and the SSH connection under it.
struct Conn {
    _ssh: client::Handle<Verifier>,
    sftp: SftpSession,
}

pub struct Sftp {
    s: Settings,
    mode: u32,
    /// One connection serves every upload of a batch.
    conn: tokio::sync::Mutex<Option<Conn>>,
    /// The fingerprint the server showed, when a test trusted it for the first time.
    learned: StdMutex<Option<String>>,
}

impl std::fmt::Debug for Sftp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Sftp({}@{}:{})",
            self.s.username, self.s.host, self.s.port
        )
    }
}

/// Checks the server's key against the one the config trusts.
struct Verifier {
    expected: Option<String>,
    /// Trust a server whose key is not known yet (a test), remembering what it showed.
    trust_new: bool,
    seen: Arc<StdMutex<Option<String>>>,
}

impl client::Handler for Verifier {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        key: &russh::keys::PublicKeyOrCertificate,
    ) -> std::result::Result<bool, Self::Error> {
        let public = match key {
            russh::keys::PublicKeyOrCertificate::PublicKey { key, .. } => key.clone(),
            russh::keys::PublicKeyOrCertificate::Certificate(c) => {
                russh::keys::PublicKey::from(c.public_key().clone())
            }
        };
        let fingerprint = public.fingerprint(HashAlg::Sha256).to_string();
        *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(fingerprint.clone());
        Ok(match &self.expected {
            Some(e) => *e == fingerprint,
            None => self.trust_new,
        })
    }
}

fn sftp_err(what: Msg, e: russh_sftp::client::error::Error) -> Error {
    use russh_sftp::client::error::Error as E;
    match &e {
        E::Status(s) if s.status_code == StatusCode::PermissionDenied => {
            Error::Refused(msg!("the server does not allow {what}: permission denied"))
        }
        E::Status(s) if s.status_code == StatusCode::NoSuchFile => {
            Error::Config(msg!("{what}: no such file or folder on the server"))
        }
        E::Timeout => Error::Network(msg!("{what}: the server stopped answering")),
        _ => Error::Network(msg!("{what} failed: {e}")),
    }
}

fn is_status(e: &russh_sftp::client::error::Error, code: StatusCode) -> bool {
    matches!(e, russh_sftp::client::error::Error::Status(s) if s.status_code == code)
}

impl Sftp {
    pub fn from_config(cfg: &HostConfig) -> Result<Self> {
        let s: Settings = super::settings_of(cfg)?;
        crate::rename::check_path_template(&s.upload_path)?;
        let mode = storage::parse_mode(&s.file_mode)?;
        if s.port == 0 {
            return Err(Error::Input(msg!("Port (port) must be above 0")));
        }
        if !s.host_key.is_empty() && !s.host_key.starts_with("SHA256:") {
            return Err(Error::Input(msg!(
                "Host key (host_key) must be a fingerprint like SHA256:…, not {:?}",
                s.host_key
            )));
        }
        Ok(Sftp {
            s,
            mode,
            conn: tokio::sync::Mutex::new(None),
            learned: StdMutex::new(None),
        })
    }

    fn server(&self) -> String {
        format!("{}:{}", self.s.host, self.s.port)
    }

    /// The path on the server of `key`.
    fn remote(&self, key: &str) -> String {
        let base = self.s.path.trim_end_matches('/');
        if base.is_empty() {
            key.to_string()
        } else {
            format!("{base}/{key}")
        }
    }

    async fn connect(&self, http: &Http, trust_new: bool) -> Result<Conn> {
        let seen = Arc::new(StdMutex::new(None));
        let verifier = Verifier {
            expected: (!self.s.host_key.is_empty()).then(|| self.s.host_key.clone()),
            trust_new,
            seen: seen.clone(),
        };
        let config = Arc::new(client::Config {
            inactivity_timeout: Some(http.timeout),
            ..Default::default()
        });
        let server = self.server();
        let connecting = client::connect(config, (self.s.host.as_str(), self.s.port), verifier);
        let mut ssh = match tokio::time::timeout(http.timeout, connecting).await {
            Err(_) => return Err(Error::Timeout(http.timeout)),
            Ok(Ok(h)) => h,
            Ok(Err(russh::Error::UnknownKey)) => {
                let shown = seen
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .clone()
                    .unwrap_or_default();
                return Err(if self.s.host_key.is_empty() {
                    Error::Config(msg!(
                        "the host key of {server} is not known yet: test this config (Image hosts → Test, or `pixdrop hosts test`) to see its fingerprint {shown} and trust it"
                    ))
                } else {
                    Error::Auth(msg!(
                        "the host key of {server} changed: it shows {shown}, this config trusts {}. Someone may be in between; if the server's key really changed, clear host_key and test again",
                        self.s.host_key
                    ))
                });
            }
            Ok(Err(russh::Error::IO(e))) => {
                return Err(Error::Network(msg!("could not reach {server}: {e}")))
            }
            Ok(Err(e)) => {
                return Err(Error::Network(msg!(
                    "the SSH connection to {server} failed: {e}"
                )))
            }
        };
        if trust_new && self.s.host_key.is_empty() {
            *self.learned.lock().unwrap_or_else(|p| p.into_inner()) =
                seen.lock().unwrap_or_else(|p| p.into_inner()).clone();
        }
        self.log_in(&mut ssh).await?;
        let channel = ssh
            .channel_open_session()
            .await
            .map_err(|e| Error::Network(msg!("{server}: cannot open a session: {e}")))?;
        channel
            .request_subsystem(true, "sftp")
            .await
            .map_err(|e| Error::Network(msg!("{server}: cannot start SFTP: {e}")))?;
        let sftp = SftpSession::new(channel.into_stream())
            .await
            .map_err(|e| Error::Refused(msg!("{server} does not offer SFTP: {e}")))?;
        Ok(Conn { _ssh: ssh, sftp })
    }

    async fn log_in(&self, ssh: &mut client::Handle<Verifier>) -> Result<()> {
        let server = self.server();
        let user = &self.s.username;
        let net = |e: russh::Error| Error::Network(msg!("{server}: login failed: {e}"));
        if self.s.password.is_empty() && self.s.private_key.is_empty() {
            return Err(Error::Auth(msg!(
                "no way to log in to {server}: set password or private_key"
            )));
        }
        if !self.s.private_key.is_empty() {
            let path = crate::paths::expand_home(&self.s.private_key);
            let pass = (!self.s.passphrase.is_empty()).then_some(self.s.passphrase.as_str());
            let key = russh::keys::load_secret_key(&path, pass).map_err(|e| match e {
                russh::keys::Error::KeyIsEncrypted => Error::Auth(msg!(
                    "the private key {} has a passphrase: set passphrase",
                    path.display()
                )),
                russh::keys::Error::IO(io) => Error::Config(msg!(
                    "cannot read the private key file {}: {io}",
                    path.display()
                )),
                e if pass.is_some() => Error::Auth(msg!(
                    "the private key {} cannot be opened: a wrong passphrase? ({e})",
                    path.display()
                )),
                e => Error::Config(msg!(
                    "{} is not a private key SSH can use: {e}",
                    path.display()
                )),
            })?;
            let hash = ssh.best_supported_rsa_hash().await.map_err(net)?.flatten();
            let done = ssh
                .authenticate_publickey(user, PrivateKeyWithHashAlg::new(Arc::new(key), hash))
                .await
                .map_err(net)?;
            if done.success() {
                return Ok(());
            }
            if self.s.password.is_empty() {
                return Err(Error::Auth(msg!(
                    "{server} refused the key {} for {user}",
                    path.display()
                )));
            }
        }
        let done = ssh
            .authenticate_password(user, &self.s.password)
            .await
            .map_err(net)?;
        if done.success() {
            Ok(())
        } else {
            Err(Error::Auth(msg!(
                "{server} refused the password for {user}"
            )))
        }
    }

    /// The batch's connection, opened on first use (again after it broke).
    async fn with_conn<T>(
        &self,
        http: &Http,
        work: impl for<'c> AsyncFnOnce(&'c SftpSession) -> Result<T>,
    ) -> Result<T> {
        let mut guard = self.conn.lock().await;
        if guard.is_none() {
            *guard = Some(self.connect(http, false).await?);
        }
        let conn = guard.as_ref().expect("connected above");
        let result = work(&conn.sftp).await;
        if matches!(result, Err(Error::Network(_))) {
            *guard = None;
        }
        result
    }

    async fn make_folders(&self, sftp: &SftpSession, key: &str) -> Result<()> {
        for folder in storage::parents(key) {
            let remote = self.remote(folder);
            match sftp.metadata(remote.clone()).await {
                Ok(m) if m.is_dir() => continue,
                Ok(_) => {
                    return Err(Error::Config(msg!(
                        "{remote} on the server is a file, not a folder"
                    )))
                }
                Err(_) => {}
            }
            if let Err(e) = sftp.create_dir(remote.clone()).await {
                // Made meanwhile by another upload is fine.
                if !sftp
                    .metadata(remote.clone())
                    .await
                    .is_ok_and(|m| m.is_dir())
                {
                    return Err(sftp_err(msg!("making the folder {remote}"), e));
                }
            }
        }
        Ok(())
    }

    /// Write `file` under a temporary name, then move it to the first free name of `base`
    /// and its numbered names (`tries` of them, with the `mode` given); `None` when all are
    /// taken (nothing is left behind).
    async fn write(
        &self,
        sftp: &SftpSession,
        base: &str,
        file: &Payload,
        progress: Option<Progress>,
        tries: u32,
        mode: u32,
    ) -> Result<Option<String>> {
        self.make_folders(sftp, base).await?;
        let tmp = self.remote(&format!(
            "{}.pixdrop-{}.part",
            base,
            uuid::Uuid::new_v4().simple()
        ));
        let mut handle = sftp
            .open_with_flags(
                tmp.clone(),
                OpenFlags::CREATE | OpenFlags::EXCLUDE | OpenFlags::WRITE,
            )
            .await
            .map_err(|e| sftp_err(msg!("writing {tmp}"), e))?;
        let total = file.bytes.len() as u64;
        let mut sent = 0u64;
        let written: std::io::Result<()> = async {
            for chunk in file.bytes.chunks(256 * 1024) {
                handle.write_all(chunk).await?;
                sent += chunk.len() as u64;
                if let Some(p) = &progress {
                    p(sent, total);
                }
            }
            handle.shutdown().await
        }
        .await;
        if let Err(e) = written {
            let _ = sftp.remove_file(tmp.clone()).await;
            return Err(Error::Network(msg!("writing {tmp} failed: {e}")));
        }
        let attrs = FileAttributes {
            permissions: Some(mode),
            ..Default::default()
        };
        if let Err(e) = sftp.set_metadata(tmp.clone(), attrs).await {
            let _ = sftp.remove_file(tmp.clone()).await;
            return Err(sftp_err(msg!("setting the mode of {tmp}"), e));
        }
        for n in 1..=tries {
            let key = storage::numbered(base, n);
            let target = self.remote(&key);
            if sftp.try_exists(target.clone()).await.unwrap_or(false) {
                continue;
            }
            match sftp.rename(tmp.clone(), target.clone()).await {
                Ok(()) => return Ok(Some(key)),
                // Taken meanwhile (the server refuses to rename over a file); a failure with
                // the name still free is another error (a full disk, a quota).
                Err(e)
                    if is_status(&e, StatusCode::Failure)
                        && sftp.try_exists(target.clone()).await.unwrap_or(false) =>
                {
                    continue
                }
                Err(e) => {
                    let _ = sftp.remove_file(tmp.clone()).await;
                    return Err(sftp_err(msg!("moving the file to {target}"), e));
                }
            }
        }
        let _ = sftp.remove_file(tmp).await;
        Ok(None)
    }
}

#[async_trait]
impl Host for Sftp {
    fn kind(&self) -> &'static str {
        "sftp"
    }

    fn max_size(&self) -> Option<u64> {
        None
    }

    async fn upload(
        &self,
        http: &Http,
        file: &Payload,
        progress: Option<Progress>,
    ) -> Result<Uploaded> {
        let base = storage::key_for(&self.s.upload_path, file)?;
        let key = self
            .with_conn(http, async |sftp| {
                self.write(
                    sftp,
                    &base,
                    file,
                    progress.clone(),
                    storage::MAX_TRIES,
                    self.mode,
                )
                .await
            })
            .await?
            .ok_or_else(|| {
                Error::Refused(msg!(
                    "{base} and {} more names like it are taken on {}; change upload_path",
                    storage::MAX_TRIES - 1,
                    self.server()
                ))
            })?;
        Ok(Uploaded {
            url: storage::link(&self.s.url_prefix, &key),
            delete_handle: Some(self.handle_of(&key)),
            stored_name: Some(key),
            ..Default::default()
        })
    }

    async fn check(&self, http: &Http) -> Result<Msg> {
        let conn = self.connect(http, true).await?;
        let folder = if self.s.path.is_empty() {
            ".".to_string()
        } else {
            self.s.path.clone()
        };
        let meta = conn
            .sftp
            .metadata(folder.clone())
            .await
            .map_err(|e| sftp_err(msg!("reading the folder {folder}"), e))?;
        if !meta.is_dir() {
            return Err(Error::Config(msg!(
                "{folder} on {} is not a folder",
                self.server()
            )));
        }
        let learned = self
            .learned
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        Ok(match learned {
            Some(fp) => msg!(
                "{} logged in as {}; its host key {fp} is now trusted",
                self.server(),
                self.s.username
            ),
            None => msg!(
                "{} logged in as {} (host key {})",
                self.server(),
                self.s.username,
                self.s.host_key
            ),
        })
    }

    fn learned(&self) -> Vec<(&'static str, String)> {
        self.learned
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .map(|fp| vec![("host_key", fp)])
            .unwrap_or_default()
    }

    fn deleter(&self) -> Option<&dyn Deletes> {
        Some(self)
    }

    fn sync_place(&self) -> Option<&dyn SyncPlace> {
        Some(self)
    }
}

#[async_trait]
impl SyncPlace for Sftp {
    async fn list(&self, http: &Http, folder: &str) -> Result<Vec<PlaceFile>> {
        let remote = self.remote(folder.trim_matches('/'));
        self.with_conn(http, async |sftp| {
            let entries = match sftp.read_dir(remote.clone()).await {
                Ok(e) => e,
                Err(e) if is_status(&e, StatusCode::NoSuchFile) => return Ok(Vec::new()),
                Err(e) => return Err(sftp_err(msg!("listing {remote}"), e)),
            };
            let mut files: Vec<PlaceFile> = entries
                .filter(|e| e.file_type().is_file() && storage::is_listed(&e.file_name()))
                .map(|e| PlaceFile {
                    size: e.metadata().size.unwrap_or(0),
                    name: e.file_name(),
                })
                .collect();
            files.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(files)
        })
        .await
    }

    async fn read(&self, http: &Http, key: &str, max: u64) -> Result<Option<Vec<u8>>> {
        use tokio::io::AsyncReadExt;
        let remote = self.remote(key);
        self.with_conn(http, async |sftp| {
            let file = match sftp.open(remote.clone()).await {
                Ok(f) => f,
                Err(e) if is_status(&e, StatusCode::NoSuchFile) => return Ok(None),
                Err(e) => return Err(sftp_err(msg!("reading {remote}"), e)),
            };
            let size = file
                .metadata()
                .await
                .map_err(|e| sftp_err(msg!("reading {remote}"), e))?
                .size
                .unwrap_or(0);
            if size > max {
                return Err(storage::too_large(key, max));
            }
            let mut bytes = Vec::with_capacity(size as usize);
            file.take(max + 1)
                .read_to_end(&mut bytes)
                .await
                .map_err(|e| Error::Network(msg!("reading {remote} failed: {e}")))?;
            if bytes.len() as u64 > max {
                return Err(storage::too_large(key, max));
            }
            Ok(Some(bytes))
        })
        .await
    }

    async fn create(&self, http: &Http, key: &str, bytes: bytes::Bytes) -> Result<bool> {
        let file = Payload {
            name: key.to_string(),
            bytes,
            mime: "application/octet-stream",
        };
        // Sync files are for this login only, whatever mode the uploads get.
        let written = self
            .with_conn(http, async |sftp| {
                self.write(sftp, key, &file, None, 1, 0o600).await
            })
            .await?;
        Ok(written.is_some())
    }
}

#[async_trait]
impl Storage for Sftp {
    /// Where this config's files are: the login, the server and the folder (the start of every
    /// delete handle).
    fn location(&self) -> String {
        let folder = self.s.path.trim_matches('/');
        let folder = if folder.is_empty() {
            String::new()
        } else {
            format!("{}/", storage::encode_key(folder))
        };
        let absolute = if self.s.path.starts_with('/') {
            "/"
        } else {
            "/~/"
        };
        format!(
            "sftp://{}@{}:{}{absolute}{folder}",
            storage::encode_key(&self.s.username),
            self.s.host,
            self.s.port
        )
    }

    async fn delete_key(&self, http: &Http, key: &str) -> Result<()> {
        let remote = self.remote(key);
        self.with_conn(http, async |sftp| {
            match sftp.remove_file(remote.clone()).await {
                Ok(()) => Ok(()),
                // Already gone (deleted by hand): what was asked is done.
                Err(e) if is_status(&e, StatusCode::NoSuchFile) => Ok(()),
                Err(e) => Err(sftp_err(msg!("deleting {remote}"), e)),
            }
        })
        .await
    }
}
