//! Two ways to power the guest off without a `shutdown_command`: the ACPI
//! power button pressed through QMP, and `sync; poweroff` over the
//! communicator. Minimal images (no systemd-logind, no acpid) never
//! answer the button, so when SSH is connected kiln asks the guest itself
//! first and keeps the button as the fallback.

use crate::qmp::{Qmp, QmpError};
use kiln_core::communicator::{CommError, Output};
use kiln_core::{Cancel, Communicator};
use std::path::Path;
use std::time::Duration;

/// Press the power button once. The guest's reaction is awaited by the
/// caller (qemu exits when the guest powers off).
pub fn acpi_powerdown(socket: &Path, cancel: &Cancel) -> Result<(), QmpError> {
    let mut qmp = Qmp::connect(socket, Duration::from_secs(10), cancel)?;
    qmp.system_powerdown()
}

/// Flush the guest's disks, then power it off: directly as root, through
/// `sudo -n` otherwise (never a password prompt that would wait forever).
pub fn poweroff_command(root: bool) -> &'static str {
    if root {
        "sync; poweroff"
    } else {
        "sudo -n sh -c 'sync; poweroff'"
    }
}

/// Whether the communicator's user is root: asked of the guest (`id -u`),
/// since a user other than `root` can have uid 0; the user name decides
/// only when the guest does not answer.
pub fn is_root(comm: &dyn Communicator, username: &str, cancel: &Cancel) -> bool {
    let mut out = Captured::default();
    match comm.exec("id -u", &mut out, cancel) {
        Ok(0) => String::from_utf8_lossy(&out.0).trim() == "0",
        _ => username == "root",
    }
}

/// What came of the power-off command.
#[derive(Debug, PartialEq, Eq)]
pub enum Sent {
    /// The guest is going down: the command succeeded, or the session
    /// went with the guest (lost connection, killed by a signal).
    PoweringOff,
    /// The guest refused or the command could not run; why.
    Refused(String),
    Cancelled,
}

/// Read an exec result of the power-off command.
pub fn outcome(result: Result<i32, CommError>) -> Sent {
    match result {
        // 128 + a signal number (Go's table runs to SIGTERM, 15; unknown
        // names are 128): the shell was killed as the guest went down.
        Ok(0) | Ok(128..=143) | Err(CommError::Disconnected) => Sent::PoweringOff,
        Ok(code) => Sent::Refused(format!("exit status {code}")),
        Err(CommError::Cancelled) => Sent::Cancelled,
        Err(e) => Sent::Refused(e.to_string()),
    }
}

#[derive(Default)]
struct Captured(Vec<u8>);

impl Output for Captured {
    fn stdout(&mut self, chunk: &[u8]) {
        self.0.extend_from_slice(chunk);
    }
    fn stderr(&mut self, _: &[u8]) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    #[test]
    fn a_session_lost_with_the_guest_counts_as_powering_off() {
        assert_eq!(outcome(Ok(0)), Sent::PoweringOff);
        assert_eq!(outcome(Ok(143)), Sent::PoweringOff, "SIGTERM");
        assert_eq!(outcome(Ok(129)), Sent::PoweringOff, "SIGHUP");
        assert_eq!(outcome(Err(CommError::Disconnected)), Sent::PoweringOff);
        assert_eq!(
            outcome(Ok(1)),
            Sent::Refused("exit status 1".into()),
            "sudo: a password is required"
        );
        assert_eq!(outcome(Ok(127)), Sent::Refused("exit status 127".into()));
        assert_eq!(
            outcome(Err(CommError::Other("no session".into()))),
            Sent::Refused("no session".into())
        );
        assert_eq!(outcome(Err(CommError::Cancelled)), Sent::Cancelled);
    }

    #[test]
    fn root_powers_off_directly_others_through_sudo_without_a_prompt() {
        assert_eq!(poweroff_command(true), "sync; poweroff");
        assert_eq!(poweroff_command(false), "sudo -n sh -c 'sync; poweroff'");
    }

    /// Answers `id -u` with a fixed uid, or fails.
    struct IdComm(Option<&'static str>);

    impl Communicator for IdComm {
        fn exec(&self, cmd: &str, out: &mut dyn Output, _: &Cancel) -> Result<i32, CommError> {
            assert_eq!(cmd, "id -u");
            match self.0 {
                Some(uid) => {
                    out.stdout(uid.as_bytes());
                    Ok(0)
                }
                None => Err(CommError::Disconnected),
            }
        }
        fn upload(
            &self,
            _: &str,
            _: &mut dyn Read,
            _: kiln_core::communicator::FileMode,
        ) -> Result<(), CommError> {
            unreachable!()
        }
        fn upload_dir(&self, _: &str, _: &Path) -> Result<(), CommError> {
            unreachable!()
        }
        fn download(&self, _: &str, _: &mut dyn Write) -> Result<(), CommError> {
            unreachable!()
        }
        fn download_dir(&self, _: &str, _: &Path) -> Result<(), CommError> {
            unreachable!()
        }
    }

    #[test]
    fn root_is_the_guests_answer_then_the_user_name() {
        let c = Cancel::new();
        assert!(
            is_root(&IdComm(Some("0\r\n")), "admin", &c),
            "uid 0 by another name, with a pty"
        );
        assert!(!is_root(&IdComm(Some("1000\n")), "root", &c));
        assert!(is_root(&IdComm(None), "root", &c));
        assert!(!is_root(&IdComm(None), "kiln", &c));
    }
}
