//! A throwaway registry for catalog tests: Debian's `docker-registry`
//! (distribution 2.8, installed by scripts/setup.sh) on a free loopback
//! port with its storage in a temporary directory, optionally behind
//! htpasswd authentication. Stopped and removed when dropped.

// Tests may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used, dead_code)]

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Registry {
    child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl Registry {
    /// Anonymous access.
    pub fn start() -> Registry {
        Registry::start_with_users(&[])
    }

    /// htpasswd authentication for `users` (none: anonymous access).
    pub fn start_with_users(users: &[(&str, &str)]) -> Registry {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut config = format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.path().join("data").display()
        );
        if !users.is_empty() {
            let lines: Vec<String> = users
                .iter()
                .map(|(u, p)| format!("{u}:{}", bcrypt::hash(p, 5).unwrap()))
                .collect();
            std::fs::write(dir.path().join("htpasswd"), lines.join("\n") + "\n").unwrap();
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: kiln-test\n    path: {}\n",
                dir.path().join("htpasswd").display()
            ));
        }
        std::fs::write(dir.path().join("config.yml"), config).unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(dir.path().join("config.yml"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("docker-registry cannot run ({e}): run scripts/setup.sh"));
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the registry did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Registry {
            child,
            port,
            _dir: dir,
        }
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `127.0.0.1:PORT/prefix`, what follows `oci://` in `KILN_CATALOG`.
    pub fn location(&self, prefix: &str) -> String {
        if prefix.is_empty() {
            self.host()
        } else {
            format!("{}/{prefix}", self.host())
        }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nothing listens on (right now).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
