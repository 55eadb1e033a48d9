//! Connection settings resolved from a [`CommConfig`], Packer's defaults
//! applied: what the connector works from.

use super::key_file::expand_user;
use super::validate::non_empty;
use super::CommConfig;
use kiln_gocompat::GoDuration;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, PartialEq, Eq, Default)]
pub struct SshSettings {
    pub host: String,
    pub port: u16,
    pub username: String,
    pub password: Option<String>,
    pub private_key_file: Option<PathBuf>,
    /// A private key held in memory (the temporary key pair), OpenSSH
    /// format.
    pub private_key: Option<String>,
    pub agent_auth: bool,
    pub pty: bool,
    /// How long to keep trying to connect.
    pub timeout: Duration,
    /// Authentication failures tolerated before giving up.
    pub handshake_attempts: u32,
    pub keep_alive: Option<Duration>,
    pub read_write_timeout: Option<Duration>,
    pub pause_before_connecting: Option<Duration>,
    pub transfer: Transfer,
    pub ciphers: Vec<String>,
    pub kex: Vec<String>,
    pub bastion: Option<Bastion>,
    pub proxy: Option<Proxy>,
}

// Hand-written so that passwords and keys never reach a log line.
impl std::fmt::Debug for SshSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SshSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<sensitive>"))
            .field("private_key_file", &self.private_key_file)
            .field(
                "private_key",
                &self.private_key.as_ref().map(|_| "<sensitive>"),
            )
            .field("agent_auth", &self.agent_auth)
            .field("pty", &self.pty)
            .field("timeout", &self.timeout)
            .field("bastion", &self.bastion)
            .field("proxy", &self.proxy)
            .finish_non_exhaustive()
    }
}

/// `ssh_file_transfer_method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transfer {
    #[default]
    Scp,
    Sftp,
}

#[derive(Clone, PartialEq, Eq)]
pub struct Bastion {
    pub host: String,
    pub port: u16,
    pub username: String,
    pub password: Option<String>,
    pub private_key_file: Option<PathBuf>,
    pub agent_auth: bool,
}

impl std::fmt::Debug for Bastion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bastion")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("private_key_file", &self.private_key_file)
            .field("agent_auth", &self.agent_auth)
            .finish_non_exhaustive()
    }
}

/// A SOCKS5 proxy in front of the target.
#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proxy")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl CommConfig {
    /// The settings to connect with, Packer's defaults applied. Durations
    /// were checked when the config was decoded, so nothing here can fail.
    pub fn ssh_settings(&self) -> SshSettings {
        let positive = |v: &Option<GoDuration>| v.and_then(GoDuration::positive);
        let timeout = positive(&self.ssh_wait_timeout)
            .or(positive(&self.ssh_timeout))
            .unwrap_or(Duration::from_secs(300));
        let keep_alive = match self.ssh_keep_alive_interval {
            Some(d) if d.is_negative() => None,
            Some(d) if !d.is_zero() => Some(d.as_std()),
            _ => Some(Duration::from_secs(5)),
        };
        let key_file = non_empty(&self.ssh_private_key_file).map(expand_user);
        let bastion = non_empty(&self.ssh_bastion_host).map(|host| Bastion {
            host: host.to_owned(),
            port: self.ssh_bastion_port.filter(|p| *p != 0).unwrap_or(22),
            username: self.ssh_bastion_username.clone().unwrap_or_default(),
            password: non_empty(&self.ssh_bastion_password).map(str::to_owned),
            private_key_file: non_empty(&self.ssh_bastion_private_key_file)
                .map(expand_user)
                .or_else(|| key_file.clone()),
            agent_auth: self.ssh_bastion_agent_auth == Some(true),
        });
        let proxy = non_empty(&self.ssh_proxy_host).map(|host| Proxy {
            host: host.to_owned(),
            port: self.ssh_proxy_port.filter(|p| *p != 0).unwrap_or(1080),
            username: non_empty(&self.ssh_proxy_username).map(str::to_owned),
            password: non_empty(&self.ssh_proxy_password).map(str::to_owned),
        });
        SshSettings {
            host: self.ssh_host.clone().unwrap_or_default(),
            port: self.ssh_port.filter(|p| *p != 0).unwrap_or(22),
            username: self.ssh_username.clone().unwrap_or_default(),
            password: non_empty(&self.ssh_password).map(str::to_owned),
            private_key_file: key_file,
            private_key: None,
            agent_auth: self.ssh_agent_auth == Some(true),
            pty: self.ssh_pty == Some(true),
            timeout,
            handshake_attempts: self
                .ssh_handshake_attempts
                .filter(|n| *n != 0)
                .unwrap_or(10),
            keep_alive,
            read_write_timeout: positive(&self.ssh_read_write_timeout),
            pause_before_connecting: positive(&self.pause_before_connecting),
            transfer: match self.ssh_file_transfer_method.as_deref() {
                Some("sftp") => Transfer::Sftp,
                _ => Transfer::Scp,
            },
            ciphers: self.ssh_ciphers.clone().unwrap_or_default(),
            kex: self.ssh_key_exchange_algorithms.clone().unwrap_or_default(),
            bastion,
            proxy,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packer_defaults() {
        let s = CommConfig::default().ssh_settings();
        assert_eq!(s.port, 22);
        assert_eq!(s.timeout, Duration::from_secs(300));
        assert_eq!(s.handshake_attempts, 10);
        assert_eq!(s.keep_alive, Some(Duration::from_secs(5)));
        assert_eq!(s.transfer, Transfer::Scp);
        assert_eq!(s.bastion, None);
    }

    #[test]
    fn overrides_and_fallbacks() {
        let c = CommConfig {
            ssh_timeout: "1m".parse().ok(),
            ssh_wait_timeout: "2m".parse().ok(),
            ssh_keep_alive_interval: "-1s".parse().ok(),
            ssh_private_key_file: Some("/k".into()),
            ssh_bastion_host: Some("b".into()),
            ssh_file_transfer_method: Some("sftp".into()),
            ssh_password: Some("secret".into()),
            ..CommConfig::default()
        };
        let s = c.ssh_settings();
        assert_eq!(s.timeout, Duration::from_secs(120), "ssh_wait_timeout wins");
        assert_eq!(s.keep_alive, None);
        assert_eq!(s.transfer, Transfer::Sftp);
        let b = s.bastion.clone().unwrap();
        assert_eq!(
            (b.port, b.private_key_file),
            (22, Some(PathBuf::from("/k")))
        );
        assert!(!format!("{s:?}").contains("secret"));
    }
}
