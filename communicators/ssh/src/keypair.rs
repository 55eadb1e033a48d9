//! The temporary key pair a build generates for itself: ed25519, the
//! private half in OpenSSH's format (what libssh2 and `ssh -i` read), the
//! public half as an `authorized_keys` line. They become
//! `build.SSHPrivateKey` and `build.SSHPublicKey`.

use ssh_key::private::{Ed25519Keypair, KeypairData};
use ssh_key::{LineEnding, PrivateKey};

/// The comment of every temporary public key.
pub const COMMENT: &str = "kiln";

#[derive(Debug, thiserror::Error)]
pub enum KeyPairError {
    /// The system's random source failed.
    #[error("cannot generate a key pair: no randomness: {0}")]
    Random(String),
    #[error("cannot encode the key pair: {0}")]
    Encode(#[from] ssh_key::Error),
}

pub struct KeyPair {
    private: String,
    public: String,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The private half must never reach a log.
        f.debug_struct("KeyPair")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl KeyPair {
    pub fn generate() -> Result<KeyPair, KeyPairError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| KeyPairError::Random(e.to_string()))?;
        let pair = Ed25519Keypair::from_seed(&seed);
        seed.fill(0);
        let key = PrivateKey::new(KeypairData::Ed25519(pair), COMMENT)?;
        let private = key.to_openssh(LineEnding::LF)?.to_string();
        let public = key.public_key().to_openssh()?;
        Ok(KeyPair { private, public })
    }

    /// The pair of a private key written by [`KeyPair::private_openssh`]
    /// (a builder's step cache keeps the key its snapshots trust).
    pub fn from_private_openssh(private: &str) -> Result<KeyPair, KeyPairError> {
        let key = PrivateKey::from_openssh(private)?;
        let public = key.public_key().to_openssh()?;
        Ok(KeyPair {
            private: private.to_owned(),
            public,
        })
    }

    /// `-----BEGIN OPENSSH PRIVATE KEY-----…`, unencrypted.
    pub fn private_openssh(&self) -> &str {
        &self.private
    }

    /// `ssh-ed25519 AAAA… kiln`.
    pub fn public_line(&self) -> &str {
        &self.public
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openssh_reads_what_we_write() {
        let pair = KeyPair::generate().unwrap();
        assert!(pair.public_line().starts_with("ssh-ed25519 AAAA"));
        assert!(pair.public_line().ends_with(" kiln"));
        assert!(pair
            .private_openssh()
            .starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n"));
        assert!(!format!("{pair:?}").contains("PRIVATE"));
        let again = KeyPair::from_private_openssh(pair.private_openssh()).unwrap();
        assert_eq!(again.public_line(), pair.public_line());
        // ssh-keygen derives the public key from the private file: the two
        // halves belong together and the format is OpenSSH's own.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("id");
        std::fs::write(&file, pair.private_openssh()).unwrap();
        let mut perms = std::fs::metadata(&file).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o600);
        std::fs::set_permissions(&file, perms).unwrap();
        let out = std::process::Command::new("ssh-keygen")
            .arg("-y")
            .arg("-f")
            .arg(&file)
            .output()
            .expect("ssh-keygen (openssh-client, installed by scripts/setup.sh)");
        assert!(out.status.success(), "{out:?}");
        let derived = String::from_utf8(out.stdout).unwrap();
        assert_eq!(derived.trim(), pair.public_line());
        assert_ne!(
            KeyPair::generate().unwrap().public_line(),
            pair.public_line()
        );
    }
}
