//! A throwaway OpenSSH server for tests (feature `test-sshd`): `sshd -D`
//! on a free loopback port with its own host key and an
//! `authorized_keys` file that holds a fresh key pair; killed on drop.
//! Needs root (as the test machines run) and `/usr/sbin/sshd`
//! (`scripts/setup.sh` installs it). Fails loudly instead of skipping.

use crate::config::SshSettings;
use crate::keypair::KeyPair;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const SSHD: &str = "/usr/sbin/sshd";

pub struct TestSshd {
    pub port: u16,
    /// The private key `authorized_keys` accepts, as a file.
    pub key_file: PathBuf,
    pub key: KeyPair,
    dir: tempfile::TempDir,
    child: Child,
}

impl TestSshd {
    /// Start a server and wait until it accepts connections.
    pub fn start() -> Result<TestSshd, String> {
        TestSshd::start_with(None, false)
    }

    /// Start a server that lets root in with any key at all, the way an
    /// instance lets in whatever key pair it was launched with: for
    /// builders whose key pairs are made elsewhere (EC2's temporary key
    /// pairs, which moto generates).
    pub fn start_accepting_any_key() -> Result<TestSshd, String> {
        TestSshd::start_with(None, true)
    }

    /// Start a server that also accepts `password` for root. Password
    /// logins check `/etc/shadow`: sshd runs in a mount namespace of its
    /// own where a copy with root's hash replaced is bound over it, so the
    /// machine's accounts are never touched.
    pub fn start_with_password(password: &str) -> Result<TestSshd, String> {
        TestSshd::start_with(Some(password), false)
    }

