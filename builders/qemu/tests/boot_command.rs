//! A boot command typed into a real VM: an installer-like ISO made by
//! `grub-mkrescue` stops at GRUB's prompt, and the test types through QMP
//! what a user's `boot_command` would: GRUB commands (held shift, waits,
//! shifted characters) and then `linux`/`initrd`/`boot` lines that boot the
//! kernel of the Debian fixture image. The serial console shows whether
//! the keys took effect.

#![allow(clippy::unwrap_used)]

use kiln_builder_qemu::bootcmd::{parse, type_actions};
use kiln_builder_qemu::qmp::Qmp;
use kiln_core::Cancel;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SETUP: &str = "run scripts/setup.sh (as root) to install it";

/// qemu, killed and reaped however the test ends.
struct Vm {
    child: Child,
}

impl Drop for Vm {
    fn drop(&mut self) {
        kiln_core::process::kill_group(&mut self.child);
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap()
        .to_owned()
}

/// The cached Debian fixture (built on first use by its script).
fn fixture_image() -> PathBuf {
    let script = repo_root().join("tests/fixtures/debian-image.sh");
    let out = Command::new("bash")
        .arg(&script)
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    assert!(
        out.status.success(),
        "{} failed: the boot-command test needs the Debian fixture image",
        script.display()
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    PathBuf::from(stdout.lines().last().unwrap().trim())
}

/// The installer-like ISO (tests/fixtures/installer-iso.sh): GRUB on the
/// serial port, keys from the PC keyboard, waiting at its prompt.
fn grub_iso(dir: &Path) -> PathBuf {
    let script = repo_root().join("tests/fixtures/installer-iso.sh");
    let out = Command::new("bash")
        .arg(&script)
        .arg(dir)
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    assert!(
        out.status.success(),
        "{} failed ({SETUP})",
        script.display()
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    PathBuf::from(stdout.lines().last().unwrap().trim())
}

fn serial_log(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned()
}

/// Wait until the serial log has `what` (after `from` bytes), or fail with
/// the log's tail.
fn wait_for(log: &Path, from: usize, what: &str, timeout: Duration, vm: &mut Vm) -> usize {
    let start = Instant::now();
    loop {
        let text = serial_log(log);
        if let Some(i) = text.get(from..).and_then(|t| t.find(what)) {
            return from + i + what.len();
        }
        if let Ok(Some(status)) = vm.child.try_wait() {
            panic!("qemu exited ({status}) before {what:?}; serial log:\n{text}");
        }
        if start.elapsed() > timeout {
            let tail: String = text
                .chars()
                .rev()
                .take(3000)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            panic!("no {what:?} on the serial console after {timeout:?}; its end:\n{tail}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_typed_boot_command_boots_the_fixture_kernel_from_grub() {
    let image = fixture_image();
    let dir = tempfile::tempdir().unwrap();
    let iso = grub_iso(dir.path());
    let log = dir.path().join("serial.log");
    let qmp_socket = dir.path().join("qmp.sock");

    let child = kiln_core::process::spawn(
        Command::new("qemu-system-x86_64")
            .args(["-machine", "pc,accel=tcg", "-m", "512", "-nodefaults"])
            .args(["-display", "none", "-no-reboot"])
            .arg("-drive")
            .arg(format!(
                "file={},if=virtio,format=qcow2,snapshot=on",
                image.display()
            ))
            .arg("-drive")
            .arg(format!(
                "file={},if=ide,index=2,media=cdrom,format=raw,readonly=on",
                iso.display()
            ))
            .args(["-boot", "d"])
            .arg("-serial")
            .arg(format!("file:{}", log.display()))
            .arg("-qmp")
            .arg(format!("unix:{},server=on,wait=off", qmp_socket.display()))
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null()),
    )
    .unwrap_or_else(|e| panic!("qemu-system-x86_64 ({e}): {SETUP}"));
    let mut vm = Vm { child };

    let cancel = Cancel::new();
    let mut qmp = Qmp::connect(&qmp_socket, Duration::from_secs(60), &cancel).unwrap();
    let mut at = wait_for(
        &log,
        0,
        "kiln-grub-ready",
        Duration::from_secs(120),
        &mut vm,
    );
    at = wait_for(&log, at, "grub>", Duration::from_secs(60), &mut vm);

    // Held shift, shifted characters (`$`, `{`, `}`), a wait; GRUB expands
    // `${grub_cpu}` only if the line really ran.
    let interval = Duration::from_millis(15);
    let first =
        parse("echo <leftShiftOn>held<leftShiftOff>-${grub_cpu}-Typed<wait0.2s><enter>").unwrap();
    type_actions(&first, &mut qmp, interval, &cancel).unwrap();
    at = wait_for(
        &log,
        at,
        "HELD-i386-Typed",
        Duration::from_secs(60),
        &mut vm,
    );
    // The prompt after the echo's output.
    at = wait_for(&log, at, "grub>", Duration::from_secs(60), &mut vm);

    // An installer's boot lines: find the root by label, load the kernel
    // and initrd, boot. GRUB reads no keys while it loads a file (a user's
    // boot command has `<waitN>`s there): the test waits for each prompt.
    for line in [
        "search --no-floppy --label kiln-root --set=root<enter>",
        "<wait500ms>linux /vmlinuz root=LABEL=kiln-root ro console=ttyS0,115200<enter>",
        "initrd /initrd.img<enter>",
    ] {
        type_actions(&parse(line).unwrap(), &mut qmp, interval, &cancel).unwrap();
        at = wait_for(&log, at, "grub>", Duration::from_secs(180), &mut vm);
    }
    let text = serial_log(&log);
    assert!(
        !text.contains("error:"),
        "GRUB refused a typed line:\n{text}"
    );
    type_actions(&parse("boot<enter>").unwrap(), &mut qmp, interval, &cancel).unwrap();
    at = wait_for(&log, at, "Linux version", Duration::from_secs(180), &mut vm);
    let text = serial_log(&log);
    assert!(
        text.get(at..)
            .unwrap_or("")
            .contains("root=LABEL=kiln-root")
            || text.contains("Command line: BOOT_IMAGE=/vmlinuz root=LABEL=kiln-root"),
        "the kernel did not get the typed command line:\n{text}"
    );

    qmp.quit().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while vm.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "qemu did not quit");
        std::thread::sleep(Duration::from_millis(50));
    }
}
