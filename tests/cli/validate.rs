use super::{kiln, project, repo_root};

const GOOD: &str = r#"
variable "name" {
  type    = string
  default = "world"
}
source "null" "a" {
  communicator = "none"
}
build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["echo hello ${var.name}"]
  }
}
"#;

#[test]
fn example_templates_are_valid() {
    let dir = repo_root().join("templates");
    // The ansible examples' validation runs `ansible-playbook --version`:
    // the test venv's ansible goes first on PATH, as tests/run-all.sh does.
    let venv =
        std::env::var("KILN_ANSIBLE_VENV").unwrap_or_else(|_| "/var/cache/kiln/ansible".into());
    let path_var = format!("{venv}/bin:{}", std::env::var("PATH").unwrap_or_default());
    let env = [("PATH".to_owned(), path_var)];
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("templates dir") {
        let path = entry.expect("entry").path();
        if path.to_string_lossy().ends_with(".pkr.hcl") {
            let r = crate::kiln_env(
                repo_root(),
                &["validate", &path.to_string_lossy()],
                "",
                &env,
            );
            assert_eq!(r.code, 0, "{}: {}", path.display(), r.stderr);
            assert!(r.stdout.contains("The configuration is valid."));
            n += 1;
        }
    }
    assert!(n > 0, "no example templates found");
}

#[test]
fn valid_directory() {
    let p = project(&[("main.pkr.hcl", GOOD)]);
    let r = kiln(p.path(), &["validate", "."], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "The configuration is valid.");
}

#[test]
fn reports_every_error_with_location_and_hint() {
    let p = project(&[(
        "main.pkr.hcl",
        r#"source "null" "a" {
  comunicator = "none"
  ssh_port    = "abc"
}
build {
  sources = ["source.null.a"]
  provisioner "shel-local" {
    inline = ["true"]
  }
}
"#,
    )]);
    let r = kiln(p.path(), &["validate", "main.pkr.hcl"], "");
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("main.pkr.hcl:2:3"), "{}", r.stderr);
    assert!(
        r.stderr.contains("Did you mean \"communicator\"?"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("main.pkr.hcl:3:3"), "{}", r.stderr);
    assert!(
        r.stderr.contains("unknown provisioner type \"shel-local\""),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("  comunicator = \"none\"\n"),
        "source line shown: {}",
        r.stderr
    );
    assert!(
        r.stderr.contains("^^^^^^^^^^^"),
        "caret shown: {}",
        r.stderr
    );
    assert!(!r.stdout.contains("valid"));
}

#[test]
fn syntax_error_is_located() {
    let p = project(&[("main.pkr.hcl", "source \"null\" \"a\" {\n  x = = 1\n}\n")]);
    let r = kiln(p.path(), &["validate", "."], "");
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("main.pkr.hcl:2:"), "{}", r.stderr);
}

#[test]
fn syntax_only_skips_evaluation() {
    let p = project(&[(
        "main.pkr.hcl",
        "source \"nosuch\" \"a\" {\n  x = var.undefined\n}\n",
    )]);
    let r = kiln(p.path(), &["validate", "-syntax-only", "."], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn unknown_builder_type_lists_known_ones() {
    let p = project(&[(
        "main.pkr.hcl",
        "source \"nosuch\" \"a\" {}\nbuild {\n  sources = [\"source.nosuch.a\"]\n}\n",
    )]);
    let r = kiln(p.path(), &["validate", "."], "");
    assert_eq!(r.code, 1);
    // (A type kiln knows but does not support, such as "vagrant", gets its
    // reason instead: tests/cli/unsupported.rs.)
    assert!(
        r.stderr.contains("unknown builder type \"nosuch\""),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("known types: amazon-ebs, docker, file, null, oci, qemu"),
        "{}",
        r.stderr
    );
}

#[test]
fn variable_precedence_env_auto_file_cli() {
    let vars = r#"
variable "v" {
  type = string
}
source "null" "a" {
  communicator = "none"
}
build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["test ${var.v} = expected"]
  }
}
"#;
    let p = project(&[
        ("main.pkr.hcl", vars),
        ("a.auto.pkrvars.hcl", "v = \"from-auto\"\n"),
        ("f.pkrvars.hcl", "v = \"from-file\"\n"),
    ]);
    let r = kiln(
        p.path(),
        &[
            "inspect",
            "-var",
            "v=from-cli",
            "-var-file",
            "f.pkrvars.hcl",
            ".",
        ],
        "",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("var.v: \"from-file\""),
        "last one wins: {}",
        r.stdout
    );
    let r = kiln(
        p.path(),
        &[
            "inspect",
            "-var-file",
            "f.pkrvars.hcl",
            "-var",
            "v=from-cli",
            ".",
        ],
        "",
    );
    assert!(r.stdout.contains("var.v: \"from-cli\""), "{}", r.stdout);
    let r = kiln(p.path(), &["inspect", "."], "");
    assert!(r.stdout.contains("var.v: \"from-auto\""), "{}", r.stdout);
}

