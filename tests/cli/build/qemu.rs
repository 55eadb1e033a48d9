//! The QEMU builder end to end under TCG, against the Debian 12 fixture
//! image (tests/fixtures/debian-image.sh). The templates name TCG: nested
//! KVM on CI machines can pass any quick probe and still hang a guest, and
//! a hung boot would cost the whole SSH timeout (the probe has unit tests
//! of its own). Two VM boots cover it:
//!
//! 1. a zero-config build (kiln's own key and NoCloud seed) that uploads a
//!    file, runs shell steps with environment variables, reboots with
//!    `expect_disconnect`, downloads a file back and writes a compressed
//!    qcow2, recorded in a manifest with its sha256;
//! 2. a build that boots that *output* as a qcow2 overlay
//!    (`use_backing_file`), finds the first build's changes in it, and then
//!    fails (a step exits 1): nothing may be left behind (no qemu process,
//!    no output directory, no temporary file).
//!
//! A third boot, in `installer`, starts from an installer-like ISO under
//! UEFI with a typed boot command. A fourth is the minimal source a new
//! user writes (no `headless`, `display` or `shutdown_command`) on a
//! machine without a display, whose guest ignores the ACPI button.

mod installer;

use super::{build, leftovers, messages};
use crate::project;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The fixture image; the test fails (never skips) without it.
pub(super) fn fixture() -> (PathBuf, String) {
    let dir =
        std::env::var("KILN_FIXTURE_DIR").unwrap_or_else(|_| "/var/cache/kiln-fixtures".into());
    let image = Path::new(&dir).join("debian-12.qcow2");
    let sum = std::fs::read_to_string(image.with_extension("qcow2.sha256")).unwrap_or_default();
    assert!(
        image.is_file() && !sum.is_empty(),
        "no fixture image at {}: run tests/fixtures/debian-image.sh (tests/run-all.sh does) after scripts/setup.sh",
        image.display()
    );
    let sum = sum.split_whitespace().next().unwrap_or_default().to_owned();
    (image, sum)
}

fn qemu_img_json(args: &[&str], image: &Path) -> serde_json::Value {
    let out = Command::new("qemu-img")
        .args(args)
        .arg("--output=json")
        .arg(image)
        .output()
        .expect("qemu-img (scripts/setup.sh installs qemu-utils)");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("qemu-img {args:?}: {e}: {out:?}"))
}

const FIRST: &str = r#"
source "qemu" "golden" {
  iso_url          = "@IMAGE@"
  iso_checksum     = "sha256:@SUM@"
  disk_image       = true
  accelerator      = "tcg"
  ssh_username     = "kiln"
  ssh_timeout      = "20m"
  headless         = true
  memory           = 1024
  disk_size        = "4G"
  disk_compression = true
  vm_name          = "golden.qcow2"
  output_directory = "out"
  shutdown_command = "sudo shutdown -P now"
  wait_for_cloud_init = true
  cloud_init_clean    = true
  sbom                = ["spdx-json", "cyclonedx-json"]
  sign { key = "cosign.key" }
}

