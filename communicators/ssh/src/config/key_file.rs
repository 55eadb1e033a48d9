//! Private key files: `~` expansion and the checks Packer makes before a
//! build starts, with its messages.

use kiln_core::go_error::path_error;
use std::path::PathBuf;

/// Packer's `ExpandUser`: a leading `~` or `~/` is the home directory.
pub fn expand_user(path: &str) -> PathBuf {
    let home = || std::env::var_os("HOME").map(PathBuf::from);
    if path == "~" {
        if let Some(h) = home() {
            return h;
        }
    }
    if let Some(rest) = path.strip_prefix("~/") {
        if let Some(h) = home() {
            return h.join(rest);
        }
    }
    PathBuf::from(path)
}

/// `Err` with Packer's wording when the file is missing or holds no usable
/// unencrypted private key.
pub fn check_private_key_file(path: &std::path::Path) -> Result<(), String> {
    let shown = path.display().to_string();
    let text = std::fs::read(path).map_err(|e| path_error("stat", &shown, &e))?;
    let text = String::from_utf8_lossy(&text);
    let Some(begin) = text.find("-----BEGIN ") else {
        return Err(format!(
            "Error setting up SSH config: Failed to read key '{shown}': no key found"
        ));
    };
    let block = &text[begin..];
    if block.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----") {
        let key = ssh_key::PrivateKey::from_openssh(block.as_bytes()).map_err(|_| {
            "Error setting up SSH config: ssh: invalid openssh private key format".to_owned()
        })?;
        if key.is_encrypted() {
            return Err(
                "Error setting up SSH config: ssh: this private key is passphrase protected".into(),
            );
        }
        return Ok(());
    }
    // PEM keys (PKCS#1, PKCS#8, EC) are left to libssh2, which reads them
    // at connection time; only the encrypted ones are refused here, as
    // Packer does.
    if block.contains("Proc-Type: 4,ENCRYPTED") || block.starts_with("-----BEGIN ENCRYPTED") {
        return Err(format!(
            "Error setting up SSH config: Failed to read key '{shown}': password protected keys are\nnot supported. Please decrypt the key prior to use."
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keypair::KeyPair;

    #[test]
    fn key_files_are_checked_like_packer() {
        let dir = tempfile::tempdir().unwrap();
        let garbage = dir.path().join("garbage");
        std::fs::write(&garbage, "garbage\n").unwrap();
        assert_eq!(
            check_private_key_file(&garbage).unwrap_err(),
            format!(
                "Error setting up SSH config: Failed to read key '{}': no key found",
                garbage.display()
            )
        );
        let broken = dir.path().join("broken");
        std::fs::write(
            &broken,
            "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
        )
        .unwrap();
        assert_eq!(
            check_private_key_file(&broken).unwrap_err(),
            "Error setting up SSH config: ssh: invalid openssh private key format"
        );
        let good = dir.path().join("good");
        std::fs::write(&good, KeyPair::generate().unwrap().private_openssh()).unwrap();
        assert_eq!(check_private_key_file(&good), Ok(()));
        assert_eq!(
            check_private_key_file(&dir.path().join("missing")).unwrap_err(),
            format!(
                "stat {}: no such file or directory",
                dir.path().join("missing").display()
            )
        );
    }

    #[test]
    fn tilde_is_home() {
        let home = std::env::var("HOME").unwrap();
        assert_eq!(expand_user("~/k"), PathBuf::from(&home).join("k"));
        assert_eq!(expand_user("/a/~/k"), PathBuf::from("/a/~/k"));
    }
}