#[test]
fn unset_and_undeclared_variables() {
    let p = project(&[("main.pkr.hcl", "variable \"need\" {\n  type = string\n}\n")]);
    let r = kiln(p.path(), &["validate", "."], "");
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("Unset variable \"need\""), "{}", r.stderr);
    let r = kiln(
        p.path(),
        &["validate", "-var", "need=x", "-var", "other=y", "."],
        "",
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("Undefined -var variable"), "{}", r.stderr);
}

#[test]
fn failing_validation_shows_its_message() {
    let p = project(&[(
        "main.pkr.hcl",
        "variable \"size\" {\n  type    = number\n  default = 5\n  validation {\n    condition     = var.size > 10\n    error_message = \"The size must be above 10.\"\n  }\n}\n",
    )]);
    let r = kiln(p.path(), &["validate", "."], "");
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("The size must be above 10."),
        "{}",
        r.stderr
    );
    let r = kiln(p.path(), &["validate", "-var", "size=11", "."], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn only_and_except_select_builds() {
    let p = project(&[(
        "main.pkr.hcl",
        "source \"null\" \"good\" {\n  communicator = \"none\"\n}\nsource \"null\" \"bad\" {\n  bogus = 1\n}\nbuild {\n  sources = [\"source.null.good\", \"source.null.bad\"]\n}\n",
    )]);
    assert_eq!(kiln(p.path(), &["validate", "."], "").code, 1);
    assert_eq!(
        kiln(p.path(), &["validate", "-only", "null.good", "."], "").code,
        0
    );
    assert_eq!(
        kiln(p.path(), &["validate", "-except", "*.bad", "."], "").code,
        0
    );
}

#[test]
fn locals_cycle_is_reported() {
    let p = project(&[(
        "main.pkr.hcl",
        "locals {\n  a = local.b\n  b = local.a\n}\n",
    )]);
    let r = kiln(p.path(), &["validate", "."], "");
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("Cyclic reference"), "{}", r.stderr);
}

#[test]
fn unsupported_data_source_is_located() {
    let p = project(&[("main.pkr.hcl", "data \"git-commit\" \"x\" {\n}\n")]);
    let r = kiln(p.path(), &["validate", "."], "");
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("Unsupported data source"), "{}", r.stderr);
    assert!(r.stderr.contains("main.pkr.hcl:1:1"), "{}", r.stderr);
}

#[test]
fn missing_path_is_a_clear_error() {
    let p = project(&[]);
    let r = kiln(p.path(), &["validate", "nope.pkr.hcl"], "");
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("nope.pkr.hcl"), "{}", r.stderr);
}

#[test]
fn json_syntax_template() {
    let p = project(&[(
        "main.pkr.json",
        r#"{
  "variable": { "who": { "type": "string", "default": "json" } },
  "source": { "null": { "a": { "communicator": "none" } } },
  "build": { "sources": ["source.null.a"], "provisioner": { "shell-local": { "inline": ["echo ${var.who}"] } } }
}"#,
    )]);
    let r = kiln(p.path(), &["validate", "."], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = kiln(p.path(), &["inspect", "."], "");
    assert!(r.stdout.contains("var.who: \"json\""), "{}", r.stdout);
}

