//! Component types kiln knows of but does not run get one located "not
//! supported" error with the reason; truly unknown names keep the
//! "unknown type" error with its hint. `hcp_packer_registry` is checked
//! with Packer's rules.

use super::{kiln, project};

fn validate(template: &str) -> super::Run {
    let p = project(&[("t.pkr.hcl", template)]);
    kiln(p.path(), &["validate", "t.pkr.hcl"], "")
}

#[test]
fn known_but_unsupported_components_say_why_at_their_block() {
    let r = validate(
        r#"source "virtualbox-iso" "a" {}
build {
  sources = ["source.virtualbox-iso.a"]
  provisioner "powershell" { inline = ["x"] }
  provisioner "windows-restart" {}
  provisioner "chef-solo" { cookbook_paths = ["c"] }
  provisioner "chef-client" {}
  post-processor "vagrant-cloud" { box_tag = "a/b" }
  post-processor "amazon-import" {}
}
"#,
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    for (line, text) in [
        ("t.pkr.hcl:1:1", "the virtualbox-iso builder is not supported: kiln builds virtual machines with QEMU only"),
        ("t.pkr.hcl:4:3", "the powershell provisioner is not supported: it drives Windows guests"),
        ("t.pkr.hcl:5:3", "the windows-restart provisioner is not supported"),
        ("t.pkr.hcl:6:3", "the chef-solo provisioner is not supported: Chef cannot be installed or tested"),
        ("t.pkr.hcl:7:3", "the chef-client provisioner is not supported: Chef cannot be installed or tested"),
        ("t.pkr.hcl:8:3", "the vagrant-cloud post-processor is not supported: kiln does not publish to Vagrant Cloud"),
        ("t.pkr.hcl:9:3", "the amazon-import post-processor is not supported: kiln does not import VM images into EC2"),
    ] {
        assert!(r.stderr.contains(line), "{line}: {}", r.stderr);
        assert!(r.stderr.contains(text), "{text}: {}", r.stderr);
    }
    // One error each, not also "unknown type" or complaints about fields.
    assert_eq!(r.stderr.matches("Error: ").count(), 7, "{}", r.stderr);
    assert_eq!(
        r.stderr
            .matches("run `chef-solo` or `chef-client` from a `shell` provisioner")
            .count(),
        2,
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("Unknown"), "{}", r.stderr);
}

#[test]
fn a_truly_unknown_type_is_still_unknown_with_its_hint() {
    let r = validate(
        r#"source "null" "n" { communicator = "none" }
build {
  sources = ["source.null.n"]
  post-processor "artifise" { files = ["x"] }
}
"#,
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("Unknown post-processor type"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("Did you mean \"artifice\"?"),
        "{}",
        r.stderr
    );
}

const REGISTRY_OK: &str = r#"variable "bucket" { default = "my-bucket-1" }
source "null" "n" { communicator = "none" }
build {
  name = "b"
  hcp_packer_registry {
    bucket_name   = var.bucket
    description   = "Images for ${var.bucket}"
    bucket_labels = { team = "infra" }
    build_labels  = { "os" = "debian", version = local.v }
  }
  sources = ["source.null.n"]
}
locals { v = "12" }
"#;

#[test]
fn hcp_packer_registry_is_accepted_with_variables_and_locals() {
    let r = validate(REGISTRY_OK);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "The configuration is valid.");
    assert_eq!(r.stderr, "");
}

#[test]
fn build_registers_in_kilns_catalog_and_says_so_when_hcp_credentials_are_set() {
    let p = project(&[("t.pkr.hcl", REGISTRY_OK)]);
    let env = [("HCP_CLIENT_ID".to_owned(), "id".to_owned())];
    let r = crate::kiln_env(p.path(), &["build", "t.pkr.hcl"], "", &env);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stderr
            .matches(
                "kiln does not publish to HCP Packer: this run registers in kiln's own catalog"
            )
            .count(),
        1,
        "{}",
        r.stderr
    );
    assert!(
        r.stdout.contains("Registered my-bucket-1:v1"),
        "{}",
        r.stdout
    );
}

#[test]
fn hcp_packer_registry_fields_are_checked_as_packer_does() {
    let cases = [
        (
            r#"build_labels = "x""#,
            "Inappropriate value for attribute \"build_labels\": map of string required.",
        ),
        (
            r#"bucket_name = "no_underscores""#,
            "hcp_packer_registry.bucket_name can only contain between 3 and 36 ASCII letters, numbers and hyphens",
        ),
        (
            r#"bucket_name = "ab""#,
            "bucket_name can only contain between 3 and 36",
        ),
        (
            "description = \"${join(\"\", [for i in range(256) : \"d\"])}\"",
            "hcp_packer_registry.description should have a maximum length of 255 characters",
        ),
        (
            "labels = { a = \"b\" }\n bucket_labels = { c = \"d\" }",
            "hcp_packer_registry.labels and hcp_packer_registry.bucket_labels are mutually exclusive",
        ),
    ];
    for (fields, message) in cases {
        let r = validate(&format!(
            "source \"null\" \"n\" {{ communicator = \"none\" }}\nbuild {{\n  hcp_packer_registry {{\n {fields}\n  }}\n  sources = [\"source.null.n\"]\n}}\n"
        ));
        assert_eq!(r.code, 1, "{fields}: {}", r.stdout);
        assert!(r.stderr.contains(message), "{fields}: {}", r.stderr);
    }
}

#[test]
fn a_second_hcp_packer_registry_block_is_an_error() {
    let r = validate(
        r#"source "null" "n" { communicator = "none" }
build {
  hcp_packer_registry { bucket_name = "abc" }
  hcp_packer_registry {}
  sources = ["source.null.n"]
}
"#,
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("Only one hcp_packer_registry is allowed"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("t.pkr.hcl:4:3"), "{}", r.stderr);
}

#[test]
fn unknown_hcp_packer_registry_arguments_are_ignored_with_a_warning() {
    // Packer keeps the rest of the block's body without complaint.
    let r = validate(
        r#"source "null" "n" { communicator = "none" }
build {
  hcp_packer_registry {
    bucket_nmae = "abc"
  }
  sources = ["source.null.n"]
}
"#,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("Warning: Ignored in hcp_packer_registry"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("t.pkr.hcl:4:5"), "{}", r.stderr);
}

#[test]
fn the_deprecated_labels_argument_warns_and_is_accepted() {
    let r = validate(
        r#"source "null" "n" { communicator = "none" }
build {
  hcp_packer_registry {
    labels = { a = "b" }
  }
  sources = ["source.null.n"]
}
"#,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("hcp_packer_registry.labels has been deprecated"),
        "{}",
        r.stderr
    );
}
