//! Running Ansible's tools on the machine running kiln, their output
//! streamed under the build's prefix.

use super::error::AnsibleError;
use kiln_core::process::{self, ProcessError};
use kiln_core::{BuildError, Cancel, Ui, UiLines};
use std::process::Command;

/// Run `program args` with `env` added to kiln's environment; its exit
/// code, or the build error a cancel or timeout becomes.
pub fn run(
    program: &str,
    args: &[String],
    env: &[(String, String)],
    ui: &dyn Ui,
    cancel: &Cancel,
) -> Result<i32, BuildError> {
    let mut cmd = Command::new(program);
    cmd.args(args).envs(env.iter().map(|(k, v)| (k, v)));
    let mut out = UiLines::new(ui);
    let result = process::run(&mut cmd, &mut out, cancel);
    out.flush();
    match result {
        Ok(code) => Ok(code),
        Err(ProcessError::Stopped { reason, .. }) => Err(BuildError::from_reason(reason, None)),
        Err(ProcessError::Spawn { program, source }) => {
            Err(BuildError::failed(AnsibleError::Start {
                program,
                cause: source.to_string(),
            }))
        }
        Err(e) => Err(BuildError::failed(AnsibleError::Start {
            program: program.to_owned(),
            cause: e.to_string(),
        })),
    }
}

/// `KEY=VALUE` entries as pairs; an entry without `=` sets the variable
/// to the empty string, as Go's `exec` passes it through.
pub fn env_pairs(vars: &[String]) -> Vec<(String, String)> {
    vars.iter()
        .map(|v| match v.split_once('=') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => (v.clone(), String::new()),
        })
        .collect()
}

/// The user running kiln (Packer's `user.Current()`).
pub fn current_user() -> Option<String> {
    for var in ["USER", "LOGNAME"] {
        if let Some(u) = std::env::var(var).ok().filter(|u| !u.is_empty()) {
            return Some(u);
        }
    }
    // No login variables (a service, a container): the passwd entry of
    // this process's uid.
    let uid = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata("/proc/self").ok()?);
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() > 2 && f[2] == uid.to_string()).then(|| f[0].to_owned())
    })
}
