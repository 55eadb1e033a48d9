//! The adapter's keys: its host key, and the one key a client may log in
//! with. Both are made for the run unless files are given; a made client
//! key's private half goes to a file only this user can read, removed
//! with the adapter.

use crate::error::AdapterError;
use crate::AdapterConfig;
use russh::keys::ssh_key::LineEnding;
use russh::keys::{Algorithm, EcdsaCurve, PrivateKey, PublicKey};
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The key types the adapter makes (Packer's `ansible_proxy_key_type`).
/// ECDSA by default: Packer's RSA host key signs with SHA-1, which
/// OpenSSH 8.8 and later refuse (packer-plugin-ansible#140); kiln's
/// RSA keys sign with SHA-2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyType {
    #[default]
    Ecdsa,
    Rsa,
}

impl KeyType {
    fn algorithm(self) -> Algorithm {
        match self {
            KeyType::Ecdsa => Algorithm::Ecdsa {
                curve: EcdsaCurve::NistP384,
            },
            KeyType::Rsa => Algorithm::Rsa { hash: None },
        }
    }
}

pub(crate) struct Keys {
    host: PrivateKey,
    pub authorized: PublicKey,
    /// The made client key's file.
    private_file: Option<tempfile::TempPath>,
}

impl Keys {
    pub fn prepare(config: &AdapterConfig) -> Result<Keys, AdapterError> {
        let host = match &config.host_key_file {
            Some(path) => {
                russh::keys::load_secret_key(path, None).map_err(|e| AdapterError::Key {
                    path: path.clone(),
                    message: e.to_string(),
                })?
            }
            None => generate(config.key_type)?,
        };
        let (authorized, private_file) = match &config.authorized_key_file {
            Some(path) => (read_public(path)?, None),
            None => {
                let key = generate(config.key_type)?;
                let file = write_private(&key)?;
                (key.public_key().clone(), Some(file))
            }
        };
        Ok(Keys {
            host,
            authorized,
            private_file,
        })
    }

    pub fn private_key_file(&self) -> Option<&Path> {
        self.private_file.as_deref()
    }

    pub fn server_config(&self) -> Arc<russh::server::Config> {
        Arc::new(russh::server::Config {
            keys: vec![self.host.clone()],
            // One client, on loopback: no need to slow down rejections.
            auth_rejection_time: std::time::Duration::from_millis(10),
            auth_rejection_time_initial: Some(std::time::Duration::ZERO),
            // A playbook's task can run for long without traffic.
            inactivity_timeout: None,
            nodelay: true,
            ..Default::default()
        })
    }
}

fn generate(kind: KeyType) -> Result<PrivateKey, AdapterError> {
    let mut key = PrivateKey::random(&mut rand::rng(), kind.algorithm())
        .map_err(|e| AdapterError::Generate(e.to_string()))?;
    key.set_comment("kiln-adapter");
    Ok(key)
}

/// An `authorized_keys`-style line (`ssh-ed25519 AAAA… comment`), the
/// first key line of the file.
fn read_public(path: &PathBuf) -> Result<PublicKey, AdapterError> {
    let bad = |message: String| AdapterError::Key {
        path: path.clone(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .ok_or_else(|| bad("no public key in the file".into()))?;
    PublicKey::from_openssh(line).map_err(|e| bad(e.to_string()))
}

fn write_private(key: &PrivateKey) -> Result<tempfile::TempPath, AdapterError> {
    let text = key
        .to_openssh(LineEnding::LF)
        .map_err(|e| AdapterError::Generate(e.to_string()))?;
    let mut f = tempfile::Builder::new()
        .prefix("ansible-key")
        .tempfile()
        .map_err(AdapterError::KeyFile)?;
    std::fs::set_permissions(f.path(), std::fs::Permissions::from_mode(0o600))
        .map_err(AdapterError::KeyFile)?;
    f.write_all(text.as_bytes())
        .map_err(AdapterError::KeyFile)?;
    f.flush().map_err(AdapterError::KeyFile)?;
    Ok(f.into_temp_path())
}