build {
  sources = ["source.qemu.golden"]

  provisioner "file" {
    source      = "hello.txt"
    destination = "/tmp/hello.txt"
  }

  provisioner "shell" {
    environment_vars = ["GREETING=hello from kiln", "TARGET=/etc/kiln-e2e"]
    inline = [
      "sudo mkdir -p $TARGET",
      "sudo cp /tmp/hello.txt $TARGET/hello.txt",
      "echo \"$GREETING\" | sudo tee $TARGET/greeting",
      "sudo cp /proc/sys/kernel/random/boot_id $TARGET/boot1",
      "sudo cp /etc/machine-id $TARGET/machine-id-1",
    ]
  }

  # The same playbook straight over the build's SSH connection and
  # through kiln's SSH adapter.
  provisioner "ansible" {
    playbook_file   = "site.yml"
    command         = "@ANSIBLE@"
    use_proxy       = false
    extra_arguments = ["-e", "mark=direct"]
  }

  provisioner "ansible" {
    playbook_file   = "site.yml"
    command         = "@ANSIBLE@"
    extra_arguments = ["-e", "mark=adapter"]
  }

  provisioner "shell" {
    expect_disconnect = true
    inline            = ["sudo systemctl reboot; sleep 300"]
  }

  provisioner "shell" {
    inline = [
      "test \"$(cat /proc/sys/kernel/random/boot_id)\" != \"$(cat /etc/kiln-e2e/boot1)\" && echo rebooted",
      "{ hostname; cat /etc/kiln-e2e/greeting; } > /tmp/report.txt",
      "dpkg-query -W -f '$${Package}\t$${Version}\n' > /tmp/dpkg.txt",
    ]
  }

  provisioner "file" {
    direction   = "download"
    source      = "/tmp/report.txt"
    destination = "report.txt"
  }

  provisioner "file" {
    direction   = "download"
    source      = "/tmp/dpkg.txt"
    destination = "dpkg.txt"
  }

  # The output, booted afresh from an overlay with a key of its own.
  test "smoke" {
    check "greeting" {
      command       = "cat /etc/kiln-e2e/greeting"
      expect_stdout = "^hello from kiln$"
    }
    check "fresh-instance" {
      command       = "cat /etc/machine-id /etc/kiln-e2e/machine-id-1 | sort -u | wc -l"
      expect_stdout = "^2$"
    }
    testinfra {
      command = "@PYTEST@"
      files   = ["test_image.py"]
      extra_arguments = ["-v"]
    }
  }

  post-processor "manifest" {
    output = "manifest.json"
  }
}
"#;

/// The playbook both ansible provisioners run (`mark` tells them apart);
/// `become`, as golden-image playbooks do.
const SITE_YML: &str = r#"- hosts: default
  become: true
  tasks:
    - ansible.builtin.copy:
        content: "{{ mark }} {{ packer_builder_type }}\n"
        dest: "/etc/kiln-e2e/ansible-{{ mark }}"
        mode: "0644"
"#;

const SECOND: &str = r#"
source "qemu" "check" {
  iso_url          = "@IMAGE@"
  iso_checksum     = "none"
  disk_image       = true
  use_backing_file = true
  skip_resize_disk = true
  accelerator      = "tcg"
  ssh_username     = "kiln"
  ssh_timeout      = "20m"
  headless         = true
  memory           = 1024
  output_directory = "out2"
}

build {
  sources = ["source.qemu.check"]

  provisioner "shell" {
    inline = [
      "echo hello: $(cat /etc/kiln-e2e/hello.txt)",
      "echo greeting: $(cat /etc/kiln-e2e/greeting)",
      "echo ansible: $(cat /etc/kiln-e2e/ansible-direct /etc/kiln-e2e/ansible-adapter)",
      "test -s /etc/machine-id && ! cmp -s /etc/machine-id /etc/kiln-e2e/machine-id-1 && echo fresh machine-id",
    ]
  }

  # A service the image should run but does not.
  test "web" {
    check "nginx" {
      command = "systemctl is-active nginx"
    }
  }

  post-processor "manifest" {
    output = "manifest2.json"
  }
}
"#;

