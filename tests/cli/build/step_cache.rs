//! The step cache on the oci builder: a rebuild runs only the steps after
//! the last unchanged one, `-explain-cache` names what changed, and a
//! cached build gives the digest a cold one gives.

use super::build;
use crate::project;

pub(super) fn template(rootfs: &std::path::Path, third: &str, per_layer: bool) -> String {
    format!(
        r#"
source "oci" "app" {{
  image                 = "rootfs:{}"
  output_directory      = "image"
  layer_per_provisioner = {per_layer}
}}
build {{
  sources = ["source.oci.app"]
  provisioner "shell" {{
    inline = ["echo one > /one.txt", "echo ran step one"]
  }}
  provisioner "file" {{
    source      = "payload.txt"
    destination = "/payload.txt"
  }}
  provisioner "shell" {{
    inline = ["echo {third} > /three.txt", "echo ran step three"]
  }}
  test "content" {{
    check "all three" {{
      command       = "cat /one.txt /payload.txt /three.txt"
      expect_stdout = "^one\npayload v1\n{third}\n$"
    }}
  }}
  post-processor "manifest" {{ output = "manifest.json" }}
}}
"#,
        rootfs.display()
    )
}

/// The image's manifest digest, from the manifest post-processor.
pub(super) fn digest(dir: &std::path::Path) -> String {
    let m: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("manifest.json")).expect("manifest"),
    )
    .expect("json");
    let builds = m["builds"].as_array().expect("builds");
    builds[builds.len() - 1]["artifact_id"]
        .as_str()
        .expect("artifact id")
        .to_owned()
}

fn run_build(dir: &std::path::Path, extra: &[&str]) -> (i32, String) {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut args = vec!["-force", "-explain-cache"];
    args.extend_from_slice(extra);
    args.push("t.pkr.hcl");
    let r = crate::kiln_env(
        dir,
        &[&["build", "-color=false"][..], &args].concat(),
        "",
        &[
            ("TMPDIR".to_owned(), tmp.path().display().to_string()),
            ("SOURCE_DATE_EPOCH".to_owned(), "1700000000".to_owned()),
        ],
    );
    (r.code, format!("{}{}", r.stdout, r.stderr))
}

