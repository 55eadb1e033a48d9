//! The OCI builder end to end: images from a busybox root filesystem,
//! checked with the real clients (skopeo, umoci, buildah).

// Tests may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use super::build;
use crate::project;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Run a container tool; a missing one fails the test with the fix.
pub fn tool(dir: &Path, prog: &str, args: &[&str]) -> String {
    let out = Command::new(prog)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{prog} cannot run ({e}): run scripts/setup.sh"));
    assert!(
        out.status.success(),
        "{prog} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A small root filesystem: static busybox and its applet links, an
/// `/etc/passwd`, a file the build deletes. Returns the tarball's path.
pub fn busybox_rootfs(dir: &Path) -> PathBuf {
    let busybox = Path::new("/bin/busybox");
    assert!(
        busybox.exists(),
        "/bin/busybox is missing: run scripts/setup.sh"
    );
    let root = dir.join("busybox-root");
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::create_dir_all(root.join("tmp")).unwrap();
    std::fs::copy(busybox, root.join("bin/busybox")).unwrap();
    for applet in [
        "sh", "cat", "echo", "ls", "rm", "mkdir", "env", "test", "chmod", "id",
    ] {
        std::os::unix::fs::symlink("busybox", root.join("bin").join(applet)).unwrap();
    }
    std::fs::write(root.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n").unwrap();
    std::fs::write(root.join("etc/obsolete"), "to be deleted\n").unwrap();
    let tarball = dir.join("rootfs.tar.gz");
    tool(
        dir,
        "tar",
        &[
            "--numeric-owner",
            "-czf",
            tarball.to_str().unwrap(),
            "-C",
            root.to_str().unwrap(),
            ".",
        ],
    );
    std::fs::remove_dir_all(&root).unwrap();
    tarball
}

fn template(rootfs: &Path, extra: &str) -> String {
    format!(
        r#"
source "oci" "app" {{
  image   = "rootfs:{}"
  changes = [
    "CMD [\"/bin/cat\", \"/app/hello\"]",
    "ENV GREETING=hi",
    "LABEL team=blue",
    "LABEL maintainer Jane Doe <jane@example.com>",
  ]
  tags    = ["v1", "blue"]
  {extra}
}}
build {{
  sources = ["source.oci.app"]
  provisioner "shell" {{
    inline = ["mkdir -p /app", "echo hello > /app/hello", "rm /etc/obsolete"]
  }}
  provisioner "shell-local" {{
    inline = ["echo local > ${{build.Rootfs}}/app/local"]
  }}
  post-processor "manifest" {{}}
}}
"#,
        rootfs.display()
    )
}

fn digest_in(stdout: &str) -> String {
    let at = stdout.rfind("sha256:").expect("a digest in the output");
    stdout[at..at + 71].to_owned()
}

fn kiln_build(dir: &Path, args: &[&str]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let r = build(dir, tmp.path(), args);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        super::leftovers(tmp.path()).is_empty(),
        "work files left behind"
    );
    r.stdout
}

#[test]
fn layout_is_read_by_skopeo_umoci_and_buildah() {
    let dir = project(&[]);
    let d = dir.path();
    let rootfs = busybox_rootfs(d);
    std::fs::write(d.join("t.pkr.hcl"), template(&rootfs, "")).unwrap();
    let out = kiln_build(d, &["t.pkr.hcl"]);
    let digest = digest_in(&out);

    let inspect: Value =
        serde_json::from_str(&tool(d, "skopeo", &["inspect", "oci:output-app:v1"])).unwrap();
    assert_eq!(inspect["Digest"], digest.as_str());
    assert_eq!(inspect["Layers"].as_array().unwrap().len(), 2);
    assert!(
        inspect["Env"].to_string().contains("GREETING=hi"),
        "{inspect}"
    );
    assert_eq!(inspect["Labels"]["team"], "blue");
    // Docker's legacy `LABEL key value` form: the rest of the line.
    assert_eq!(
        inspect["Labels"]["maintainer"],
        "Jane Doe <jane@example.com>"
    );
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("packer-manifest.json")).unwrap())
            .unwrap();
    let entry = &manifest["builds"][0];
    assert_eq!(entry["artifact_id"], digest.as_str());
    assert_eq!(entry["image"]["digest"], digest.as_str());
    assert_eq!(entry["image"]["repository"], "app");
    assert_eq!(entry["image"]["tags"], serde_json::json!(["v1", "blue"]));
    let blue: Value =
        serde_json::from_str(&tool(d, "skopeo", &["inspect", "oci:output-app:blue"])).unwrap();
    assert_eq!(blue["Digest"], digest.as_str());

    tool(
        d,
        "umoci",
        &["unpack", "--image", "output-app:v1", "bundle"],
    );
    let hello = std::fs::read_to_string(d.join("bundle/rootfs/app/hello")).unwrap();
    assert_eq!(hello, "hello\n");
    assert!(
        !d.join("bundle/rootfs/etc/obsolete").exists(),
        "the deletion is a whiteout"
    );
    assert!(d.join("bundle/rootfs/etc/passwd").exists());
    assert_eq!(
        std::fs::read_to_string(d.join("bundle/rootfs/app/local")).unwrap(),
        "local\n"
    );
    // The sandbox's mount points are not part of the image.
    for p in ["proc", "dev", "etc/hosts", "etc/resolv.conf"] {
        assert!(
            !d.join("bundle/rootfs").join(p).exists(),
            "{p} leaked into the layer"
        );
    }
    let config = std::fs::read_to_string(d.join("bundle/config.json")).unwrap();
    assert!(config.contains("GREETING=hi"), "{config}");

    let root = d.join("containers");
    let storage = [
        "--storage-driver",
        "vfs",
        "--root",
        root.join("root").to_str().unwrap(),
        "--runroot",
        root.join("run").to_str().unwrap(),
    ]
    .map(str::to_owned);
    let buildah = |args: &[&str]| {
        let mut all: Vec<&str> = storage.iter().map(String::as_str).collect();
        all.extend_from_slice(args);
        tool(d, "buildah", &all)
    };
    buildah(&["from", "--name", "c", "oci:output-app:v1"]);
    let ran = buildah(&["run", "--isolation", "chroot", "c", "cat", "/app/hello"]);
    assert_eq!(ran, "hello\n");
    let env = buildah(&[
        "run",
        "--isolation",
        "chroot",
        "c",
        "sh",
        "-c",
        "echo $GREETING",
    ]);
    assert_eq!(env, "hi\n");
    let cfg: Value =
        serde_json::from_str(&buildah(&["inspect", "--type", "container", "c"])).unwrap();
    assert_eq!(
        cfg["OCIv1"]["config"]["Cmd"],
        serde_json::json!(["/bin/cat", "/app/hello"])
    );
    buildah(&["rm", "c"]);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn archives_are_read_and_copied_by_skopeo() {
    let dir = project(&[]);
    let d = dir.path();
    let rootfs = busybox_rootfs(d);
    // Two tags make two index entries: skopeo wants one named.
    for (format, suffix) in [("oci-archive", ":v1"), ("docker-archive", "")] {
        let file = format!("{format}.tar");
        let extra = format!("output_format = \"{format}\"\n  output_file = \"{file}\"");
        std::fs::write(d.join("t.pkr.hcl"), template(&rootfs, &extra)).unwrap();
        let out = kiln_build(d, &["-force", "t.pkr.hcl"]);
        let digest = digest_in(&out);
        let src = format!("{format}:{file}{suffix}");
        let inspect: Value = serde_json::from_str(&tool(d, "skopeo", &["inspect", &src])).unwrap();
        assert!(
            inspect["Env"].to_string().contains("GREETING=hi"),
            "{format}: {inspect}"
        );
        if format == "oci-archive" {
            assert_eq!(inspect["Digest"], digest.as_str());
        }
        let copy = format!("oci:copy-{format}:x");
        tool(d, "skopeo", &["copy", &src, &copy]);
        tool(
            d,
            "umoci",
            &[
                "unpack",
                "--image",
                &format!("copy-{format}:x"),
                &format!("b-{format}"),
            ],
        );
        let hello =
            std::fs::read_to_string(d.join(format!("b-{format}/rootfs/app/hello"))).unwrap();
        assert_eq!(hello, "hello\n", "{format}");
    }
}

#[test]
fn two_builds_give_the_same_digest() {
    let dir = project(&[]);
    let d = dir.path();
    let rootfs = busybox_rootfs(d);
    std::fs::write(
        d.join("t.pkr.hcl"),
        template(&rootfs, "source_date_epoch = 1700000000"),
    )
    .unwrap();
    let one = digest_in(&kiln_build(d, &["t.pkr.hcl"]));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let two = digest_in(&kiln_build(d, &["-force", "t.pkr.hcl"]));
    assert_eq!(one, two);
}

#[test]
fn layer_per_provisioner_and_a_layout_as_the_next_base() {
    let dir = project(&[]);
    let d = dir.path();
    let rootfs = busybox_rootfs(d);
    std::fs::write(
        d.join("t.pkr.hcl"),
        template(&rootfs, "layer_per_provisioner = true"),
    )
    .unwrap();
    kiln_build(d, &["t.pkr.hcl"]);
    let inspect: Value =
        serde_json::from_str(&tool(d, "skopeo", &["inspect", "oci:output-app:v1"])).unwrap();
    assert_eq!(
        inspect["Layers"].as_array().unwrap().len(),
        3,
        "base + one per provisioner"
    );
    let config: Value = serde_json::from_str(&tool(
        d,
        "skopeo",
        &["inspect", "--config", "oci:output-app:v1"],
    ))
    .unwrap();
    let history: Vec<String> = config["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["created_by"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        history,
        [
            "kiln provisioner 1: shell",
            "kiln provisioner 2: shell-local"
        ]
    );

    // The result is the base of the next build: its layers, config and
    // history carry over, and a deletion in the new layer is a whiteout.
    let next = r#"
source "docker" "next" {
  image   = "oci:output-app:v1"
  commit  = true
  changes = ["ENV STAGE=two"]
  message = "second stage"
  run_command = ["-d", "{{.Image}}"]
}
build {
  sources = ["source.docker.next"]
  provisioner "shell" {
    inline = ["test \"$GREETING\" = hi", "rm /app/local", "echo two > /app/two"]
  }
}
"#;
    std::fs::write(d.join("next.pkr.hcl"), next).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let r = build(d, tmp.path(), &["next.pkr.hcl"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("Warning: run_command is ignored"),
        "{}",
        r.stdout
    );
    let inspect: Value =
        serde_json::from_str(&tool(d, "skopeo", &["inspect", "oci:output-next"])).unwrap();
    assert_eq!(inspect["Layers"].as_array().unwrap().len(), 4);
    let env = inspect["Env"].to_string();
    assert!(
        env.contains("GREETING=hi") && env.contains("STAGE=two"),
        "{env}"
    );
    tool(
        d,
        "umoci",
        &["unpack", "--image", "output-next", "next-bundle"],
    );
    let root = d.join("next-bundle/rootfs");
    assert!(!root.join("app/local").exists());
    assert_eq!(
        std::fs::read_to_string(root.join("app/two")).unwrap(),
        "two\n"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("app/hello")).unwrap(),
        "hello\n"
    );
}

#[test]
fn docker_export_path_and_discard() {
    let dir = project(&[]);
    let d = dir.path();
    // A plain (uncompressed) tarball base this time.
    tool(d, "gzip", &["-dk", busybox_rootfs(d).to_str().unwrap()]);
    let rootfs = d.join("rootfs.tar");
    let t = format!(
        r#"
source "docker" "exp" {{
  image       = "rootfs:{0}"
  export_path = "flat.tar"
}}
source "docker" "gone" {{
  image   = "rootfs:{0}"
  discard = true
}}
source "docker" "plain" {{
  image  = "rootfs:{0}"
  commit = true
  output_directory = "plain-image"
}}
build {{
  sources = ["source.docker.exp", "source.docker.gone", "source.docker.plain"]
  provisioner "shell" {{
    inline = ["echo exported > /marker"]
  }}
}}
"#,
        rootfs.display()
    );
    std::fs::write(d.join("t.pkr.hcl"), t).unwrap();
    let out = kiln_build(d, &["t.pkr.hcl"]);
    assert!(out.contains("Exported Docker file: flat.tar"), "{out}");
    let list = tool(d, "tar", &["-tf", "flat.tar"]);
    let names: Vec<&str> = list.lines().collect();
    assert!(names.contains(&"marker"), "{list}");
    assert!(names.contains(&"bin/busybox"), "{list}");
    assert!(!names.iter().any(|n| n.starts_with("proc")), "{list}");
    assert_eq!(
        std::fs::read_dir(d)
            .unwrap()
            .filter(|e| e
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("output-"))
            .count(),
        0,
        "discard keeps nothing"
    );
    // The uncompressed base is a layer as it is: its digest is its diff id.
    let raw: Value = serde_json::from_str(&tool(
        d,
        "skopeo",
        &["inspect", "--raw", "oci:plain-image:latest"],
    ))
    .unwrap();
    let config: Value = serde_json::from_str(&tool(
        d,
        "skopeo",
        &["inspect", "--config", "oci:plain-image:latest"],
    ))
    .unwrap();
    assert_eq!(
        raw["layers"][0]["mediaType"],
        "application/vnd.oci.image.layer.v1.tar"
    );
    assert_eq!(raw["layers"][0]["digest"], config["rootfs"]["diff_ids"][0]);
}

#[test]
fn packer_docker_checks() {
    let dir = project(&[(
        "t.pkr.hcl",
        r#"
source "docker" "a" {
  commit  = true
  discard = true
}
source "docker" "b" {
  image   = "oci:x"
  changes = ["ONBUILD RUN make"]
}
build { sources = ["source.docker.a", "source.docker.b"] }
"#,
    )]);
    let r = crate::kiln(dir.path(), &["validate", "t.pkr.hcl"], "");
    assert_ne!(r.code, 0);
    let all = format!("{}{}", r.stdout, r.stderr);
    for msg in [
        "Image must be specified",
        "Cannot specify more than one of commit, discard, and export_path",
        "No instructions given for handling the artifact; expected commit, discard, or export_path",
        "ONBUILD is not supported",
    ] {
        assert!(all.contains(msg), "{msg}: {all}");
    }
}

#[test]
fn docker_tag_save_and_import() {
    let dir = project(&[]);
    let d = dir.path();
    let rootfs = busybox_rootfs(d);
    let t = format!(
        r#"
source "docker" "img" {{
  image  = "rootfs:{0}"
  commit = true
}}
source "docker" "flat" {{
  image       = "rootfs:{0}"
  export_path = "flat.tar"
}}
build {{
  sources = ["source.docker.img"]
  provisioner "shell" {{
    inline = ["echo tagged > /marker"]
  }}
  post-processors {{
    post-processor "docker-tag" {{
      repository = "example/app"
      tags       = ["1.0", "green"]
    }}
    post-processor "docker-save" {{
      path = "saved.tar"
    }}
  }}
}}
build {{
  sources = ["source.docker.flat"]
  post-processor "docker-import" {{
    repository = "example/imported"
    tag        = "7"
    changes    = ["CMD [\"/bin/sh\"]"]
  }}
}}
"#,
        rootfs.display()
    );
    std::fs::write(d.join("t.pkr.hcl"), t).unwrap();
    let out = kiln_build(d, &["t.pkr.hcl"]);
    assert!(out.contains("Repository: example/app:green"), "{out}");
    let green: Value =
        serde_json::from_str(&tool(d, "skopeo", &["inspect", "oci:output-img:green"])).unwrap();
    let latest: Value =
        serde_json::from_str(&tool(d, "skopeo", &["inspect", "oci:output-img:latest"])).unwrap();
    assert_eq!(green["Digest"], latest["Digest"]);
    let saved: Value =
        serde_json::from_str(&tool(d, "skopeo", &["inspect", "docker-archive:saved.tar"])).unwrap();
    assert_eq!(saved["Layers"].as_array().unwrap().len(), 2);
    let manifest = tool(d, "tar", &["-xOf", "saved.tar", "manifest.json"]);
    assert!(
        manifest.contains("example/app:1.0") && manifest.contains("example/app:green"),
        "{manifest}"
    );

    let imported: Value =
        serde_json::from_str(&tool(d, "skopeo", &["inspect", "oci:output-import:7"])).unwrap();
    assert_eq!(imported["Layers"].as_array().unwrap().len(), 1);
    tool(d, "umoci", &["unpack", "--image", "output-import:7", "imp"]);
    assert!(d.join("imp/rootfs/bin/busybox").exists());
    assert!(
        !d.join("flat.tar").exists(),
        "docker-import does not keep its input"
    );
}

/// Processes whose command line is exactly `args`.
fn processes(args: &[&str]) -> Vec<String> {
    let want = args.join("\0") + "\0";
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|e| std::fs::read(e.path().join("cmdline")).is_ok_and(|c| c == want.as_bytes()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|pid| super::alive(pid))
        .collect()
}

#[test]
fn ctrl_c_during_provisioning_leaves_no_mounts_processes_or_files() {
    let dir = project(&[]);
    let d = dir.path();
    let rootfs = busybox_rootfs(d);
    let t = format!(
        r#"
source "oci" "app" {{
  image = "rootfs:{}"
}}
build {{
  sources = ["source.oci.app"]
  provisioner "shell" {{
    inline = ["touch /started", "sleep 4321"]
  }}
}}
"#,
        rootfs.display()
    );
    std::fs::write(d.join("t.pkr.hcl"), t).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let child = crate::kiln_command()
        .args(["build", "-color=false", "t.pkr.hcl"])
        .current_dir(d)
        .env("TMPDIR", tmp.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = || {
        std::fs::read_dir(tmp.path())
            .into_iter()
            .flatten()
            .flatten()
            // From outside kiln's mount namespace an overlay root
            // filesystem's new files show in its upper directory.
            .any(|e| {
                e.path().join("rootfs/started").exists() || e.path().join("upper/started").exists()
            })
    };
    let start = std::time::Instant::now();
    while !started() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(60),
            "provisioning never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        super::leftovers(tmp.path()).is_empty(),
        "{:?}",
        super::leftovers(tmp.path())
    );
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(
        !mounts.contains(&tmp.path().display().to_string()),
        "{mounts}"
    );
    assert!(
        processes(&["sleep", "4321"]).is_empty(),
        "the provisioner's process survived"
    );
    assert!(!d.join("output-app").exists());
}

#[test]
fn zstd_layers_are_read_by_buildah() {
    let dir = project(&[]);
    let d = dir.path();
    let rootfs = busybox_rootfs(d);
    std::fs::write(
        d.join("t.pkr.hcl"),
        template(&rootfs, "compression = \"zstd\""),
    )
    .unwrap();
    kiln_build(d, &["t.pkr.hcl"]);
    let raw: Value = serde_json::from_str(&tool(
        d,
        "skopeo",
        &["inspect", "--raw", "oci:output-app:v1"],
    ))
    .unwrap();
    assert_eq!(
        raw["layers"][1]["mediaType"],
        "application/vnd.oci.image.layer.v1.tar+zstd"
    );
    let root = d.join("containers");
    let store = [
        "--storage-driver".to_owned(),
        "vfs".to_owned(),
        "--root".to_owned(),
        root.join("root").display().to_string(),
        "--runroot".to_owned(),
        root.join("run").display().to_string(),
    ];
    let buildah = |args: &[&str]| {
        let mut all: Vec<&str> = store.iter().map(String::as_str).collect();
        all.extend_from_slice(args);
        tool(d, "buildah", &all)
    };
    buildah(&["from", "--name", "z", "oci:output-app:v1"]);
    let ran = buildah(&["run", "--isolation", "chroot", "z", "cat", "/app/hello"]);
    assert_eq!(ran, "hello\n");
    buildah(&["rm", "z"]);
    let _ = std::fs::remove_dir_all(&root);
}

/// `sha256:HEX` of a file's bytes.
pub fn file_digest(path: &Path) -> String {
    use sha2::Digest;
    let bytes = std::fs::read(path).unwrap();
    let hex: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

/// The busybox root filesystem with a `/dev` as `debootstrap` leaves it
/// (device nodes made with mknod, a symlink, a fifo), packed as
/// `tar -C rootfs -czf rootfs.tar.gz .` does; `extra` adds more entries.
fn rootfs_with_dev(dir: &Path, name: &str, extra: &[(&str, &str)]) -> PathBuf {
    let tarball = busybox_rootfs(dir);
    let root = dir.join(format!("{name}-root"));
    std::fs::create_dir_all(root.join("dev/pts")).unwrap();
    tool(
        dir,
        "tar",
        &[
            "-xzf",
            tarball.to_str().unwrap(),
            "-C",
            root.to_str().unwrap(),
        ],
    );
    let node = |path: &str, kind: &str, major: &str, minor: &str| {
        let p = root.join(path);
        tool(
            dir,
            "mknod",
            &["-m", "666", p.to_str().unwrap(), kind, major, minor],
        );
    };
    node("dev/null", "c", "1", "3");
    node("dev/full", "c", "1", "7");
    node("dev/loop0", "b", "7", "0");
    tool(dir, "mkfifo", &[root.join("dev/initctl").to_str().unwrap()]);
    std::os::unix::fs::symlink("/proc/self/fd", root.join("dev/fd")).unwrap();
    for (path, kind) in extra {
        node(path, kind, "1", "3");
    }
    let out = dir.join(format!("{name}.tar.gz"));
    tool(
        dir,
        "tar",
        &[
            "--numeric-owner",
            "-czf",
            out.to_str().unwrap(),
            "-C",
            root.to_str().unwrap(),
            ".",
        ],
    );
    std::fs::remove_dir_all(&root).unwrap();
    out
}

/// A root filesystem tarball with device nodes under `/dev` is a base:
/// the nodes are skipped (one line says how many), the build runs with
/// the sandbox's own `/dev`, and the base layer is the tarball byte for
/// byte, nodes included. A device node anywhere else is still refused.
#[test]
fn a_rootfs_tarball_with_dev_nodes_is_a_base() {
    let dir = project(&[]);
    let d = dir.path();
    let rootfs = rootfs_with_dev(d, "with-dev", &[]);
    std::fs::write(d.join("t.pkr.hcl"), template(&rootfs, "")).unwrap();
    let out = kiln_build(d, &["t.pkr.hcl"]);
    assert!(
        out.contains(
            "Skipped 3 device nodes under /dev in the base image (the sandbox mounts its own /dev; the layers keep them)"
        ),
        "{out}"
    );
    let raw: Value = serde_json::from_str(&tool(
        d,
        "skopeo",
        &["inspect", "--raw", "oci:output-app:v1"],
    ))
    .unwrap();
    assert_eq!(raw["layers"][0]["digest"], file_digest(&rootfs).as_str());
    let listing = tool(
        d,
        "tar",
        &[
            "-tvzf",
            rootfs.to_str().unwrap(),
            "./dev/null",
            "./dev/loop0",
        ],
    );
    assert_eq!(listing.lines().count(), 2, "{listing}");
    // The new layer holds what the build did and nothing of /dev.
    let new_layer = raw["layers"][1]["digest"].as_str().unwrap();
    let blob = d.join("output-app/blobs/sha256").join(&new_layer[7..]);
    let names = tool(d, "tar", &["-tzf", blob.to_str().unwrap()]);
    assert!(names.lines().any(|n| n.ends_with("app/hello")), "{names}");
    assert!(!names.lines().any(|n| n.contains("dev/")), "{names}");

    let evil = rootfs_with_dev(d, "evil", &[("etc/evil", "c")]);
    std::fs::write(d.join("evil.pkr.hcl"), template(&evil, "")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let r = build(d, tmp.path(), &["-force", "evil.pkr.hcl"]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        all.contains("refusing to unpack layer entry \"./etc/evil\": device node outside /dev"),
        "{all}"
    );
    assert!(
        super::leftovers(tmp.path()).is_empty(),
        "work files left behind"
    );
}

/// A file system export holds no image: pushing it names the artifact and
/// says why, instead of Packer's "Can only push from Docker builder
/// artifacts".
#[test]
fn pushing_an_export_says_why_it_cannot() {
    let dir = project(&[]);
    let d = dir.path();
    let rootfs = busybox_rootfs(d);
    let t = format!(
        r#"
source "docker" "exp" {{
  image       = "rootfs:{}"
  export_path = "flat.tar"
}}
build {{
  sources = ["source.docker.exp"]
  post-processor "oci-push" {{}}
}}
"#,
        rootfs.display()
    );
    std::fs::write(d.join("t.pkr.hcl"), t).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let r = build(d, tmp.path(), &["t.pkr.hcl"]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        all.contains("cannot push artifact \"flat.tar\": it is a file system export (export_path)"),
        "{all}"
    );
    assert!(!all.contains("Can only push"), "{all}");
}