    fn start_with(password: Option<&str>, any_key: bool) -> Result<TestSshd, String> {
        if !Path::new(SSHD).exists() {
            return Err(format!(
                "{SSHD} is missing: run scripts/setup.sh (it installs openssh-server)"
            ));
        }
        // Privilege separation needs its empty directory.
        std::fs::create_dir_all("/run/sshd").map_err(|e| format!("creating /run/sshd: {e}"))?;
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let host_key = dir.path().join("host_key");
        let out = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(&host_key)
            .output()
            .map_err(|e| format!("ssh-keygen (openssh-client): {e}"))?;
        if !out.status.success() {
            return Err(format!("ssh-keygen failed: {out:?}"));
        }
        let key = KeyPair::generate().map_err(|e| e.to_string())?;
        let key_file = dir.path().join("user_key");
        write_private(&key_file, key.private_openssh())?;
        std::fs::write(
            dir.path().join("authorized_keys"),
            format!("{}\n", key.public_line()),
        )
        .map_err(|e| e.to_string())?;
        if let Some(password) = password {
            write_shadow(&dir.path().join("shadow"), password)?;
        }
        // A port picked by the kernel may be taken again before sshd binds
        // it: try a few.
        let mut last = String::new();
        for _ in 0..5 {
            let port = free_port()?;
            let config = dir.path().join("sshd_config");
            std::fs::write(
                &config,
                sshd_config(dir.path(), &host_key, port, password.is_some(), any_key),
            )
            .map_err(|e| e.to_string())?;
            let mut child = spawn(dir.path())?;
            match wait_listening(&mut child, port) {
                Ok(()) => {
                    return Ok(TestSshd {
                        port,
                        key_file,
                        key,
                        dir,
                        child,
                    })
                }
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    last = format!(
                        "{e}; sshd said: {}",
                        std::fs::read_to_string(dir.path().join("sshd.log")).unwrap_or_default()
                    );
                }
            }
        }
        Err(last)
    }

    /// Settings that log in as root with the authorized key.
    pub fn settings(&self) -> SshSettings {
        SshSettings {
            host: "127.0.0.1".into(),
            port: self.port,
            username: "root".into(),
            private_key_file: Some(self.key_file.clone()),
            timeout: Duration::from_secs(20),
            handshake_attempts: 1,
            keep_alive: Some(Duration::from_secs(5)),
            ..SshSettings::default()
        }
    }

    /// Accept one more public key line.
    pub fn authorize(&self, public_line: &str) -> Result<(), String> {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(self.dir.path().join("authorized_keys"))
            .map_err(|e| e.to_string())?;
        writeln!(f, "{public_line}").map_err(|e| e.to_string())
    }

    /// A scratch directory that lives as long as the server.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The server's log so far, for assertion messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sshd.log")).unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Wait up to `within` for the server to exit (a test's command may
    /// stop it, as a reboot would). Whether it did.
    pub fn wait_exit(&mut self, within: Duration) -> bool {
        let end = Instant::now() + within;
        while Instant::now() < end {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// Start the server again on the same port with the same keys, as a
    /// machine whose sshd comes back after a reboot.
    pub fn restart(&mut self) -> Result<(), String> {
        self.kill_all();
        let mut last = String::new();
        // The old listener's port may take a moment to be free.
        for _ in 0..20 {
            let mut child = spawn(self.dir.path())?;
            match wait_listening(&mut child, self.port) {
                Ok(()) => {
                    self.child = child;
                    return Ok(());
                }
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    last = e;
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
        Err(last)
    }

    /// Kill every session the server serves (as a reboot would), leaving
    /// the listener up. Sessions are the server's descendants in /proc.
    /// The server's session processes die at once, so the connections
    /// drop without a word; the shells they ran get SIGTERM and a moment
    /// first: a login shell killed outright can leave a lock behind
    /// (pyenv's `rehash` lock in root's `.bashrc` here), which then stalls
    /// every later login on the machine for a minute.
    pub fn kill_sessions(&self) {
        let signal = |pids: &[u32], signal| {
            for pid in pids {
                if let Some(pid) = i32::try_from(*pid)
                    .ok()
                    .and_then(rustix::process::Pid::from_raw)
                {
                    let _ = rustix::process::kill_process(pid, signal);
                }
            }
        };
        let (servers, shells): (Vec<u32>, Vec<u32>) =
            descendants(self.child.id()).into_iter().partition(|pid| {
                std::fs::read_to_string(format!("/proc/{pid}/comm"))
                    .is_ok_and(|c| c.trim_end() == "sshd")
            });
        signal(&servers, rustix::process::Signal::KILL);
        signal(&shells, rustix::process::Signal::TERM);
        let end = Instant::now() + Duration::from_secs(1);
        let alive = || {
            shells
                .iter()
                .filter(|p| {
                    std::fs::read_to_string(format!("/proc/{p}/stat"))
                        .is_ok_and(|s| !s.contains(") Z "))
                })
                .count()
        };
        while Instant::now() < end && alive() > 0 {
            std::thread::sleep(Duration::from_millis(20));
        }
        signal(&shells, rustix::process::Signal::KILL);
    }

    /// Kill the server and every session it serves.
    pub fn kill_all(&mut self) {
        self.kill_sessions();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for TestSshd {
    fn drop(&mut self) {
        self.kill_all();
    }
}

/// `sshd -D` on the configuration in `dir`, logging to `dir/sshd.log`
/// (appended to, so a restart keeps what the first server said).
fn spawn(dir: &Path) -> Result<Child, String> {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("sshd.log"))
        .map_err(|e| e.to_string())?;
    let shadow = dir.join("shadow");
    let mut cmd = if shadow.exists() {
        // unshare and sh both exec: the child's pid stays sshd's.
        let mut c = Command::new("unshare");
        c.args(["--mount", "--propagation", "private", "--", "sh", "-c"])
            .arg(r#"mount --bind "$1" /etc/shadow && exec "$0" -D -e -f "$2""#)
            .arg(SSHD)
            .arg(&shadow);
        c
    } else {
        let mut c = Command::new(SSHD);
        c.args(["-D", "-e", "-f"]);
        c
    };
    cmd.arg(dir.join("sshd_config"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map_err(|e| format!("starting {SSHD}: {e}"))
}

fn write_private(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| e.to_string())?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| e.to_string())
}

fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// The machine's shadow file with root's hash replaced by one of
/// `password` (SHA-512 crypt from `openssl passwd`).
fn write_shadow(path: &Path, password: &str) -> Result<(), String> {
    let out = Command::new("openssl")
        .args(["passwd", "-6", "-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            if let Some(mut stdin) = c.stdin.take() {
                writeln!(stdin, "{password}")?;
            }
            c.wait_with_output()
        })
        .map_err(|e| format!("openssl passwd (run scripts/setup.sh): {e}"))?;
    let hash = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || hash.is_empty() {
        return Err(format!("openssl passwd failed: {out:?}"));
    }
    let machine = std::fs::read_to_string("/etc/shadow").map_err(|e| e.to_string())?;
    let mut text: String = machine
        .lines()
        .filter(|l| !l.starts_with("root:"))
        .map(|l| format!("{l}\n"))
        .collect();
    text.push_str(&format!("root:{hash}:19000:0:99999:7:::\n"));
    std::fs::write(path, text).map_err(|e| e.to_string())?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o640))
        .map_err(|e| e.to_string())
}

fn sshd_config(dir: &Path, host_key: &Path, port: u16, password: bool, any_key: bool) -> String {
    // sshd asks the command for the keys it accepts and gives it the
    // offered key (`%t %k`): echoing it back accepts every key.
    let any_key = if any_key {
        "AuthorizedKeysCommand /usr/bin/echo %t %k\nAuthorizedKeysCommandUser nobody\n"
    } else {
        ""
    };
    format!(
        "Port {port}
ListenAddress 127.0.0.1
HostKey {host_key}
AuthorizedKeysFile {keys}
PidFile none
StrictModes no
UsePAM no
PermitRootLogin yes
PasswordAuthentication {password}
KbdInteractiveAuthentication no
AllowTcpForwarding yes
Subsystem sftp internal-sftp
LogLevel VERBOSE
{any_key}",
        host_key = host_key.display(),
        keys = dir.join("authorized_keys").display(),
        password = if password { "yes" } else { "no" },
    )
}

fn wait_listening(child: &mut Child, port: u16) -> Result<(), String> {
    let end = Instant::now() + Duration::from_secs(10);
    while Instant::now() < end {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("sshd exited: {status}"));
        }
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Err("sshd did not listen within 10s".into())
}

/// Every process below `pid`, children first.
fn descendants(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in entries.flatten() {
        let Ok(child) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let stat = std::fs::read_to_string(format!("/proc/{child}/stat")).unwrap_or_default();
        // The parent pid is the second field after the command in parentheses.
        let ppid = stat
            .rsplit_once(") ")
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(pid) {
            out.extend(descendants(child));
            out.push(child);
        }
    }
    out
}
