//! `vnc_use_password`: qemu starts with `-vnc …,password=on` (`args.rs`),
//! which locks the display until a password is set; once it runs, QMP's
//! `change-vnc-password` sets `vnc_password`, or 8 random letters and
//! digits when that is empty (Packer's `VNCPassword`).

use crate::config::Settings;
use crate::qmp::{Qmp, QmpError};
use serde_json::json;

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// The password for this run, `None` without `vnc_use_password` (or
/// without VNC).
pub fn password(s: &Settings) -> Result<Option<String>, getrandom::Error> {
    if !s.vnc_use_password || s.disable_vnc {
        return Ok(None);
    }
    if let Some(p) = &s.vnc_password {
        return Ok(Some(p.clone()));
    }
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes)?;
    // 62 symbols: the modulo bias (256 % 62) does not matter for a
    // password that only guards a local build's screen.
    Ok(Some(
        bytes
            .iter()
            .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
            .collect(),
    ))
}

/// Set the password of the running VM's VNC server.
pub fn set(qmp: &mut Qmp, password: &str) -> Result<(), QmpError> {
    qmp.execute("change-vnc-password", Some(json!({ "password": password })))
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::QemuConfig;
    use std::io::{Read, Write};
    use std::time::Duration;

    #[test]
    fn the_configured_password_or_a_random_one() {
        let off = QemuConfig::default().settings("x");
        assert_eq!(password(&off).unwrap(), None);
        let given = QemuConfig {
            vnc_use_password: Some(true),
            vnc_password: Some("s3cret".into()),
            ..QemuConfig::default()
        }
        .settings("x");
        assert_eq!(password(&given).unwrap().as_deref(), Some("s3cret"));
        let random = QemuConfig {
            vnc_use_password: Some(true),
            ..QemuConfig::default()
        }
        .settings("x");
        let p = password(&random).unwrap().unwrap();
        assert_eq!(p.len(), 8);
        assert!(p.bytes().all(|b| b.is_ascii_alphanumeric()), "{p}");
    }

    /// The security types a VNC server offers (RFB 3.8 handshake).
    fn security_types(socket: &std::path::Path) -> Vec<u8> {
        let mut c = std::os::unix::net::UnixStream::connect(socket).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut version = [0u8; 12];
        c.read_exact(&mut version).unwrap();
        c.write_all(b"RFB 003.008\n").unwrap();
        let mut n = [0u8; 1];
        c.read_exact(&mut n).unwrap();
        let mut types = vec![0u8; usize::from(n[0])];
        c.read_exact(&mut types).unwrap();
        types
    }

    #[test]
    fn a_real_qemu_takes_the_password_over_qmp() {
        let dir = tempfile::tempdir().unwrap();
        let qmp_socket = dir.path().join("qmp.sock");
        let vnc_socket = dir.path().join("vnc.sock");
        let vnc = format!("unix:{},password=on", vnc_socket.display());
        let mut child = crate::test_vm::bare_qemu_with(&qmp_socket, &["-vnc", &vnc]);
        let cancel = kiln_core::Cancel::new();
        let mut qmp = Qmp::connect(&qmp_socket, Duration::from_secs(30), &cancel).unwrap();
        set(&mut qmp, "s3cret").unwrap();
        // VNC authentication (type 2) is what the client is asked for.
        assert_eq!(security_types(&vnc_socket), [2]);
        kiln_core::process::kill_group(&mut child);

        // Without a VNC server there is nothing to set: qemu says so.
        let qmp_socket = dir.path().join("qmp2.sock");
        let mut child = crate::test_vm::bare_qemu(&qmp_socket, &[]);
        let mut qmp = Qmp::connect(&qmp_socket, Duration::from_secs(30), &cancel).unwrap();
        assert!(set(&mut qmp, "s3cret").is_err());
        kiln_core::process::kill_group(&mut child);
    }
}
