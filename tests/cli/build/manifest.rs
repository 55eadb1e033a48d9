//! The manifest under parallel writers: builds of one run (threads) and
//! separate kiln processes append to one file without losing an entry
//! (Packer 1.6.6 loses them: see tests/build-corpus/README.md). Sensitive
//! values never reach it.

use super::build;
use crate::project;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn template(names: &[&str]) -> String {
    let mut t = String::new();
    for n in names {
        t.push_str(&format!(
            "source \"null\" \"{n}\" {{ communicator = \"none\" }}\n"
        ));
    }
    let sources: Vec<String> = names
        .iter()
        .map(|n| format!("\"source.null.{n}\""))
        .collect();
    t.push_str(&format!(
        "build {{\n  sources = [{}]\n  post-processor \"manifest\" {{}}\n}}\n",
        sources.join(", ")
    ));
    t
}

fn entries(dir: &Path) -> (Vec<String>, Value) {
    let text = std::fs::read_to_string(dir.join("packer-manifest.json")).expect("manifest");
    let v: Value = serde_json::from_str(&text).expect("valid JSON");
    let names = v["builds"]
        .as_array()
        .expect("builds")
        .iter()
        .map(|b| b["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    (names, v)
}

const EIGHT: [&str; 8] = ["n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8"];

#[test]
fn eight_parallel_builds_always_leave_eight_entries() {
    let dir = project(&[("t.pkr.hcl", &template(&EIGHT))]);
    let tmp = tempfile::tempdir().expect("tmp");
    for round in 0..20 {
        let _ = std::fs::remove_file(dir.path().join("packer-manifest.json"));
        let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
        assert_eq!(r.code, 0, "round {round}: {}", r.stdout);
        let (names, v) = entries(dir.path());
        let set: BTreeSet<&str> = names.iter().map(String::as_str).collect();
        assert_eq!(names.len(), 8, "round {round}: {names:?}");
        assert_eq!(set, EIGHT.into_iter().collect(), "round {round}");
        let last = v["last_run_uuid"].as_str().unwrap_or_default();
        assert!(v["builds"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|b| b["packer_run_uuid"] == last));
    }
}

#[test]
fn runs_append_and_force_starts_a_new_manifest() {
    let dir = project(&[("t.pkr.hcl", &template(&["a", "b"]))]);
    let tmp = tempfile::tempdir().expect("tmp");
    assert_eq!(build(dir.path(), tmp.path(), &["t.pkr.hcl"]).code, 0);
    assert_eq!(build(dir.path(), tmp.path(), &["t.pkr.hcl"]).code, 0);
    assert_eq!(entries(dir.path()).0.len(), 4, "runs append");
    assert_eq!(
        build(dir.path(), tmp.path(), &["-force", "t.pkr.hcl"]).code,
        0
    );
    let (names, _) = entries(dir.path());
    assert_eq!(
        names.len(),
        2,
        "-force keeps only this run's entries: {names:?}"
    );
}

#[test]
fn two_kiln_processes_share_one_manifest() {
    let dir = project(&[
        ("one/t.pkr.hcl", &template(&EIGHT[..4])),
        ("two/t.pkr.hcl", &template(&EIGHT[4..])),
    ]);
    // Both write ../packer-manifest.json: point each at the shared file.
    for sub in ["one", "two"] {
        let p = dir.path().join(sub).join("t.pkr.hcl");
        let t = std::fs::read_to_string(&p).expect("read");
        let t = t.replace(
            "post-processor \"manifest\" {}",
            "post-processor \"manifest\" {\n    output = \"../packer-manifest.json\"\n  }",
        );
        std::fs::write(&p, t).expect("write");
    }
    for _ in 0..5 {
        let _ = std::fs::remove_file(dir.path().join("packer-manifest.json"));
        let handles: Vec<_> = ["one", "two"]
            .into_iter()
            .map(|sub| {
                let d = dir.path().join(sub);
                std::thread::spawn(move || {
                    let tmp = tempfile::tempdir().expect("tmp");
                    build(&d, tmp.path(), &["t.pkr.hcl"]).code
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().expect("thread"), 0);
        }
        assert_eq!(entries(dir.path()).0.len(), 8);
    }
}

#[test]
fn sensitive_values_never_reach_the_manifest() {
    let t = r#"
variable "token" {
  type      = string
  sensitive = true
}
source "null" "a" { communicator = "none" }
build {
  sources = ["source.null.a"]
  post-processor "manifest" {
    custom_data = { t = var.token, b = "Bearer ${var.token}", n = "plain" }
  }
}
"#;
    let dir = project(&[("t.pkr.hcl", t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(
        dir.path(),
        tmp.path(),
        &["-var", "token=s3cr3t", "t.pkr.hcl"],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let text = std::fs::read_to_string(dir.path().join("packer-manifest.json")).expect("manifest");
    assert!(!text.contains("s3cr3t"), "{text}");
    let (_, v) = entries(dir.path());
    let custom = &v["builds"][0]["custom_data"];
    assert_eq!(custom["t"], "<sensitive>", "{text}");
    assert_eq!(custom["b"], "<sensitive>", "{text}");
    assert_eq!(custom["n"], "plain", "{text}");
}