#[test]
fn a_cloud_image_is_provisioned_and_its_output_boots_with_the_changes() {
    let (image, sum) = fixture();
    let first = FIRST
        .replace("@IMAGE@", &image.display().to_string())
        .replace("@SUM@", &sum)
        .replace("@ANSIBLE@", &super::ansible::ansible_bin())
        .replace("@PYTEST@", &super::testinfra::pytest_bin());
    let dir = project(&[
        ("first.pkr.hcl", &first),
        ("hello.txt", "uploaded by kiln\n"),
        ("site.yml", SITE_YML),
        ("test_image.py", super::testinfra::CHECKS),
    ]);
    let tmp = tempfile::tempdir().expect("tmp");
    super::supply_chain::keygen(dir.path(), "");
    let r = crate::kiln_env(
        dir.path(),
        &[
            "build",
            "-color=false",
            "-test-report=junit.xml",
            "first.pkr.hcl",
        ],
        "",
        &[
            ("TMPDIR".to_owned(), tmp.path().display().to_string()),
            ("COSIGN_PASSWORD".to_owned(), String::new()),
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        super::image_tests::junit_counts(&dir.path().join("junit.xml")),
        (
            "tests=3 failures=0 skipped=0".to_owned(),
            vec![
                "qemu.golden.smoke/greeting".to_owned(),
                "qemu.golden.smoke/fresh-instance".to_owned(),
                "qemu.golden.smoke/testinfra".to_owned()
            ]
        )
    );
    let out = &r.stdout;
    for line in [
        "==> qemu.golden: Creating NoCloud seed (cidata) for user 'kiln' with the temporary SSH key...",
        "==> qemu.golden: Starting VM, booting disk image",
        "==> qemu.golden: Connected to SSH!",
        "==> qemu.golden: Waiting for cloud-init to finish...",
        "==> qemu.golden: Cleaning cloud-init's state and the machine-id for the next boot...",
        "==> qemu.golden: Gracefully halting virtual machine...",
        "==> qemu.golden: Converting hard drive...",
    ] {
        assert!(out.contains(line), "missing {line:?} in:\n{out}");
    }
    assert!(
        messages(out, "qemu.golden").iter().any(|m| m == "rebooted"),
        "{out}"
    );
    // The downloaded report: the seed's hostname and the env var's value.
    let report =
        std::fs::read_to_string(dir.path().join("report.txt")).expect("report.txt downloaded");
    assert_eq!(report, "golden\nhello from kiln\n");
    // Only the image and its attestations in the output directory: no
    // temporary names.
    let mut left = leftovers(&dir.path().join("out"));
    left.sort();
    assert_eq!(
        left,
        [
            "golden.qcow2",
            "golden.qcow2.cdx.json",
            "golden.qcow2.intoto.jsonl",
            "golden.qcow2.sig",
            "golden.qcow2.spdx.json"
        ]
    );
    let output = dir.path().join("out/golden.qcow2");
    // The SBOMs, read over SSH before the shutdown: valid, and what dpkg
    // lists in the guest.
    let spdx = dir.path().join("out/golden.qcow2.spdx.json");
    super::supply_chain::validate_sboms(&spdx, &dir.path().join("out/golden.qcow2.cdx.json"));
    let dpkg = super::supply_chain::sorted_lines(&dir.path().join("dpkg.txt"));
    assert!(dpkg.len() > 100, "{dpkg:?}");
    assert_eq!(super::supply_chain::spdx_packages(&spdx), dpkg);
    let digest = super::supply_chain::sha256_hex(&output);
    super::supply_chain::checked(
        dir.path(),
        &[
            "dsse",
            "out/golden.qcow2.intoto.jsonl",
            "cosign.pub",
            &digest,
        ],
    );
    let verified = crate::kiln(
        dir.path(),
        &["verify", "out/golden.qcow2", "-key", "cosign.pub"],
        "",
    );
    assert_eq!(verified.code, 0, "{}{}", verified.stdout, verified.stderr);
    let info = qemu_img_json(&["info"], &output);
    assert_eq!(info["format"], "qcow2", "{info}");
    assert_eq!(info["virtual-size"], 4u64 << 30, "{info}");
    let check = qemu_img_json(&["check"], &output);
    assert!(
        check["compressed-clusters"].as_u64().unwrap_or(0) > 0,
        "disk_compression: {check}"
    );
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("manifest.json")).expect("manifest"),
    )
    .expect("manifest JSON");
    let b = &manifest["builds"][0];
    assert_eq!(b["builder_type"], "qemu");
    assert_eq!(b["artifact_id"], "VM");
    let bytes = std::fs::read(&output).expect("image");
    let sha = {
        use sha2::Digest;
        sha2::Sha256::digest(&bytes)
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect::<String>()
    };
    assert_eq!(b["files"][0]["name"], "out/golden.qcow2");
    // The manifest's digest was taken before the test boot: the test left
    // the image's bytes as they were.
    assert_eq!(b["files"][0]["sha256"], sha.as_str());
    // The test booted the output afresh (an overlay, a key of its own)
    // and ran the checks and the testinfra file over SSH.
    let test_part = out
        .split("Testing the artifact: test 'smoke'")
        .nth(1)
        .unwrap_or_else(|| panic!("no test stage in:\n{out}"));
    for line in [
        "==> qemu.golden: Creating a throw-away overlay of",
        "==> qemu.golden: Creating temporary ed25519 SSH key for this build...",
        "==> qemu.golden: Connected to SSH!",
        "--hosts=ssh://default",
        "test_the_build_left_its_greeting[ssh://default] PASSED",
        "test_the_machine_runs_linux[ssh://default] PASSED",
        "3 passed",
        "==> qemu.golden: Test 'smoke' passed",
        "Tests: 1 passed, 0 failed",
    ] {
        assert!(test_part.contains(line), "missing {line:?} in:\n{out}");
    }
    assert!(
        leftovers(tmp.path()).is_empty(),
        "{:?}",
        leftovers(tmp.path())
    );

    // `kiln test` boots the same output again; Ctrl-C while it waits for
    // SSH leaves no VM and no overlay, and the image as it was.
    let tmp_test = tempfile::tempdir().expect("tmp");
    let interrupted = interrupt_when(
        dir.path(),
        tmp_test.path(),
        &["test", "-color=false", "first.pkr.hcl"],
        "Waiting for SSH to become available...",
    );
    assert!(
        interrupted.contains("Creating a throw-away overlay of"),
        "{interrupted}"
    );
    assert!(
        leftovers(tmp_test.path()).is_empty(),
        "{:?}",
        leftovers(tmp_test.path())
    );
    assert!(
        std::fs::read(&output).expect("image") == bytes,
        "the interrupted test changed the image"
    );

    // Boot the output: the changes are in it. Then a failing test: the
    // build cleans up everything.
    let second = SECOND.replace("@IMAGE@", &output.display().to_string());
    std::fs::write(dir.path().join("second.pkr.hcl"), second).expect("write");
    let tmp2 = tempfile::tempdir().expect("tmp");
    let r = build(
        dir.path(),
        tmp2.path(),
        &["-test-report=junit2.xml", "second.pkr.hcl"],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        super::image_tests::junit_counts(&dir.path().join("junit2.xml")).0,
        "tests=1 failures=1 skipped=0"
    );
    let m = messages(&r.stdout, "qemu.check");
    assert!(
        m.iter().any(|l| l == "hello: uploaded by kiln"),
        "{}",
        r.stdout
    );
    assert!(
        m.iter().any(|l| l == "greeting: hello from kiln"),
        "{}",
        r.stdout
    );
    assert!(
        m.iter().any(|l| l == "ansible: direct qemu adapter qemu"),
        "{}",
        r.stdout
    );
    // cloud_init_clean: the output boots with a machine-id of its own.
    assert!(m.iter().any(|l| l == "fresh machine-id"), "{}", r.stdout);
    // The build itself passed; its test failed: the artifact is deleted
    // and nothing is recorded.
    for line in [
        "==> qemu.check: Test 'web' failed: check \"nginx\" failed",
        "Tests: 0 passed, 1 failed",
        "==> qemu.check: Deleting the artifact that failed its test: VM files in directory: out2",
    ] {
        assert!(
            r.stdout.contains(line),
            "missing {line:?} in:\n{}",
            r.stdout
        );
    }
    assert!(
        !dir.path().join("out2").exists(),
        "output directory left behind"
    );
    assert!(!dir.path().join("manifest2.json").exists());
    assert!(
        leftovers(tmp2.path()).is_empty(),
        "{:?}",
        leftovers(tmp2.path())
    );
    let tmp2_path = tmp2.path().display().to_string();
    assert_eq!(
        super::processes_mentioning(&tmp2_path),
        Vec::<String>::new(),
        "qemu survived"
    );
    // The first image is untouched by the overlay build.
    assert_eq!(qemu_img_json(&["check"], &output)["check-errors"], 0);

    // One byte of the qcow2 changed: kiln verify fails on the digest.
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&output)
        .expect("image");
    use std::io::{Read, Seek, SeekFrom, Write};
    let at = std::fs::metadata(&output).expect("image").len() / 2;
    let mut b = [0u8; 1];
    f.seek(SeekFrom::Start(at)).expect("seek");
    f.read_exact(&mut b).expect("read");
    f.seek(SeekFrom::Start(at)).expect("seek");
    f.write_all(&[b[0] ^ 0x40]).expect("write");
    drop(f);
    let tampered = crate::kiln(
        dir.path(),
        &["verify", "out/golden.qcow2", "-key", "cosign.pub"],
        "",
    );
    assert_eq!(tampered.code, 1, "{}", tampered.stdout);
    assert!(tampered.stderr.contains("✗ digest:"), "{}", tampered.stderr);
}

