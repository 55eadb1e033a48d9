//! `artifice` replaces a build's artifact with files a provisioner made,
//! and the rest of the chain works on them (checksum, manifest).

use super::build;
use crate::project;
use serde_json::Value;

const TEMPLATE: &str = r#"source "null" "a" { communicator = "none" }
build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["mkdir -p out", "printf hello > out/app.bin", "printf notes > out/notes.txt"]
  }
  post-processors {
    post-processor "artifice" {
      files = ["out/app.bin", "out/notes.txt"]
    }
    post-processor "checksum" {
      checksum_types = ["sha256"]
      output         = "out/SHA256SUMS"
    }
    post-processor "manifest" {
      output = "manifest.json"
    }
  }
}
"#;

#[test]
fn artifice_hands_its_files_to_checksum_and_manifest() {
    let dir = project(&[("t.pkr.hcl", TEMPLATE)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("Using these artifact files: out/app.bin, out/notes.txt"),
        "{}",
        r.stdout
    );
    let sums = std::fs::read_to_string(dir.path().join("out/SHA256SUMS")).expect("sums");
    assert_eq!(
        sums,
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\tapp.bin\n\
         ab5aa97074c454a0632057e704220d9a6678fbf773a0a5806fc09b8173b07309\tnotes.txt\n",
    );
    let text = std::fs::read_to_string(dir.path().join("manifest.json")).expect("manifest");
    let v: Value = serde_json::from_str(&text).expect("json");
    let files: Vec<&str> = v["builds"][0]["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert_eq!(files, ["out/app.bin", "out/notes.txt", "out/SHA256SUMS"]);
}

#[test]
fn a_listed_file_that_is_missing_fails_the_build_naming_it() {
    let dir = project(&[(
        "t.pkr.hcl",
        r#"source "null" "a" { communicator = "none" }
build {
  sources = ["source.null.a"]
  post-processor "artifice" { files = ["never-made.img"] }
}
"#,
    )]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(all.contains("never-made.img"), "{all}");
}

#[test]
fn artifice_without_files_is_a_located_validate_error() {
    let dir = project(&[(
        "t.pkr.hcl",
        r#"source "null" "a" { communicator = "none" }
build {
  sources = ["source.null.a"]
  post-processor "artifice" {}
}
"#,
    )]);
    let r = crate::kiln(dir.path(), &["validate", "t.pkr.hcl"], "");
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("No files specified in artifice configuration"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("t.pkr.hcl:4:3"), "{}", r.stderr);
}
