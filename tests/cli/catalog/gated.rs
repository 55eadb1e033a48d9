//! The test stage gates registration: a build whose test fails registers
//! no version; once it passes, the run is a version.

use super::Store;
use crate::project;

const TEMPLATE: &str = r#"
source "null" "n" { communicator = "none" }
build {
  hcp_packer_registry { bucket_name = "gated" }
  sources = ["source.null.n"]
  test "smoke" {
    provisioner "shell-local" { inline = ["exit @CODE@"] }
  }
}
"#;

#[test]
fn a_failing_test_registers_nothing_and_a_passing_one_registers() {
    let p = project(&[]);
    let store = Store::dir(p.path());
    let d = p.path();
    std::fs::write(d.join("t.pkr.hcl"), TEMPLATE.replace("@CODE@", "1")).unwrap();
    let r = store.build(d, "t.pkr.hcl", "fp-fail");
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let list = store.kiln(d, &["catalog", "list", "gated", "-json"]);
    let registered = serde_json::from_str::<serde_json::Value>(&list.stdout)
        .ok()
        .and_then(|v| v["versions"].as_array().map(Vec::len))
        .unwrap_or(0);
    assert_eq!(registered, 0, "{}{}", list.stdout, list.stderr);

    std::fs::write(d.join("t.pkr.hcl"), TEMPLATE.replace("@CODE@", "0")).unwrap();
    let r = store.build(d, "t.pkr.hcl", "fp-pass");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let list = store.json(d, &["list", "gated"]);
    let versions = list["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 1, "{list}");
    assert_eq!(versions[0]["fingerprint"], "fp-pass", "{list}");
}