/// Run kiln with `args` in `dir` (`TMPDIR` = `tmp`) and press Ctrl-C once
/// a line with `marker` appears, while qemu runs. Asserts that kiln then
/// fails and that no process mentioning `tmp` (qemu, its helpers) is
/// left; returns the output.
fn interrupt_when(dir: &Path, tmp: &Path, args: &[&str], marker: &str) -> String {
    let mut cmd = crate::kiln_command();
    cmd.args(args).current_dir(dir).env("TMPDIR", tmp);
    let tmp_path = tmp.display().to_string();
    let r = super::interrupt_at_line(cmd, marker, std::time::Duration::from_secs(300), || {
        super::processes_mentioning(&tmp_path)
    });
    let out = r.out;
    assert!(r.reached, "never reached the marker:\n{out}");
    assert!(
        r.at.iter().any(|p| p.contains("qemu-system-x86_64")),
        "qemu should have been running: {:?}",
        r.at
    );
    assert_eq!(r.code, Some(1), "{out}");
    assert_eq!(
        super::processes_mentioning(&tmp_path),
        Vec::<String>::new(),
        "{out}"
    );
    out
}

#[test]
fn ctrl_c_while_waiting_for_ssh_kills_qemu_and_removes_everything() {
    let (image, _) = fixture();
    let t = format!(
        r#"
source "qemu" "stop" {{
  iso_url      = "{}"
  iso_checksum = "none"
  disk_image   = true
  accelerator  = "tcg"
  ssh_username = "kiln"
  headless     = true
  disk_size    = "4G"
}}
build {{ sources = ["source.qemu.stop"] }}
"#,
        image.display()
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let out = interrupt_when(
        dir.path(),
        tmp.path(),
        &["build", "-color=false", "t.pkr.hcl"],
        "Waiting for SSH to become available...",
    );
    assert!(!dir.path().join("output-stop").exists(), "{out}");
    assert!(
        leftovers(tmp.path()).is_empty(),
        "{:?}",
        leftovers(tmp.path())
    );
}

#[test]
fn an_existing_output_directory_stops_the_build_before_anything_starts() {
    let (image, _) = fixture();
    let t = format!(
        r#"
source "qemu" "exists" {{
  iso_url      = "{}"
  iso_checksum = "none"
  disk_image   = true
  ssh_username = "kiln"
  headless     = true
}}
build {{ sources = ["source.qemu.exists"] }}
"#,
        image.display()
    );
    let dir = project(&[("t.pkr.hcl", &t), ("output-exists/keep.txt", "mine")]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        all.contains("Output directory 'output-exists' already exists. It must not exist."),
        "{all}"
    );
    assert!(!all.contains("Starting VM"), "{all}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("output-exists/keep.txt")).ok(),
        Some("mine".into()),
        "someone else's directory is never touched"
    );
    assert!(
        leftovers(tmp.path()).is_empty(),
        "{:?}",
        leftovers(tmp.path())
    );
}

const MINIMAL: &str = r#"
source "qemu" "minimal" {
  iso_url          = "@IMAGE@"
  iso_checksum     = "sha256:@SUM@"
  disk_image       = true
  accelerator      = "tcg"
  ssh_username     = "kiln"
  ssh_timeout      = "20m"
  memory           = 1024
  output_directory = "out"
}

build {
  sources = ["source.qemu.minimal"]

  provisioner "shell" {
    inline = ["echo provisioned as $(id -un)"]
  }
}
"#;

/// The fixture has no systemd-logind or acpid: the ACPI power-down goes
/// unanswered, so only the power-off over SSH lets this build finish
/// (the fallback would fail it after shutdown_timeout's 5 minutes).
#[test]
fn a_minimal_source_without_a_display_runs_headless_and_powers_off_over_ssh() {
    let (image, sum) = fixture();
    let t = MINIMAL
        .replace("@IMAGE@", &image.display().to_string())
        .replace("@SUM@", &sum);
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let out = assert_cmd::Command::cargo_bin("kiln")
        .expect("kiln binary")
        .args(["build", "-color=false", "t.pkr.hcl"])
        .current_dir(dir.path())
        .env("TMPDIR", tmp.path())
        // A step cache of its own, not the user's.
        .env("KILN_CACHE_DIR", crate::test_cache_dir())
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .write_stdin("")
        .output()
        .expect("kiln runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let all = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{all}");
    for line in [
        "==> qemu.minimal: No display available for a VM window (DISPLAY and WAYLAND_DISPLAY are not set): running headless",
        "==> qemu.minimal: No shutdown_command: powering off the guest over SSH (sudo -n sh -c 'sync; poweroff')",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{all}");
    }
    assert!(!stdout.contains("falling back"), "{all}");
    assert!(
        messages(&stdout, "qemu.minimal")
            .iter()
            .any(|m| m == "provisioned as kiln"),
        "{all}"
    );
    // The VNC address names the TCP port (5900 + display), not the
    // display number qemu's -vnc takes.
    let vnc = regex::Regex::new(r"vnc://127\.0\.0\.1:(\d+)\n").expect("regex");
    let port: u16 = vnc
        .captures(&stdout)
        .and_then(|c| c[1].parse().ok())
        .unwrap_or_else(|| panic!("no VNC address in:\n{all}"));
    assert!((5900..=6000).contains(&port), "vnc port {port}:\n{all}");
    // One local file, one "Trying" line.
    let trying: Vec<&str> = stdout.lines().filter(|l| l.contains(": Trying ")).collect();
    assert_eq!(
        trying,
        [format!(
            "==> qemu.minimal: Trying {}?checksum=sha256%3A{sum}",
            image.display()
        )],
        "{all}"
    );
    // The disk and, beside it, its (unsigned) provenance: nothing else.
    assert_eq!(
        leftovers(&dir.path().join("out")),
        ["packer-minimal", "packer-minimal.intoto.jsonl"]
    );
    let check = qemu_img_json(&["check"], &dir.path().join("out/packer-minimal"));
    assert_eq!(check["check-errors"], 0, "{check}");
    assert_eq!(
        super::processes_mentioning(&tmp.path().display().to_string()),
        Vec::<String>::new(),
        "qemu survived"
    );
    assert!(
        leftovers(tmp.path()).is_empty(),
        "{:?}",
        leftovers(tmp.path())
    );
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

const CACHED: &str = r#"
source "qemu" "cached" {
  iso_url          = "@IMAGE@"
  iso_checksum     = "sha256:@SUM@"
  disk_image       = true
  accelerator      = "tcg"
  headless         = true
  ssh_username     = "kiln"
  ssh_timeout      = "@SSH_TIMEOUT@"
  memory           = 1024
  output_directory = "@OUT@"
  qemuargs         = [["-serial", "file:@SERIAL@"]]
}

build {
  sources = ["source.qemu.cached"]

  provisioner "shell" {
    inline = [
      "echo @DEB@ | base64 -d > /tmp/probe.deb",
      "sudo dpkg -i /tmp/probe.deb >/dev/null",
      "cat /proc/sys/kernel/random/boot_id > /var/tmp/boot1",
      "echo step one",
    ]
  }
  provisioner "shell" {
    inline = ["echo step two | sudo tee /etc/kiln-step2"]
  }
  provisioner "shell" {
    inline = ["echo @THIRD@ | sudo tee /etc/kiln-step3", "if [ \"$(cat /proc/sys/kernel/random/boot_id)\" = \"$(cat /var/tmp/boot1)\" ]; then echo same boot; else echo rebooted; fi"]
  }
}
"#;

/// A package for step one to install for real: `kiln-cache-probe`, one
/// file, built with dpkg-deb.
fn probe_deb(dir: &Path) -> Vec<u8> {
    let root = dir.join("probe");
    std::fs::create_dir_all(root.join("DEBIAN")).expect("probe");
    std::fs::create_dir_all(root.join("usr/share/kiln-cache-probe")).expect("probe");
    std::fs::write(
        root.join("DEBIAN/control"),
        "Package: kiln-cache-probe\nVersion: 1.0\nArchitecture: all\nMaintainer: kiln <kiln@example.org>\nDescription: step cache probe\n",
    )
    .expect("control");
    std::fs::write(
        root.join("usr/share/kiln-cache-probe/hello"),
        "installed by step one\n",
    )
    .expect("payload");
    let deb = dir.join("probe.deb");
    let out = Command::new("dpkg-deb")
        .args(["--root-owner-group", "-Zgzip", "--build"])
        .arg(&root)
        .arg(&deb)
        .output()
        .expect("dpkg-deb");
    assert!(out.status.success(), "{out:?}");
    std::fs::read(&deb).expect("deb")
}

/// A file of the root filesystem (the fixture's first partition, at
/// 1 MiB) of the qcow2 `image`, read with debugfs from a raw copy.
fn read_in_image(image: &Path, files: &[&str], scratch: &Path) -> Vec<String> {
    let raw = scratch.join("disk.raw");
    let out = Command::new("qemu-img")
        .args(["convert", "-O", "raw"])
        .arg(image)
        .arg(&raw)
        .output()
        .expect("qemu-img");
    assert!(out.status.success(), "{out:?}");
    let texts = files
        .iter()
        .map(|f| {
            let out = Command::new("debugfs")
                .arg("-R")
                .arg(format!("cat {f}"))
                .arg(format!("{}?offset=1048576", raw.display()))
                .output()
                .expect("debugfs (e2fsprogs)");
            assert!(out.status.success(), "{out:?}");
            String::from_utf8_lossy(&out.stdout).into_owned()
        })
        .collect();
    std::fs::remove_file(&raw).expect("remove raw copy");
    texts
}

/// The step cache on a VM: the cold build saves the boot and each step;
/// a rebuild whose third provisioner changed starts QEMU from the
/// snapshot after the second (no boot: the serial console shows no
/// kernel starting, and the guest's boot id is the one step one
/// recorded), runs only the third, and its image holds all three steps'
/// work. A damaged snapshot boots cold; a new base image misses
/// everything.
#[test]
fn a_qemu_rebuild_resumes_from_the_snapshot_after_the_last_unchanged_step() {
    use base64::Engine as _;
    let (image, sum) = fixture();
    let dir = project(&[]);
    let d = dir.path();
    let deb = base64::engine::general_purpose::STANDARD.encode(probe_deb(d));
    let cache = tempfile::tempdir().expect("cache");
    let serial = d.join("serial.log");
    let run_on = |image: &Path, sum: &str, out: &str, third: &str, ssh_timeout: &str| {
        let t = CACHED
            .replace("@IMAGE@", &image.display().to_string())
            .replace("@SUM@", sum)
            .replace("@OUT@", out)
            .replace("@SERIAL@", &serial.display().to_string())
            .replace("@SSH_TIMEOUT@", ssh_timeout)
            .replace("@DEB@", &deb)
            .replace("@THIRD@", third);
        std::fs::write(d.join("t.pkr.hcl"), t).expect("template");
        let tmp = tempfile::tempdir().expect("tmp");
        let r = crate::kiln_env(
            d,
            &["build", "-color=false", "-explain-cache", "t.pkr.hcl"],
            "",
            &[
                ("TMPDIR".to_owned(), tmp.path().display().to_string()),
                (
                    "KILN_CACHE_DIR".to_owned(),
                    cache.path().display().to_string(),
                ),
            ],
        );
        assert!(
            leftovers(tmp.path()).is_empty(),
            "{:?}",
            leftovers(tmp.path())
        );
        r
    };
    let run = |out: &str, third: &str| {
        let r = run_on(&image, &sum, out, third, "20m");
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        let console = std::fs::read_to_string(&serial).unwrap_or_default();
        (r.stdout, console)
    };
    let (cold, console) = run("out1", "step three");
    assert!(cold.contains("Step cache 0/3 (boot): miss"), "{cold}");
    assert!(!cold.contains("from the step cache's snapshot"), "{cold}");
    assert!(
        messages(&cold, "qemu.cached")
            .iter()
            .any(|m| m == "same boot"),
        "{cold}"
    );
    assert!(
        console.contains("Linux version"),
        "no kernel boot on the serial console:\n{console}"
    );

    let (warm, console) = run("out2", "step three, changed");
    for line in [
        "Step cache 2/3 (provisioner shell): hit",
        "Step cache 3/3 (provisioner shell): miss: inline changed",
        "Starting VM from the step cache's snapshot after step 2",
        "Using cached step 2/3",
    ] {
        assert!(warm.contains(line), "missing {line:?} in:\n{warm}");
    }
    let said = messages(&warm, "qemu.cached");
    for ran_before in ["step one", "step two"] {
        assert!(
            !said.iter().any(|m| m == ran_before),
            "{ran_before:?} ran again:\n{warm}"
        );
    }
    assert!(said.iter().any(|m| m == "step three, changed"), "{warm}");
    assert!(
        said.iter().any(|m| m == "same boot"),
        "the guest booted again:\n{warm}"
    );
    // The console was written (the guest's shutdown), but no kernel started.
    assert!(console.contains("Power"), "{console}");
    assert!(
        !console.contains("Linux version"),
        "the rebuild booted a kernel:\n{console}"
    );
    let found = read_in_image(
        &d.join("out2").join("packer-cached"),
        &[
            "/usr/share/kiln-cache-probe/hello",
            "/var/lib/dpkg/status",
            "/etc/kiln-step2",
            "/etc/kiln-step3",
        ],
        d,
    );
    assert_eq!(found[0], "installed by step one\n");
    assert!(
        found[1].contains("Package: kiln-cache-probe\nStatus: install ok installed"),
        "the package is not installed in the image"
    );
    assert_eq!(found[2], "step two\n");
    assert_eq!(found[3], "step three, changed\n");

    // The states are stored compressed, and only those.
    let states: Vec<PathBuf> = walk(cache.path())
        .into_iter()
        .filter(|e| e.file_name().is_some_and(|n| n == "state.zst"))
        .collect();
    for e in walk(cache.path()) {
        assert!(
            e.file_name().is_none_or(|n| n != "state.raw"),
            "a raw state was left in the cache: {}",
            e.display()
        );
    }
    for e in &states {
        let f = std::fs::File::open(e).expect("state");
        let mut head = [0u8; 4];
        std::io::Read::read_exact(&mut zstd::Decoder::new(f).expect("zstd"), &mut head)
            .expect("a zstd stream");
        assert_eq!(&head, b"QEVM", "{}", e.display());
    }
    // Damaged snapshots (a stream's magic, then garbage): QEMU's load
    // fails, the build says so and boots.
    assert_eq!(
        states.len(),
        5,
        "the boot, three steps and the changed third step"
    );
    for e in &states {
        let garbage =
            zstd::encode_all(&b"QEVM\0\0\0\x03 not a migration stream"[..], 1).expect("zstd");
        std::fs::write(e, garbage).expect("damage");
    }
    let (cold_again, console) = run("out3", "step three, once more");
    assert!(
        cold_again.contains("Step cache: the snapshot cannot be restored"),
        "{cold_again}"
    );
    let said = messages(&cold_again, "qemu.cached");
    assert!(said.iter().any(|m| m == "step one"), "{cold_again}");
    assert!(
        said.iter().any(|m| m == "step three, once more"),
        "{cold_again}"
    );
    assert!(console.contains("Linux version"), "{console}");

    // Another base image (the same disk under a qcow2 overlay, so other
    // bytes): every step misses, for that reason. An SSH timeout this
    // short ends the build once that is said, without a boot's cost.
    let base = d.join("other-base.qcow2");
    let made = Command::new("qemu-img")
        .args(["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b"])
        .arg(&image)
        .arg(&base)
        .output()
        .expect("qemu-img");
    assert!(made.status.success(), "{made:?}");
    let base_sum = {
        use sha2::Digest as _;
        hex_lower(&sha2::Sha256::digest(std::fs::read(&base).expect("base")))
    };
    let other = run_on(&base, &base_sum, "out4", "step three, once more", "1s");
    assert_ne!(other.code, 0, "{}", other.stdout);
    let boot = other
        .stdout
        .lines()
        .find(|l| l.contains("Step cache 0/3 (boot): "))
        .unwrap_or_default();
    assert!(
        boot.contains("miss: ") && boot.contains("source image") && boot.ends_with(" changed"),
        "{}",
        other.stdout
    );
    for line in [
        "Step cache 1/3 (provisioner shell): miss: an earlier step changed",
        "Step cache 3/3 (provisioner shell): miss: an earlier step changed",
    ] {
        assert!(
            other.stdout.contains(line),
            "missing {line:?} in:\n{}",
            other.stdout
        );
    }
    assert!(
        !other.stdout.contains("from the step cache's snapshot"),
        "{}",
        other.stdout
    );
    for out in ["out1", "out2", "out3"] {
        let mut left = leftovers(&d.join(out));
        left.sort();
        assert_eq!(left, ["packer-cached", "packer-cached.intoto.jsonl"]);
        let info = qemu_img_json(&["info"], &d.join(out).join("packer-cached"));
        assert!(info.get("backing-filename").is_none(), "{info}");
        let check = qemu_img_json(&["check"], &d.join(out).join("packer-cached"));
        assert_eq!(check["check-errors"], 0, "{check}");
    }
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
