//! How builds name their sources (three-part references with any first
//! word, `sources` as an expression), `source.*` inside a source block, and
//! `packer.iterationID`/`packer.versionFingerprint`: checked with
//! validate, inspect and real null/file builds.

use super::{build, messages};
use crate::{kiln, project};

const SOURCES: &str = r#"
source "null" "a" { communicator = "none" }
source "null" "b" { communicator = "none" }
"#;

fn with_build(build_body: &str) -> String {
    format!("{SOURCES}\nbuild {{\n{build_body}\n  provisioner \"shell-local\" {{\n    inline = [\"echo ran ${{source.name}}\"]\n  }}\n}}\n")
}

#[test]
fn three_part_references_read_only_type_and_name() {
    // Packer drops the first of three or more words, whatever it is.
    let t = with_build(r#"  sources = ["sources.null.a", "src.null.b"]"#);
    let dir = project(&[("t.pkr.hcl", &t)]);
    let r = kiln(dir.path(), &["validate", "."], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(messages(&r.stdout, "null.a"), ["ran a"], "{}", r.stdout);
    assert_eq!(messages(&r.stdout, "null.b"), ["ran b"], "{}", r.stdout);
    // A nested block's label reads the same way.
    let t = format!(
        "{SOURCES}\nbuild {{\n  source \"sources.null.a\" {{\n    name = \"c\"\n  }}\n}}\n"
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let r = kiln(dir.path(), &["inspect", "."], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("null.c"), "{}", r.stdout);
    // One word is still no reference.
    let dir = project(&[("t.pkr.hcl", &with_build(r#"  sources = ["null"]"#))]);
    let r = kiln(dir.path(), &["validate", "."], "");
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("Invalid source reference"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("t.pkr.hcl:"), "{}", r.stderr);
}

#[test]
fn sources_can_be_an_expression_of_variables_and_locals() {
    let t = format!(
        "variable \"list\" {{\n  type    = list(string)\n  default = [\"source.null.a\"]\n}}\nlocals {{\n  both = concat(var.list, [\"null.b\"])\n}}\n{}\nbuild {{\n  name    = \"second\"\n  sources = local.both\n}}\n",
        with_build("  sources = var.list")
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let r = kiln(dir.path(), &["validate", "."], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(
        dir.path(),
        tmp.path(),
        &["-var", r#"list=["source.null.b"]"#, "t.pkr.hcl"],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(messages(&r.stdout, "null.b"), ["ran b"], "{}", r.stdout);
    assert!(messages(&r.stdout, "null.a").is_empty(), "{}", r.stdout);
    assert!(
        r.stdout.contains("Build 'second.null.b' finished"),
        "{}",
        r.stdout
    );
    // A value of the wrong type is a located error, not a panic.
    let dir = project(&[("t.pkr.hcl", &with_build("  sources = 3"))]);
    let r = kiln(dir.path(), &["validate", "."], "");
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("\"sources\""), "{}", r.stderr);
    assert!(r.stderr.contains("t.pkr.hcl:"), "{}", r.stderr);
}

#[test]
fn source_name_and_type_are_known_in_the_source_block() {
    let t = r#"
source "file" "x" {
  target  = "${source.name}.txt"
  content = "type=${source.type}"
}
build {
  sources = ["source.file.x"]
  source "source.file.x" {
    name = "renamed"
  }
}
"#;
    let dir = project(&[("t.pkr.hcl", t)]);
    let r = kiln(dir.path(), &["validate", "."], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap_or_default();
    assert_eq!(read("x.txt"), "type=file");
    assert_eq!(read("renamed.txt"), "type=file");
}

#[test]
fn hcp_values_are_unknown_in_validate_and_known_in_build() {
    let t = r#"
source "null" "a" { communicator = "none" }
build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["echo id=${packer.iterationID} fp=${packer.versionFingerprint} v=${packer.version}"]
  }
}
"#;
    let dir = project(&[("t.pkr.hcl", t)]);
    let r = kiln(dir.path(), &["validate", "."], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = kiln(dir.path(), &["console", "."], "packer.iterationID\n");
    assert_eq!(r.stdout.trim(), "<unknown>", "{}", r.stderr);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // Without HCP Packer hands plugins its "unknown" placeholder.
    let id = "74D93920-ED26-11E3-AC10-0800200C9A66";
    let want = format!("id={id} fp={id} v=");
    let got = messages(&r.stdout, "null.a");
    assert!(got.iter().any(|l| l.starts_with(&want)), "{got:?}");
}
