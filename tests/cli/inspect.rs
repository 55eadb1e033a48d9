use super::{kiln, project};

#[test]
fn shows_variables_locals_and_builds_with_secrets_masked() {
    let p = project(&[(
        "main.pkr.hcl",
        r#"variable "token" {
  default   = "hunter2"
  sensitive = true
}
locals {
  greeting = "hi"
}
source "null" "a" {
  communicator = "none"
}
build {
  name    = "b"
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["echo ${var.token}"]
  }
  post-processors {
    post-processor "shell-local" {
      inline = ["true"]
    }
  }
}
"#,
    )]);
    let r = kiln(p.path(), &["inspect", "."], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("Packer Inspect: HCL2 mode"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("var.token: \"<sensitive>\""),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("local.greeting: \"hi\""), "{}", r.stdout);
    assert!(r.stdout.contains("  > b:"), "{}", r.stdout);
    assert!(r.stdout.contains("      null.a"), "{}", r.stdout);
    assert!(r.stdout.contains("      shell-local"), "{}", r.stdout);
    assert!(
        r.stdout.contains("      0:\n        shell-local"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("hunter2"));
}

#[test]
fn accepts_required_plugins_without_listing_them() {
    let p = project(&[(
        "main.pkr.hcl",
        "packer {\n  required_plugins {\n    amazon = {\n      version = \">= 1.2.0\"\n      source  = \"github.com/hashicorp/amazon\"\n    }\n  }\n}\n",
    )]);
    let r = kiln(p.path(), &["inspect", "."], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Packer's inspect has no such section.
    assert!(!r.stdout.contains("required plugins"), "{}", r.stdout);
    assert!(
        !r.stdout.contains("github.com/hashicorp/amazon"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("\n> builds:\n"), "{}", r.stdout);
}

#[test]
fn lists_unset_variables_and_what_uses_them_as_unknown() {
    let p = project(&[(
        "main.pkr.hcl",
        r#"variable "region" {
  type = string
}
variable "ok" {
  default = "x"
}
locals {
  l = "${var.region}-a"
  m = "plain"
}
source "null" "a" {
  communicator = "none"
}
build {
  sources = ["source.null.a"]
}
"#,
    )]);
    // Recorded from Packer 1.6.6: inspect exits 0 where validate fails.
    let r = kiln(p.path(), &["inspect", "."], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("var.region: \"<unknown>\"\n"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("var.ok: \"x\"\n"), "{}", r.stdout);
    assert!(
        r.stdout.contains("local.l: \"<unknown>\"\n"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("local.m: \"plain\"\n"), "{}", r.stdout);
    assert!(!r.stderr.contains("Unset variable"), "{}", r.stderr);
    let v = kiln(p.path(), &["validate", "."], "");
    assert_eq!(v.code, 1, "{}", v.stdout);
    assert!(
        v.stderr.contains("Unset variable \"region\""),
        "{}",
        v.stderr
    );
}

#[test]
fn lists_renamed_sources_by_the_name_the_build_gives_them() {
    let p = project(&[(
        "main.pkr.hcl",
        r#"source "null" "a" {
  communicator = "none"
}
build {
  sources = ["source.null.a"]
  source "source.null.a" {
    name = "z"
  }
}
"#,
    )]);
    let r = kiln(p.path(), &["inspect", "."], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("    sources:\n\n      null.a\n\n      null.z\n\n    provisioners:"),
        "{}",
        r.stdout
    );
}

#[test]
fn json_var_file_warnings_point_at_their_keys() {
    let p = project(&[
        ("main.pkr.hcl", "variable \"known\" {\n  type = number\n}\n"),
        (
            "vars.json",
            "{\n  \"known\": 1,\n  \"stray\": \"x\",\n  \"other\": true\n}\n",
        ),
    ]);
    let r = kiln(p.path(), &["inspect", "-var-file=vars.json", "."], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("vars.json:3:3"), "{}", r.stderr);
    assert!(r.stderr.contains("vars.json:4:3"), "{}", r.stderr);
    assert!(!r.stderr.contains("vars.json:1:1"), "{}", r.stderr);
    assert!(r.stdout.contains("var.known: \"1\""), "{}", r.stdout);
}
