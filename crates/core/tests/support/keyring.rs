//! A private D-Bus session with a real, unlocked GNOME Keyring (Debian `gnome-keyring`), and
//! `secret-tool` (Debian `libsecret-tools`) to look into it as another program would. Nothing of
//! the user's session is touched: the bus, HOME and XDG_RUNTIME_DIR are the test's.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct SecretService {
    dir: tempfile::TempDir,
    bus: Child,
    keyring: Option<Child>,
    /// The bus's address, for `DBUS_SESSION_BUS_ADDRESS`.
    pub address: String,
}

impl SecretService {
    /// A bus of its own, with GNOME Keyring running on it (unlocked) when `with_keyring`.
    pub fn start(with_keyring: bool) -> SecretService {
        let dir = tempfile::tempdir().unwrap();
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (Debian dbus) must be installed");
        let mut address = String::new();
        BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        let mut s = SecretService {
            dir,
            bus,
            keyring: None,
            address: address.trim().to_string(),
        };
        assert!(!s.address.is_empty(), "dbus-daemon gave no address");
        if with_keyring {
            s.start_keyring();
        }
        s
    }

    fn start_keyring(&mut self) {
        let home = self.dir.path().join("home");
        let run = self.dir.path().join("run");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&run).unwrap();
        std::fs::set_permissions(&run, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .unwrap();
        let mut child = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .env("HOME", &home)
            .env("XDG_RUNTIME_DIR", &run)
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon (Debian gnome-keyring) must be installed");
        // The password that creates and unlocks the login keyring.
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"pixdrop-test").unwrap();
        drop(stdin);
        self.keyring = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while !self.has_secret_service() {
            if let Some(Ok(Some(status))) = self.keyring.as_mut().map(Child::try_wait) {
                panic!("gnome-keyring-daemon exited ({status}) before taking its bus name");
            }
            assert!(
                Instant::now() < deadline,
                "gnome-keyring-daemon took no bus name in 60 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Whether `org.freedesktop.secrets` has an owner on the bus.
    pub fn has_secret_service(&self) -> bool {
        let out = Command::new("dbus-send")
            .args([
                "--session",
                "--dest=org.freedesktop.DBus",
                "--print-reply",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.secrets",
            ])
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).contains("boolean true")
    }

    /// Stop the keyring (the bus stays): the session then has no Secret Service.
    pub fn stop_keyring(&mut self) {
        if let Some(mut k) = self.keyring.take() {
            let _ = k.kill();
            let _ = k.wait();
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.has_secret_service() {
            assert!(Instant::now() < deadline, "the keyring's bus name stayed");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn secret_tool(&self, args: &[&str]) -> Command {
        let mut c = Command::new("secret-tool");
        c.args(args)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .env_remove("DISPLAY");
        c
    }

    /// The secret of the item with these attributes, if there is one.
    pub fn lookup(&self, attributes: &[(&str, &str)]) -> Option<String> {
        let args: Vec<&str> = std::iter::once("lookup")
            .chain(attributes.iter().flat_map(|(k, v)| [*k, *v]))
            .collect();
        let out = self.secret_tool(&args).output().unwrap();
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// How many items have these attributes.
    pub fn count(&self, attributes: &[(&str, &str)]) -> usize {
        let args: Vec<&str> = ["search", "--all"]
            .into_iter()
            .chain(attributes.iter().flat_map(|(k, v)| [*k, *v]))
            .collect();
        let out = self.secret_tool(&args).output().unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .chain(String::from_utf8_lossy(&out.stderr).lines())
            .filter(|l| l.starts_with("secret = "))
            .count()
    }

    /// Lock the login keyring, as the desktop does on a screen lock (unlocking needs a prompt).
    pub fn lock(&self) {
        let st = Command::new("dbus-send")
            .args([
                "--session",
                "--dest=org.freedesktop.secrets",
                "--print-reply",
                "/org/freedesktop/secrets",
                "org.freedesktop.Secret.Service.Lock",
                "array:objpath:/org/freedesktop/secrets/collection/login",
            ])
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
    }

    /// Remove the items with these attributes, as another program would.
    pub fn clear(&self, attributes: &[(&str, &str)]) {
        let args: Vec<&str> = std::iter::once("clear")
            .chain(attributes.iter().flat_map(|(k, v)| [*k, *v]))
            .collect();
        assert!(self.secret_tool(&args).status().unwrap().success());
    }

    /// Store an item as another program would.
    pub fn store(&self, label: &str, attributes: &[(&str, &str)], secret: &str) {
        let args: Vec<String> = ["store".to_string(), format!("--label={label}")]
            .into_iter()
            .chain(
                attributes
                    .iter()
                    .flat_map(|(k, v)| [k.to_string(), v.to_string()]),
            )
            .collect();
        let mut child = self
            .secret_tool(&args.iter().map(String::as_str).collect::<Vec<_>>())
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(secret.as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success(), "secret-tool store failed");
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        if let Some(mut k) = self.keyring.take() {
            let _ = k.kill();
            let _ = k.wait();
        }
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}
