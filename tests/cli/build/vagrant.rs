//! The vagrant post-processor end to end, no VM booted: a shell-local
//! provisioner makes a small qcow2 with `qemu-img`, artifice hands it on,
//! vagrant boxes it, checksum sees the box, and a real `vagrant box add`
//! (Debian's, installed by scripts/setup.sh) accepts it for libvirt.

use super::{build, leftovers};
use crate::project;
use std::path::Path;
use std::process::Command;

/// `extra`: more arguments of the vagrant post-processor.
fn template(keep: &str, extra: &str) -> String {
    format!(
        r#"source "null" "vm" {{ communicator = "none" }}
build {{
  sources = ["source.null.vm"]
  provisioner "shell-local" {{
    inline = ["qemu-img create -q -f qcow2 disk.qcow2 1536M", "printf 'read me' > notes.txt"]
  }}
  post-processors {{
    post-processor "artifice" {{
      files = ["disk.qcow2"]
    }}
    post-processor "vagrant" {{
      output              = "out/{{{{ .BuildName }}}}_{{{{ .Provider }}}}.box"
      include             = ["notes.txt"]
      keep_input_artifact = {keep}
      {extra}
    }}
    post-processor "checksum" {{
      checksum_types = ["sha256"]
      output         = "out/box.sha256"
    }}
  }}
}}
"#
    )
}

/// Run a tool the test needs, failing clearly when it is not installed.
fn tool(name: &str, args: &[&str], env: &[(&str, &Path)]) -> std::process::Output {
    let mut cmd = Command::new(name);
    cmd.args(args)
        .env("VAGRANT_CHECKPOINT_DISABLE", "1")
        .env("VAGRANT_NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    match cmd.output() {
        Ok(out) => out,
        Err(e) => panic!("{name} cannot run ({e}): install it with scripts/setup.sh"),
    }
}

