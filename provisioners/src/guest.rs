//! What the configuration-management provisioners (`puppet-masterless`,
//! `salt-masterless`) share: Packer's `guestexec` commands for a Unix
//! guest (quoted paths, `sudo` in front unless turned off), `guest_os_type`
//! checks, commands run with their output on the build's Ui, and the
//! probe that tells which program a shell could not find.

use kiln_core::component::ConfigProblem;
use kiln_core::{Cancel, CommError, Communicator, Output, Ui, UiLines};

/// `guest_os_type` as Packer's `guestexec` spells the default.
pub(crate) const UNIX: &str = "unix";

/// A shell's "command not found" status.
pub(crate) const NOT_FOUND: i32 = 127;

/// Packer's `guest_os_type` checks: empty is `unix`, case does not
/// matter; `windows` is Packer's other value, which kiln refuses with why.
pub(crate) fn os_type_problem(value: Option<&str>) -> Option<ConfigProblem> {
    let os = value.unwrap_or("").to_lowercase();
    match os.as_str() {
        "" | UNIX => None,
        "windows" => Some(ConfigProblem::field(
            "guest_os_type",
            "guest_os_type \"windows\" is not supported: kiln provisions Unix guests only (it speaks SSH, not WinRM)",
        )),
        other => Some(ConfigProblem::field(
            "guest_os_type",
            format!("Invalid guest_os_type: \"{other}\""),
        )),
    }
}

/// `s` as one word for `/bin/sh`: in single quotes, each `'` as `'\''`.
pub(crate) fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Packer's Unix guest commands, with `sudo ` in front when asked.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GuestCommands {
    pub sudo: bool,
}

impl GuestCommands {
    pub fn sudo(&self, command: &str) -> String {
        if self.sudo {
            format!("sudo {command}")
        } else {
            command.to_owned()
        }
    }

    pub fn create_dir(&self, path: &str) -> String {
        self.sudo(&format!("mkdir -p {}", quote(path)))
    }

    pub fn chmod(&self, path: &str, mode: &str) -> String {
        self.sudo(&format!("chmod {mode} {}", quote(path)))
    }

    pub fn remove_dir(&self, path: &str) -> String {
        self.sudo(&format!("rm -rf {}", quote(path)))
    }

    pub fn move_path(&self, src: &str, dst: &str) -> String {
        self.sudo(&format!("mv {} {}", quote(src), quote(dst)))
    }

    /// Whether `program` can be run, as the provisioner's command would
    /// run it (through `sudo` when that is on).
    pub fn probe(&self, program: &str) -> String {
        let check = format!("command -v {} >/dev/null 2>&1", quote(program));
        if self.sudo {
            format!("sudo sh -c {}", quote(&check))
        } else {
            check
        }
    }
}

/// Output nobody reads (probes).
struct Discard;

impl Output for Discard {
    fn stdout(&mut self, _: &[u8]) {}
    fn stderr(&mut self, _: &[u8]) {}
}

/// A command on the machine with its output on `ui`, line by line.
pub(crate) fn run(
    comm: &dyn Communicator,
    ui: &dyn Ui,
    cancel: &Cancel,
    command: &str,
) -> Result<i32, CommError> {
    tracing::debug!("running {command}");
    let mut out = UiLines::new(ui);
    let r = comm.exec(command, &mut out, cancel);
    out.flush();
    r
}

/// A command whose output does not matter, only whether it succeeded.
pub(crate) fn quiet(comm: &dyn Communicator, cancel: &Cancel, command: &str) -> bool {
    matches!(comm.exec(command, &mut Discard, cancel), Ok(0))
}

/// After a status of 127: the first of `programs` the machine cannot run,
/// if any (`None` when all are there, so the 127 came from elsewhere).
pub(crate) fn missing<'p>(
    comm: &dyn Communicator,
    cancel: &Cancel,
    commands: GuestCommands,
    programs: &[&'p str],
) -> Option<&'p str> {
    // `sudo` itself is looked up without sudo.
    if commands.sudo && !quiet(comm, cancel, &GuestCommands { sudo: false }.probe("sudo")) {
        return Some("sudo");
    }
    programs
        .iter()
        .find(|p| !quiet(comm, cancel, &commands.probe(p)))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_packers_with_quoting_and_sudo() {
        let plain = GuestCommands { sudo: false };
        let sudo = GuestCommands { sudo: true };
        assert_eq!(plain.create_dir("/tmp/a b"), "mkdir -p '/tmp/a b'");
        assert_eq!(sudo.create_dir("/tmp/x"), "sudo mkdir -p '/tmp/x'");
        assert_eq!(sudo.chmod("/tmp/x", "0777"), "sudo chmod 0777 '/tmp/x'");
        assert_eq!(plain.remove_dir("/srv/it's"), "rm -rf '/srv/it'\\''s'");
        assert_eq!(plain.move_path("/a", "/b"), "mv '/a' '/b'");
        assert_eq!(
            sudo.probe("/opt/x/puppet"),
            "sudo sh -c 'command -v '\\''/opt/x/puppet'\\'' >/dev/null 2>&1'"
        );
    }

    #[test]
    fn os_types() {
        assert!(os_type_problem(None).is_none());
        assert!(os_type_problem(Some("UNIX")).is_none());
        let w = os_type_problem(Some("Windows")).map(|p| p.message);
        assert_eq!(
            w.as_deref(),
            Some("guest_os_type \"windows\" is not supported: kiln provisions Unix guests only (it speaks SSH, not WinRM)")
        );
        let x = os_type_problem(Some("plan9")).map(|p| p.message);
        assert_eq!(x.as_deref(), Some("Invalid guest_os_type: \"plan9\""));
    }
}
