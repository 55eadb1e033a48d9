//! An installer-ISO build under UEFI: the one VM boot that covers
//! `iso_url` with a `file:` checksum, a blank disk, `efi_boot` (OVMF),
//! `boot_wait`/`boot_command` typed into GRUB through QMP, and
//! `http_content` served on `{{ .HTTPIP }}:{{ .HTTPPort }}`.
//!
//! The ISO (tests/fixtures/installer-iso.sh) stops at GRUB's prompt. The
//! boot command types what a user types into an installer's boot menu:
//! a kernel line whose `ds=nocloud-net;s=http://{{ .HTTPIP }}:{{ .HTTPPort }}/`
//! sends cloud-init to kiln's HTTP server for its user-data, where the only
//! account SSH can log in to (by password) is defined. The "installer"
//! environment is the Debian fixture, attached through `qemuargs` as a
//! copy-on-write overlay; the shell step installs onto the blank disk,
//! which becomes the build's output, and the test reads it back.

use super::super::{build, leftovers, messages};
use super::fixture;
use crate::build::processes_mentioning;
use crate::project;
use std::path::{Path, PathBuf};
use std::process::Command;

const TEMPLATE: &str = r#"
source "qemu" "installer" {
  iso_url          = "installer.iso"
  iso_checksum     = "file:installer.iso.sha256"
  accelerator      = "tcg"
  efi_boot         = true
  headless         = true
  memory           = 1024
  disk_size        = "1G"
  vm_name          = "installed.qcow2"
  output_directory = "out"
  qemuargs         = [["-hdd", "system.qcow2"]]
  http_content = {
    "/meta-data" = "instance-id: kiln-installer\nlocal-hostname: installer\n"
    "/user-data" = <<-EOT
      #cloud-config
      ssh_pwauth: true
      users:
        - name: installer
          sudo: ALL=(ALL) NOPASSWD:ALL
          shell: /bin/bash
          lock_passwd: false
          plain_text_passwd: typed-by-kiln
    EOT
  }
  # GRUB's prompt shows about 10 s after power-on under TCG with OVMF;
  # keys sent before it are lost.
  boot_wait    = "30s"
  boot_command = [
    "search --no-floppy --label kiln-root --set=root; ",
    "linux /vmlinuz root=LABEL=kiln-root ro console=ttyS0,115200 'ds=nocloud-net;s=http://{{ .HTTPIP }}:{{ .HTTPPort }}/'; ",
    "initrd /initrd.img; boot<enter>",
  ]
  ssh_username     = "installer"
  ssh_password     = "typed-by-kiln"
  ssh_timeout      = "8m"
  shutdown_command = "sudo shutdown -P now"
}

build {
  sources = ["source.qemu.installer"]

  provisioner "shell" {
    inline = [
      "test -d /sys/firmware/efi && echo firmware: UEFI",
      "echo cmdline: $(cat /proc/cmdline)",
      "sudo mkfs.ext4 -q -F -L installed /dev/vda",
      "sudo mount /dev/vda /mnt",
      "echo installed by kiln | sudo tee /mnt/marker >/dev/null",
      "sudo umount /mnt",
    ]
  }
}
"#;

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e} (scripts/setup.sh installs it)"));
    assert!(out.status.success(), "{cmd:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The ISO, and the sha256sum-style file its `file:` checksum names.
fn installer_iso(dir: &Path) -> PathBuf {
    let script = crate::repo_root().join("tests/fixtures/installer-iso.sh");
    let iso = PathBuf::from(run(Command::new("bash").arg(script).arg(dir)).trim());
    let sum = run(Command::new("sha256sum")
        .arg("installer.iso")
        .current_dir(dir));
    std::fs::write(dir.join("installer.iso.sha256"), sum).expect("write checksum");
    iso
}

/// A file of the ext4 filesystem that fills the (qcow2) disk `image`.
fn read_from_ext4(image: &Path, file: &str, scratch: &Path) -> String {
    let raw = scratch.join("disk.raw");
    run(Command::new("qemu-img")
        .args(["convert", "-O", "raw"])
        .arg(image)
        .arg(&raw));
    let text = run(Command::new("debugfs")
        .arg("-R")
        .arg(format!("cat {file}"))
        .arg(&raw));
    std::fs::remove_file(&raw).expect("remove raw copy");
    text
}

#[test]
fn an_installer_iso_boots_with_uefi_and_a_typed_command_line_fetching_from_kiln_http() {
    let (image, _) = fixture();
    let dir = project(&[("t.pkr.hcl", TEMPLATE)]);
    installer_iso(dir.path());
    run(Command::new("qemu-img")
        .args(["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b"])
        .arg(&image)
        .arg(dir.path().join("system.qcow2")));
    let tmp = tempfile::tempdir().expect("tmp");

    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let out = &r.stdout;
    for line in [
        "==> qemu.installer: Starting VM, booting from CD-ROM",
        "==> qemu.installer: Waiting 30s for boot...",
        "==> qemu.installer: Typing the boot command over QMP...",
        "==> qemu.installer: Connected to SSH!",
        "==> qemu.installer: Gracefully halting virtual machine...",
    ] {
        assert!(out.contains(line), "missing {line:?} in:\n{out}");
    }
    let m = messages(out, "qemu.installer");
    assert!(m.iter().any(|l| l == "firmware: UEFI"), "{out}");
    // The kernel got the typed line with kiln's HTTP address filled in:
    // the guest reaches the host at 10.0.2.2 on QEMU's user network.
    let port = out
        .lines()
        .find_map(|l| l.strip_prefix("==> qemu.installer: Starting HTTP server on port "))
        .unwrap_or_else(|| panic!("no HTTP server line in:\n{out}"))
        .trim();
    let cmdline = m
        .iter()
        .find_map(|l| l.strip_prefix("cmdline: "))
        .unwrap_or_else(|| panic!("no cmdline in:\n{out}"));
    assert!(
        cmdline.contains(&format!("ds=nocloud-net;s=http://10.0.2.2:{port}/")),
        "{cmdline}"
    );

    assert_eq!(
        leftovers(&dir.path().join("out")),
        ["installed.qcow2", "installed.qcow2.intoto.jsonl"]
    );
    let installed = read_from_ext4(
        &dir.path().join("out/installed.qcow2"),
        "/marker",
        tmp.path(),
    );
    assert_eq!(installed, "installed by kiln\n");
    // The OVMF variable store copy, sockets and HTTP state went with the
    // work directory; qemu is gone.
    assert!(
        leftovers(tmp.path()).is_empty(),
        "{:?}",
        leftovers(tmp.path())
    );
    assert_eq!(
        processes_mentioning(&dir.path().display().to_string()),
        Vec::<String>::new(),
        "qemu survived"
    );
}
