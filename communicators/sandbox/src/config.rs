//! What a sandbox runs with. Plain Rust: the OCI builder maps its
//! template fields (`volumes`, `privileged`, `exec_user`, …) onto it.

use crate::error::SandboxError;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Network {
    /// Share the host's network namespace (Docker's `--network host`).
    #[default]
    Host,
    /// A network namespace of its own with only `lo`, which is up.
    None,
}

impl std::str::FromStr for Network {
    type Err = SandboxError;
    fn from_str(s: &str) -> Result<Network, SandboxError> {
        match s {
            "host" => Ok(Network::Host),
            "none" => Ok(Network::None),
            other => Err(SandboxError::BadNetwork(other.to_owned())),
        }
    }
}

/// A host path bind-mounted into the sandbox (`host:container[:ro]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    pub host: PathBuf,
    /// Absolute path inside the rootfs.
    pub container: String,
    pub read_only: bool,
}

impl std::str::FromStr for Volume {
    type Err = SandboxError;
    /// Docker's `-v` syntax: `HOST:CONTAINER`, optionally `:ro` or `:rw`.
    fn from_str(spec: &str) -> Result<Volume, SandboxError> {
        let bad = || SandboxError::BadVolume(spec.to_owned());
        let parts: Vec<&str> = spec.split(':').collect();
        let (host, container, read_only) = match parts.as_slice() {
            [h, c] => (*h, *c, false),
            [h, c, "ro"] => (*h, *c, true),
            [h, c, "rw"] => (*h, *c, false),
            _ => return Err(bad()),
        };
        if !host.starts_with('/') || !container.starts_with('/') {
            return Err(bad());
        }
        Ok(Volume {
            host: PathBuf::from(host),
            container: container.to_owned(),
            read_only,
        })
    }
}

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The unpacked root filesystem (a directory on the host).
    pub rootfs: PathBuf,
    pub network: Network,
    /// Absolute working directory inside the rootfs; created when missing
    /// (as Docker does), and then listed by `created_paths`.
    pub workdir: String,
    /// `name`, `uid`, `name:group` or `uid:gid`, resolved against the
    /// rootfs's /etc/passwd and /etc/group; `None` is root.
    pub user: Option<String>,
    /// The command's environment (the image's `Env`), in order; `PATH`,
    /// `HOSTNAME` and `HOME` get Docker's defaults when absent.
    pub env: Vec<(String, String)>,
    pub volumes: Vec<Volume>,
    /// All capabilities and the host's devices (Docker's `--privileged`).
    pub privileged: bool,
    pub hostname: String,
}

impl SandboxConfig {
    /// Defaults as Docker runs a container: host network, `/`, root.
    pub fn new(rootfs: impl Into<PathBuf>) -> SandboxConfig {
        SandboxConfig {
            rootfs: rootfs.into(),
            network: Network::Host,
            workdir: "/".to_owned(),
            user: None,
            env: Vec::new(),
            volumes: Vec::new(),
            privileged: false,
            hostname: "kiln".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volumes_parse_docker_syntax() {
        let v: Volume = "/srv/data:/data:ro".parse().unwrap();
        assert_eq!(v.host, PathBuf::from("/srv/data"));
        assert_eq!(v.container, "/data");
        assert!(v.read_only);
        let v: Volume = "/a:/b".parse().unwrap();
        assert!(!v.read_only);
        assert!("/a".parse::<Volume>().is_err());
        assert!("/a:/b:rx".parse::<Volume>().is_err());
        assert!("rel:/b".parse::<Volume>().is_err());
        assert_eq!("none".parse::<Network>().ok(), Some(Network::None));
        assert!("bridge".parse::<Network>().is_err());
    }
}