#[test]
fn build_values_are_known_or_deferred() {
    let tpl = |expr: &str| {
        format!(
            "source \"null\" \"a\" {{\n  communicator = \"none\"\n}}\nbuild {{\n  name    = \"web\"\n  sources = [\"source.null.a\"]\n  provisioner \"shell-local\" {{\n    inline = [\"echo ${{{expr}}}\"]\n  }}\n}}\n"
        )
    };
    // build.name is known; build.ID only at build time (deferred, valid).
    for ok in ["build.name", "build.ID", "upper(build.Host)", "source.name"] {
        let p = project(&[("main.pkr.hcl", &tpl(ok))]);
        let r = kiln(p.path(), &["validate", "."], "");
        assert_eq!(r.code, 0, "{ok}: {}", r.stderr);
    }
    let p = project(&[("main.pkr.hcl", &tpl("build.NoSuchThing"))]);
    let r = kiln(p.path(), &["validate", "."], "");
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("NoSuchThing"), "{}", r.stderr);
}

#[test]
fn winrm_is_one_clear_error_per_source() {
    // The shape of a Packer Windows template: every winrm_* field Packer
    // has, on each builder kind that embeds the communicator fields.
    let p = project(&[(
        "main.pkr.hcl",
        r#"source "qemu" "win" {
  iso_url          = "https://example.com/windows.iso"
  iso_checksum     = "none"
  shutdown_command = "shutdown /s /t 10"
  communicator     = "winrm"
  winrm_username   = "Administrator"
  winrm_password   = "S3cret!"
  winrm_timeout    = "4h"
  winrm_port       = 5986
  winrm_use_ssl    = true
  winrm_insecure   = true
  winrm_use_ntlm   = true
  winrm_no_proxy   = true
  winrm_host       = "10.0.2.15"
}
source "null" "win" {
  communicator   = "winrm"
  winrm_host     = "192.0.2.1"
  winrm_username = "Administrator"
}
source "docker" "shared" {
  image          = "debian:12"
  commit         = true
  winrm_username = "Administrator"
}
source "null" "win2" {
  winrm_host     = "192.0.2.1"
  winrm_username = "Administrator"
}
build {
  sources = ["source.qemu.win", "source.null.win", "source.docker.shared", "source.null.win2"]
}
"#,
    )]);
    let r = kiln(p.path(), &["validate", "main.pkr.hcl"], "");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!r.stderr.contains("not expected"), "{}", r.stderr);
    let msg = "the winrm communicator is not supported";
    assert_eq!(r.stderr.matches(msg).count(), 3, "{}", r.stderr);
    // At `communicator = "winrm"`, else (no communicator, no ssh_username:
    // only WinRM was meant) at the first winrm_* field.
    for at in ["main.pkr.hcl:5:3", "main.pkr.hcl:17:3", "main.pkr.hcl:28:3"] {
        assert!(r.stderr.contains(at), "{at}: {}", r.stderr);
    }
    // winrm_* beside another communicator (docker's own) are ignored, as
    // Packer ignores them; and no SSH noise beside the WinRM error.
    for docker in ["main.pkr.hcl:21:", "main.pkr.hcl:24:"] {
        assert!(!r.stderr.contains(docker), "{}", r.stderr);
    }
    assert!(!r.stderr.contains("ssh_username"), "{}", r.stderr);
    assert!(!r.stderr.contains("must be specified"), "{}", r.stderr);
}

#[test]
fn docker_changes_take_the_legacy_label_form() {
    let p = project(&[(
        "main.pkr.hcl",
        r#"source "docker" "app" {
  image   = "debian:12"
  commit  = true
  changes = [
    "LABEL maintainer Jane Doe <jane@example.com>",
    "LABEL version=1.0 description=\"a web app\"",
    "ENV APP_HOME /srv/my app",
  ]
}
build {
  sources = ["source.docker.app"]
}
"#,
    )]);
    let r = kiln(p.path(), &["validate", "main.pkr.hcl"], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "The configuration is valid.");
}
