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
fn reports_required_plugins() {
    let p = project(&[(
        "main.pkr.hcl",
        "packer {\n  required_plugins {\n    amazon = {\n      version = \">= 1.2.0\"\n      source  = \"github.com/hashicorp/amazon\"\n    }\n  }\n}\n",
    )]);
    let r = kiln(p.path(), &["inspect", "."], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("> required plugins:"), "{}", r.stdout);
    assert!(r.stdout.contains("amazon: "), "{}", r.stdout);
    assert!(
        r.stdout.contains("github.com/hashicorp/amazon"),
        "{}",
        r.stdout
    );
}
