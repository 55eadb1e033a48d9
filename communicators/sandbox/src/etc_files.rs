//! The /etc/hosts and /etc/resolv.conf the sandbox sees: generated files
//! bind-mounted over the rootfs's own (which stay untouched), as Docker
//! supplies them.

use crate::config::Network;
use crate::error::SandboxError;
use std::path::{Path, PathBuf};

/// Docker's /etc/hosts for a container, with the hostname on 127.0.1.1
/// (there is no container address: the network is the host's or none).
pub fn hosts(hostname: &str) -> String {
    format!(
        "127.0.0.1\tlocalhost\n\
         ::1\tlocalhost ip6-localhost ip6-loopback\n\
         fe00::0\tip6-localnet\n\
         ff00::0\tip6-mcastprefix\n\
         ff02::1\tip6-allnodes\n\
         ff02::2\tip6-allrouters\n\
         127.0.1.1\t{hostname}\n"
    )
}

/// The host's resolver configuration with the host's network; with none,
/// a file without name servers (nothing could reach them).
pub fn resolv_conf(network: Network, host_resolv: Option<&str>) -> String {
    match (network, host_resolv) {
        (Network::Host, Some(host)) => host.to_owned(),
        _ => String::new(),
    }
}

pub struct EtcFiles {
    _dir: kiln_core::tempdir::TempDir,
    pub hosts: PathBuf,
    pub resolv_conf: PathBuf,
}

impl EtcFiles {
    pub fn write(hostname: &str, network: Network) -> Result<EtcFiles, SandboxError> {
        let dir = kiln_core::tempdir::owned("sandbox")
            .map_err(|e| SandboxError::io("create a temporary directory", e))?;
        let host_resolv = std::fs::read_to_string("/etc/resolv.conf").ok();
        let hosts = write(dir.path(), "hosts", &hosts(hostname))?;
        let resolv_conf = write(
            dir.path(),
            "resolv.conf",
            &resolv_conf(network, host_resolv.as_deref()),
        )?;
        Ok(EtcFiles {
            _dir: dir,
            hosts,
            resolv_conf,
        })
    }
}

fn write(dir: &Path, name: &str, contents: &str) -> Result<PathBuf, SandboxError> {
    let path = dir.join(name);
    std::fs::write(&path, contents)
        .map_err(|e| SandboxError::io(format!("write {}", path.display()), e))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_names_the_sandbox() {
        let h = hosts("box");
        assert!(h.starts_with("127.0.0.1\tlocalhost\n"));
        assert!(h.ends_with("127.0.1.1\tbox\n"));
    }

    #[test]
    fn resolv_conf_follows_the_network() {
        let host = "nameserver 10.0.0.2\n";
        assert_eq!(resolv_conf(Network::Host, Some(host)), host);
        assert_eq!(resolv_conf(Network::None, Some(host)), "");
        assert_eq!(resolv_conf(Network::Host, None), "");
    }
}
