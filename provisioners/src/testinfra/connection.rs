//! How pytest-testinfra reaches the machine: its `ssh://` backend with an
//! ssh_config kiln writes (straight to an SSH machine with the build's
//! key, or to kiln's SSH adapter), or its `ansible://` backend with an
//! inventory that names the adapter serving a container sandbox.

use super::error::TestinfraError;
use kiln_core::Generated;
use std::io::Write;
use std::path::Path;

/// The host name the files give the machine (Packer's `host_alias`
/// default for ansible).
pub const HOST_ALIAS: &str = "default";

/// A connection's files, removed when it is dropped, and pytest's
/// arguments for it.
pub struct Connection {
    file: tempfile::TempPath,
    _key: Option<tempfile::TempPath>,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    SshConfig,
    AnsibleInventory,
}

/// Where the machine answers SSH and how to log in.
pub struct Endpoint<'a> {
    pub host: &'a str,
    pub port: &'a str,
    pub user: &'a str,
    pub key_file: &'a Path,
}

fn write(what: &'static str, text: &str) -> Result<tempfile::TempPath, TestinfraError> {
    let write = || -> std::io::Result<tempfile::TempPath> {
        let mut f = tempfile::Builder::new()
            .prefix("kiln-testinfra")
            .tempfile()?;
        f.write_all(text.as_bytes())?;
        f.flush()?;
        Ok(f.into_temp_path())
    };
    write().map_err(|cause| TestinfraError::Write { what, cause })
}

/// ssh_config's quoting: a value in double quotes may hold spaces.
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', ""))
}

pub fn ssh_config_text(e: &Endpoint<'_>) -> String {
    format!(
        "Host {HOST_ALIAS}\n  HostName {}\n  Port {}\n  User {}\n  IdentityFile {}\n  IdentitiesOnly yes\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n",
        quoted(e.host),
        e.port,
        quoted(e.user),
        quoted(&e.key_file.display().to_string()),
    )
}

/// ansible's INI inventory: one host line; values with spaces in single
/// quotes.
pub fn inventory_text(e: &Endpoint<'_>) -> String {
    format!(
        "{HOST_ALIAS} ansible_connection=ssh ansible_host={} ansible_port={} ansible_user={} ansible_ssh_private_key_file='{}' ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes'\n",
        e.host,
        e.port,
        e.user,
        e.key_file.display(),
    )
}

impl Connection {
    pub fn new(kind: Kind, e: &Endpoint<'_>) -> Result<Connection, TestinfraError> {
        let file = match kind {
            Kind::SshConfig => write("ssh_config", &ssh_config_text(e))?,
            Kind::AnsibleInventory => write("inventory", &inventory_text(e))?,
        };
        Ok(Connection {
            file,
            _key: None,
            kind,
        })
    }

    /// Straight to an SSH machine, when the build's `build.*` values
    /// name its address and a key (a key file, or the temporary key).
    pub fn direct(g: &Generated) -> Result<Option<Connection>, TestinfraError> {
        let get = |k: &str| g.get(k).map(String::as_str).unwrap_or_default();
        if get("ConnType") != "ssh" || get("Host").is_empty() || get("User").is_empty() {
            return Ok(None);
        }
        let (key_file, key_copy) = if !get("SSHPrivateKeyFile").is_empty() {
            (Path::new(get("SSHPrivateKeyFile")).to_owned(), None)
        } else if !get("SSHPrivateKey").is_empty() {
            let copy = crate::key_file::write_private_key(get("SSHPrivateKey"), "testinfra-key")
                .map_err(|cause| TestinfraError::Write {
                    what: "private key",
                    cause,
                })?;
            (copy.to_path_buf(), Some(copy))
        } else {
            return Ok(None);
        };
        let mut c = Connection::new(
            Kind::SshConfig,
            &Endpoint {
                host: get("Host"),
                port: get("Port"),
                user: get("User"),
                key_file: &key_file,
            },
        )?;
        c._key = key_copy;
        Ok(Some(c))
    }

    #[cfg(test)]
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// pytest's `--hosts` and the file that goes with it.
    pub fn args(&self) -> Vec<String> {
        match self.kind {
            Kind::SshConfig => vec![
                format!("--hosts=ssh://{HOST_ALIAS}"),
                format!("--ssh-config={}", self.file.display()),
            ],
            Kind::AnsibleInventory => vec![
                format!("--hosts=ansible://{HOST_ALIAS}"),
                format!("--ansible-inventory={}", self.file.display()),
            ],
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn generated(pairs: &[(&str, &str)]) -> Generated {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn an_ssh_machine_with_a_key_is_reached_directly() {
        let g = generated(&[
            ("ConnType", "ssh"),
            ("Host", "127.0.0.1"),
            ("Port", "2222"),
            ("User", "kiln"),
            ("SSHPrivateKey", "-----BEGIN OPENSSH PRIVATE KEY-----\n"),
        ]);
        let c = Connection::direct(&g).unwrap().unwrap();
        assert_eq!(c.kind(), Kind::SshConfig);
        let args = c.args();
        assert_eq!(args[0], "--hosts=ssh://default");
        let file = args[1].strip_prefix("--ssh-config=").unwrap();
        let text = std::fs::read_to_string(file).unwrap();
        assert!(
            text.contains("HostName \"127.0.0.1\"\n  Port 2222\n  User \"kiln\""),
            "{text}"
        );
        let key = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("IdentityFile "))
            .unwrap()
            .trim_matches('"')
            .to_owned();
        assert_eq!(
            std::fs::read_to_string(&key).unwrap(),
            "-----BEGIN OPENSSH PRIVATE KEY-----\n"
        );
        let mode = std::fs::metadata(&key).unwrap().permissions();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
            0o600
        );
        drop(c);
        assert!(!Path::new(file).exists() && !Path::new(&key).exists());
    }

    #[test]
    fn without_an_address_or_a_key_there_is_no_direct_way() {
        for g in [
            generated(&[("ConnType", "sandbox")]),
            generated(&[
                ("ConnType", "ssh"),
                ("Host", "h"),
                ("User", "u"),
                ("Password", "p"),
            ]),
        ] {
            assert!(Connection::direct(&g).unwrap().is_none());
        }
    }

    #[test]
    fn the_inventory_names_the_adapter() {
        let text = inventory_text(&Endpoint {
            host: "127.0.0.1",
            port: "40000",
            user: "root",
            key_file: Path::new("/tmp/k"),
        });
        assert_eq!(
            text,
            "default ansible_connection=ssh ansible_host=127.0.0.1 ansible_port=40000 ansible_user=root ansible_ssh_private_key_file='/tmp/k' ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes'\n"
        );
    }
}