#[test]
fn a_qcow2_from_artifice_becomes_a_box_vagrant_accepts() {
    let dir = project(&[("t.pkr.hcl", &template("true", ""))]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("Creating Vagrant box for 'libvirt' provider"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("'libvirt' provider box: out/vm_libvirt.box"),
        "{}",
        r.stdout
    );
    let boxed = dir.path().join("out/vm_libvirt.box");
    assert!(boxed.is_file());
    // keep_input_artifact = true: the disk stays.
    assert!(dir.path().join("disk.qcow2").is_file());
    // The checksum post-processor saw the box.
    let sums = std::fs::read_to_string(dir.path().join("out/box.sha256")).expect("sums");
    assert!(sums.ends_with("\tvm_libvirt.box\n"), "{sums}");
    assert!(leftovers(&dir.path().join("out"))
        .iter()
        .all(|n| !n.starts_with('.')));

    let home = tempfile::tempdir().expect("vagrant home");
    let env = [("VAGRANT_HOME", home.path())];
    let boxed_arg = boxed.display().to_string();
    let add = tool(
        "vagrant",
        &[
            "box",
            "add",
            "--name",
            "t",
            "--provider",
            "libvirt",
            &boxed_arg,
        ],
        &env,
    );
    assert!(
        add.status.success(),
        "vagrant box add: {}{}",
        String::from_utf8_lossy(&add.stdout),
        String::from_utf8_lossy(&add.stderr)
    );
    let list = tool("vagrant", &["box", "list"], &env);
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(list.status.success(), "{listed}");
    assert!(
        listed.lines().any(|l| l.trim() == "t (libvirt, 0)"),
        "{listed}"
    );
    // Vagrant unpacked what kiln wrote: the disk, the include, the metadata.
    let unpacked = home.path().join("boxes/t/0/libvirt");
    assert_eq!(
        std::fs::read(unpacked.join("box.img")).expect("box.img"),
        std::fs::read(dir.path().join("disk.qcow2")).expect("disk")
    );
    assert_eq!(
        std::fs::read_to_string(unpacked.join("notes.txt")).expect("notes"),
        "read me"
    );
    assert_eq!(
        std::fs::read_to_string(unpacked.join("metadata.json")).expect("metadata"),
        "{\"format\":\"qcow2\",\"provider\":\"libvirt\",\"virtual_size\":2}\n"
    );
    let vagrantfile = std::fs::read_to_string(unpacked.join("Vagrantfile")).expect("Vagrantfile");
    assert!(
        vagrantfile.contains("libvirt.driver = \"kvm\""),
        "{vagrantfile}"
    );
}

#[test]
fn the_input_disk_is_removed_unless_kept_and_overrides_apply() {
    let overrides =
        "override = { libvirt = { compression_level = 0 }, docker = { compression_level = 9 } }";
    let dir = project(&[("t.pkr.hcl", &template("false", overrides))]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let boxed = std::fs::read(dir.path().join("out/vm_libvirt.box")).expect("box");
    // The libvirt override's level 0: a plain tar (ustar magic at 257).
    assert_eq!(&boxed[257..262], b"ustar", "not a plain tar");
    assert!(!dir.path().join("disk.qcow2").exists());
}

#[test]
fn an_artifact_it_cannot_box_fails_naming_its_builder() {
    let dir = project(&[(
        "t.pkr.hcl",
        r#"source "null" "vm" { communicator = "none" }
build {
  sources = ["source.null.vm"]
  post-processor "vagrant" {}
}
"#,
    )]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        all.contains("Unknown artifact type, can't build box: fnoeding.null"),
        "{all}"
    );
}

#[test]
fn bad_fields_are_located_validate_errors() {
    let dir = project(&[(
        "t.pkr.hcl",
        r#"source "null" "vm" { communicator = "none" }
build {
  sources = ["source.null.vm"]
  post-processor "vagrant" {
    compression_level = 12
    provider_override = "virtualbox"
  }
}
"#,
    )]);
    let r = crate::kiln(dir.path(), &["validate", "t.pkr.hcl"], "");
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("Invalid compression level. Expected an integer from -1 to 9."),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("t.pkr.hcl:5:"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("the virtualbox Vagrant provider is not supported by kiln"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("t.pkr.hcl:6:"), "{}", r.stderr);
}

#[test]
fn a_tagged_docker_image_becomes_a_docker_box_vagrant_accepts() {
    let dir = project(&[]);
    let d = dir.path();
    let rootfs = super::oci::busybox_rootfs(d);
    let t = format!(
        r#"source "docker" "img" {{
  image  = "rootfs:{}"
  commit = true
}}
build {{
  sources = ["source.docker.img"]
  post-processors {{
    post-processor "docker-tag" {{
      repository = "example/app"
      tags       = ["1.0"]
    }}
    post-processor "vagrant" {{
      output = "app.box"
    }}
  }}
}}
"#,
        rootfs.display()
    );
    std::fs::write(d.join("t.pkr.hcl"), t).expect("template");
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(d, tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("'docker' provider box: app.box"),
        "{}",
        r.stdout
    );
    // The box names the image: the layout stays.
    assert!(d.join("output-img/index.json").is_file());
    let home = tempfile::tempdir().expect("vagrant home");
    let env = [("VAGRANT_HOME", home.path())];
    let boxed = d.join("app.box").display().to_string();
    let add = tool(
        "vagrant",
        &[
            "box",
            "add",
            "--name",
            "app",
            "--provider",
            "docker",
            &boxed,
        ],
        &env,
    );
    assert!(
        add.status.success(),
        "vagrant box add: {}{}",
        String::from_utf8_lossy(&add.stdout),
        String::from_utf8_lossy(&add.stderr)
    );
    let list = tool("vagrant", &["box", "list"], &env);
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(
        listed.lines().any(|l| l.trim() == "app (docker, 0)"),
        "{listed}"
    );
    let unpacked = home.path().join("boxes/app/0/docker");
    assert_eq!(
        std::fs::read_to_string(unpacked.join("metadata.json")).expect("metadata"),
        "{\"provider\":\"docker\"}\n"
    );
    let vagrantfile = std::fs::read_to_string(unpacked.join("Vagrantfile")).expect("Vagrantfile");
    assert!(
        vagrantfile.contains("docker.image = \"example/app:1.0\""),
        "{vagrantfile}"
    );
}