#[test]
fn an_oci_rebuild_runs_only_the_changed_steps() {
    let _ = build;
    let scratch = tempfile::tempdir().expect("tmp");
    let tar = super::oci::busybox_rootfs(scratch.path());
    let p = project(&[
        ("t.pkr.hcl", &template(&tar, "three", false)),
        ("payload.txt", "payload v1\n"),
    ]);
    let d = p.path();
    let (code, out) = run_build(d, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Step cache 1/3 (provisioner shell): miss: never cached"),
        "{out}"
    );
    assert!(
        out.contains("ran step one") && out.contains("ran step three"),
        "{out}"
    );
    let cold = digest(d);

    // Nothing changed: every step comes from the cache, same image.
    let (code, out) = run_build(d, &[]);
    assert_eq!(code, 0, "{out}");
    for i in 1..=3 {
        assert!(
            out.contains(&format!("Step cache {i}/3")) && out.contains("hit (key"),
            "{out}"
        );
    }
    assert!(
        out.contains("Using cached step 3/3 (provisioner shell"),
        "{out}"
    );
    assert!(!out.contains("ran step"), "a step ran again: {out}");
    assert!(out.contains("Test 'content' passed"), "{out}");
    assert_eq!(digest(d), cold);

    // Only the third step changed: it alone runs.
    std::fs::write(d.join("t.pkr.hcl"), template(&tar, "changed", false)).expect("write");
    let (code, out) = run_build(d, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Step cache 3/3 (provisioner shell): miss: inline changed"),
        "{out}"
    );
    assert!(
        out.contains("Using cached step 2/3 (provisioner file"),
        "{out}"
    );
    assert!(
        !out.contains("ran step one") && out.contains("ran step three"),
        "{out}"
    );
    assert!(out.contains("Test 'content' passed"), "{out}");
    let warm = digest(d);
    // The same inputs built cold give the same image.
    let (code, out) = run_build(d, &["-cache=false"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Step cache 1/3 (provisioner shell): not cached: -cache=false"),
        "{out}"
    );
    assert!(out.contains("ran step one"), "{out}");
    assert_eq!(digest(d), warm, "a cached and a cold build differ");

    // The uploaded file changed: misses from step 2 on.
    std::fs::write(d.join("payload.txt"), "payload v2\n").expect("write");
    let (code, out) = run_build(d, &[]);
    assert_eq!(code, 1, "the check expects v1: {out}");
    assert!(
        out.contains("Step cache 1/3 (provisioner shell): hit"),
        "{out}"
    );
    assert!(
        out.contains("Step cache 2/3 (provisioner file): miss: file payload.txt changed"),
        "{out}"
    );
    assert!(
        out.contains("Step cache 3/3 (provisioner shell): miss: an earlier step changed"),
        "{out}"
    );
    assert!(
        !out.contains("ran step one") && out.contains("ran step three"),
        "{out}"
    );

    // Another base (same path, a file more): everything misses.
    std::fs::write(d.join("payload.txt"), "payload v1\n").expect("write");
    super::oci::tool(
        scratch.path(),
        "sh",
        &[
            "-c",
            r#"mkdir new && tar -xzf "$0" -C new && echo new > new/etc/motd && tar --numeric-owner -czf "$0" -C new ."#,
            &tar.display().to_string(),
        ],
    );
    let (code, out) = run_build(d, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Step cache 0/3 (boot): miss: base image layers changed"),
        "{out}"
    );
    assert!(
        out.contains("Step cache 1/3 (provisioner shell): miss: an earlier step changed"),
        "{out}"
    );
    assert!(
        out.contains("ran step one") && out.contains("ran step three"),
        "{out}"
    );
}

#[test]
fn cache_false_runs_the_step_and_every_one_after_it() {
    let scratch = tempfile::tempdir().expect("tmp");
    let tar = super::oci::busybox_rootfs(scratch.path());
    let t = template(&tar, "three", true).replacen(
        "provisioner \"file\" {",
        "provisioner \"file\" {\n    cache = false",
        1,
    );
    let p = project(&[("t.pkr.hcl", &t), ("payload.txt", "payload v1\n")]);
    let d = p.path();
    let (code, out) = run_build(d, &[]);
    assert_eq!(code, 0, "{out}");
    let first = digest(d);
    let (code, out) = run_build(d, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Step cache 1/3 (provisioner shell): hit"),
        "{out}"
    );
    assert!(
        out.contains("Step cache 2/3 (provisioner file): not cached: cache = false"),
        "{out}"
    );
    assert!(
        out.contains(
            "Step cache 3/3 (provisioner shell): not cached: an earlier step is not cached"
        ),
        "{out}"
    );
    assert!(out.contains("Using cached step 1/3"), "{out}");
    assert!(
        !out.contains("ran step one") && out.contains("ran step three"),
        "{out}"
    );
    // layer_per_provisioner: the cached first layer is the image's, byte
    // for byte, so the image is the same.
    assert_eq!(digest(d), first);
}

#[test]
fn two_builds_of_one_template_at_once_share_the_cache() {
    let scratch = tempfile::tempdir().expect("tmp");
    let tar = super::oci::busybox_rootfs(scratch.path());
    let cache = tempfile::tempdir().expect("cache");
    let dirs: Vec<_> = (0..2)
        .map(|_| {
            project(&[
                ("t.pkr.hcl", &template(&tar, "three", true)),
                ("payload.txt", "payload v1\n"),
            ])
        })
        .collect();
    // Both cold, at the same time: they race to save every step.
    let children: Vec<_> = dirs
        .iter()
        .map(|p| {
            crate::kiln_command()
                .args(["build", "-color=false", "t.pkr.hcl"])
                .current_dir(p.path())
                .env("KILN_CACHE_DIR", cache.path())
                .env("SOURCE_DATE_EPOCH", "1700000000")
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("kiln runs")
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().expect("wait");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{text}");
        assert!(text.contains("Test 'content' passed"), "{text}");
    }
    assert_eq!(digest(dirs[0].path()), digest(dirs[1].path()));
    // One entry per step, whoever saved it first, and they restore.
    let store = kiln_step_cache::DirStore::open(cache.path(), u64::MAX).expect("store");
    assert_eq!(store.list().len(), 4);
    let r = crate::kiln_env(
        dirs[0].path(),
        &["build", "-color=false", "-force", "t.pkr.hcl"],
        "",
        &[
            (
                "KILN_CACHE_DIR".to_owned(),
                cache.path().display().to_string(),
            ),
            ("SOURCE_DATE_EPOCH".to_owned(), "1700000000".to_owned()),
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("Using cached step 3/3"), "{}", r.stdout);
}

#[test]
fn a_chain_exported_from_one_cache_resumes_a_build_on_another() {
    let scratch = tempfile::tempdir().expect("tmp");
    let tar = super::oci::busybox_rootfs(scratch.path());
    let p = project(&[
        ("t.pkr.hcl", &template(&tar, "three", false)),
        ("payload.txt", "payload v1\n"),
    ]);
    let d = p.path();
    let (code, out) = run_build(d, &[]);
    assert_eq!(code, 0, "{out}");
    let r = crate::kiln_env(d, &["cache", "list", "-json"], "", &[]);
    let items: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let items = items.as_array().expect("list");
    let parents: Vec<&str> = items.iter().filter_map(|i| i["parent"].as_str()).collect();
    let leaf = items
        .iter()
        .filter_map(|i| i["key"].as_str())
        .find(|k| !parents.contains(k))
        .expect("a last step");
    let r = crate::kiln_env(
        d,
        &["cache", "export", "-o", "chain.tar", &leaf[..12]],
        "",
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "Exported 4 entries to chain.tar");

    let other = tempfile::tempdir().expect("cache");
    let env = [(
        "KILN_CACHE_DIR".to_owned(),
        other.path().display().to_string(),
    )];
    let r = crate::kiln_env(d, &["cache", "import", "chain.tar"], "", &env);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "Imported 4 entries");
    let r = crate::kiln_env(
        d,
        &["build", "-color=false", "-force", "t.pkr.hcl"],
        "",
        &[
            env[0].clone(),
            ("SOURCE_DATE_EPOCH".to_owned(), "1700000000".to_owned()),
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("Using cached step 3/3"), "{}", r.stdout);
    let r = crate::kiln_env(d, &["cache", "import", "missing.tar"], "", &env);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("cannot open missing.tar"), "{}", r.stderr);
}

#[test]
fn a_kill_9_while_saving_leaves_a_cache_the_next_build_uses_or_skips() {
    let scratch = tempfile::tempdir().expect("tmp");
    let tar = super::oci::busybox_rootfs(scratch.path());
    // Step three writes enough that its save takes a moment.
    let t = template(&tar, "three", false).replace(
        "\"echo three > /three.txt\", \"echo ran step three\"",
        "\"echo three > /three.txt\", \"head -c 30000000 /dev/urandom > /big\", \"echo ran step three\"",
    );
    let p = project(&[("t.pkr.hcl", &t), ("payload.txt", "payload v1\n")]);
    let cache = tempfile::tempdir().expect("cache");
    let tmp = tempfile::tempdir().expect("tmp");
    let mut child = crate::kiln_command()
        .args(["build", "-color=false", "t.pkr.hcl"])
        .current_dir(p.path())
        .env("KILN_CACHE_DIR", cache.path())
        .env("TMPDIR", tmp.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("kiln runs");
    let stdout = child.stdout.take().expect("stdout");
    let mut seen = String::new();
    {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            seen.push_str(&line);
            seen.push('\n');
            if line.contains("ran step three") {
                break;
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(seen.contains("ran step three"), "{seen}");
    // Whatever the kill interrupted, the next build either restores an
    // entry whole or runs the step.
    let r = crate::kiln_env(
        p.path(),
        &[
            "build",
            "-color=false",
            "-force",
            "-explain-cache",
            "t.pkr.hcl",
        ],
        "",
        &[
            (
                "KILN_CACHE_DIR".to_owned(),
                cache.path().display().to_string(),
            ),
            ("TMPDIR".to_owned(), tmp.path().display().to_string()),
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("Step cache 2/3 (provisioner file): hit"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Test 'content' passed"), "{}", r.stdout);
    let staging: Vec<_> = std::fs::read_dir(cache.path().join("staging"))
        .expect("staging")
        .flatten()
        .collect();
    assert!(
        staging.is_empty(),
        "the killed save's staging is left: {staging:?}"
    );
    // The killed build's overlay root filesystem is gone with its work
    // directory, and the cached base under it is whole (the build above
    // ran on it).
    assert_no_mounts_under(tmp.path());
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("tmp")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "left in TMPDIR: {left:?}");
}

fn assert_no_mounts_under(dir: &std::path::Path) {
    let info = std::fs::read_to_string("/proc/self/mountinfo").expect("mountinfo");
    let dir = dir.display().to_string();
    let under: Vec<_> = info.lines().filter(|l| l.contains(&dir)).collect();
    assert!(under.is_empty(), "mounts left: {under:?}");
}

/// The boot entry is the base unpacked once, keyed by its digest alone:
/// another template on the same base mounts it instead of unpacking.
#[test]
fn a_new_template_on_a_base_seen_before_does_not_unpack_it_again() {
    let scratch = tempfile::tempdir().expect("tmp");
    let tar = super::oci::busybox_rootfs(scratch.path());
    let p = project(&[
        ("t.pkr.hcl", &template(&tar, "three", false)),
        ("payload.txt", "payload v1\n"),
    ]);
    let d = p.path();
    let (code, out) = run_build(d, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Unpacking 1 layer(s) into the step cache"),
        "{out}"
    );
    let other = format!(
        r#"
source "oci" "other" {{
  image            = "rootfs:{}"
  output_directory = "other"
}}
build {{
  sources = ["source.oci.other"]
  provisioner "shell" {{
    inline = ["rm /etc/obsolete", "echo other > /etc/other", "echo ran other"]
  }}
  test "content" {{
    check "changed" {{
      command       = "cat /etc/other && test ! -e /etc/obsolete && test -x /bin/sh"
      expect_stdout = "^other\n$"
    }}
  }}
}}
"#,
        tar.display()
    );
    std::fs::write(d.join("t.pkr.hcl"), other).expect("write");
    let (code, out) = run_build(d, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Step cache 0/1 (boot): hit"), "{out}");
    assert!(out.contains("Using cached step 0/1 (boot"), "{out}");
    // (The test block's machine unpacks the new image, later.)
    let build_part = out.split("Testing the artifact").next().unwrap_or_default();
    assert!(!build_part.contains("Unpacking"), "unpacked again: {out}");
    assert!(out.contains("ran other"), "{out}");
    assert!(out.contains("Test 'content' passed"), "{out}");
    // The deletion is a whiteout in the new layer, not a change to the
    // cached tree: the tree keeps the file, and the first template still
    // builds and tests whole.
    let trees: Vec<_> = std::fs::read_dir(d.join(".kiln-cache/entries"))
        .expect("entries")
        .flatten()
        .map(|e| e.path().join("tree"))
        .filter(|t| t.is_dir())
        .collect();
    assert_eq!(trees.len(), 1, "{trees:?}");
    assert!(trees[0].join("etc/obsolete").exists());
    assert!(!trees[0].join("etc/other").exists());
    std::fs::write(d.join("t.pkr.hcl"), template(&tar, "again", false)).expect("write");
    let (code, out) = run_build(d, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Test 'content' passed"), "{out}");
    let (code, out) = run_build(d, &["-cache=false"]);
    assert_eq!(code, 0, "{out}");
    // Unpacked for this build alone: the cache is neither read nor said
    // to be written.
    assert!(out.contains("Unpacking 1 layer(s) into /"), "{out}");
    assert!(!out.contains("step cache"), "{out}");
}
