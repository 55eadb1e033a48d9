//! For unit tests of steps that talk to a running qemu: a machine with no
//! OS (nothing answers the power button), TCG, a QMP socket and whatever
//! devices the test adds.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub fn bare_qemu(qmp_socket: &Path, devices: &[&str]) -> Child {
    let args: Vec<&str> = devices.iter().flat_map(|d| ["-device", d]).collect();
    bare_qemu_with(qmp_socket, &args)
}

/// [`bare_qemu`] with any extra arguments.
pub fn bare_qemu_with(qmp_socket: &Path, args: &[&str]) -> Child {
    let mut cmd = Command::new("qemu-system-x86_64");
    cmd.args(["-machine", "pc,accel=tcg", "-m", "32", "-nodefaults"])
        .args(["-display", "none"])
        .args(args);
    cmd.arg("-qmp")
        .arg(format!("unix:{},server=on,wait=off", qmp_socket.display()))
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("qemu-system-x86_64 (scripts/setup.sh)")
}
