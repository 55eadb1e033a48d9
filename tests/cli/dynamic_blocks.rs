//! `dynamic "source"` and `dynamic "post-processor"` inside `build`.

use crate::{kiln, project};

const DYNAMIC_SOURCES: &str = r#"
variable "names" {
  type    = list(string)
  default = ["first", "second"]
}

source "file" "base" {
  content = "from the top-level source"
}

build {
  name = "dyn"
  dynamic "source" {
    for_each = var.names
    labels   = ["source.file.base"]
    content {
      # The default iterator is named after the block type, as in Packer.
      name   = source.value
      target = "out-${source.key}-${source.value}.txt"
    }
  }
}
"#;

#[test]
fn dynamic_source_generates_renamed_sources_with_their_fields() {
    let p = project(&[("main.pkr.hcl", DYNAMIC_SOURCES)]);
    let r = kiln(p.path(), &["validate", "."], "");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = kiln(p.path(), &["inspect", "."], "");
    assert!(
        r.stdout
            .contains("sources:\n\n      file.first\n\n      file.second\n"),
        "{}",
        r.stdout
    );
    let r = kiln(p.path(), &["build", "-only=dyn.file.second", "."], "");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let out = std::fs::read_to_string(p.path().join("out-1-second.txt")).expect("target");
    assert_eq!(out, "from the top-level source");
    assert!(!p.path().join("out-0-first.txt").exists());
}

#[test]
fn dynamic_source_fields_cannot_redefine_the_top_level_source() {
    let tpl = DYNAMIC_SOURCES.replace("target =", "content =");
    let p = project(&[("main.pkr.hcl", &tpl)]);
    let r = kiln(p.path(), &["validate", "."], "");
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("Attribute redefined"), "{}", r.stderr);
}

#[test]
fn dynamic_source_label_must_be_a_source_reference() {
    let tpl = DYNAMIC_SOURCES.replace("[\"source.file.base\"]", "[\"file\", \"base\"]");
    let p = project(&[("main.pkr.hcl", &tpl)]);
    let r = kiln(p.path(), &["validate", "."], "");
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("Invalid dynamic labels"), "{}", r.stderr);
    let tpl = DYNAMIC_SOURCES.replace("source.file.base", "source.file.nope");
    let p = project(&[("main.pkr.hcl", &tpl)]);
    let r = kiln(p.path(), &["validate", "."], "");
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("Unknown source"), "{}", r.stderr);
}

#[test]
fn dynamic_post_processor_generates_one_chain_each() {
    let p = project(&[(
        "main.pkr.hcl",
        r#"
source "null" "a" {
  communicator = "none"
}

build {
  sources = ["source.null.a"]
  dynamic "post-processor" {
    for_each = { x = "one", y = "two" }
    iterator = pp
    labels   = ["manifest"]
    content {
      output = "manifest-${pp.key}-${pp.value}-${source.name}.json"
    }
  }
}
"#,
    )]);
    let r = kiln(p.path(), &["validate", "."], "");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = kiln(p.path(), &["inspect", "."], "");
    assert!(
        r.stdout.contains(
            "post-processors:\n\n      0:\n        manifest\n\n      1:\n        manifest\n"
        ),
        "{}",
        r.stdout
    );
    let r = kiln(p.path(), &["build", "."], "");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    for f in ["manifest-x-one-a.json", "manifest-y-two-a.json"] {
        assert!(p.path().join(f).exists(), "{f}: {}", r.stdout);
    }
}

#[test]
fn dynamic_post_processor_with_an_unknown_type_is_an_error() {
    let p = project(&[(
        "main.pkr.hcl",
        r#"
source "null" "a" {
  communicator = "none"
}

build {
  sources = ["source.null.a"]
  dynamic "post-processor" {
    for_each = ["x"]
    labels   = ["no-such-post-processor"]
    content {}
  }
}
"#,
    )]);
    let r = kiln(p.path(), &["validate", "."], "");
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("Unknown post-processor type"),
        "{}",
        r.stderr
    );
}
