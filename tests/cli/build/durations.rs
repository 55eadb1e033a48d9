//! Durations from the template: Go's range and messages, never a panic.
//! `pause_before = "3000000000000000h"` used to pass validation and then
//! panic the build ("overflow when adding duration to instant").

use super::{build, messages};
use crate::{kiln, project};
use std::time::{Duration, Instant};

fn template(source_body: &str, provisioner_body: &str) -> String {
    format!(
        r#"
source "null" "a" {{
  communicator = "none"
{source_body}
}}
build {{
  sources = ["source.null.a"]
  provisioner "shell-local" {{
{provisioner_body}
    inline = ["echo provisioned"]
  }}
}}
"#
    )
}

/// The run failed cleanly: exit 1, no panic, and `want` in its output.
fn assert_rejected(what: &str, r: &crate::Run, want: &[&str]) {
    let all = format!("{}{}", r.stdout, r.stderr);
    assert_eq!(r.code, 1, "{what}: {all}");
    assert!(!all.contains("panicked"), "{what}: {all}");
    for w in want {
        assert!(all.contains(w), "{what}: {w:?} missing from:\n{all}");
    }
}

#[test]
fn an_out_of_range_pause_before_is_a_located_error_in_validate_and_build() {
    let t = template("", r#"    pause_before = "3000000000000000h""#);
    let dir = project(&[("t.pkr.hcl", &t)]);
    let want = [
        "Error: Failed to parse pause_before duration",
        "on t.pkr.hcl:9:20:",
        r#"time: invalid duration "3000000000000000h""#,
    ];
    assert_rejected(
        "validate",
        &kiln(dir.path(), &["validate", "t.pkr.hcl"], ""),
        &want,
    );
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_rejected("build", &r, &want);
    assert!(!r.stdout.contains("provisioned"), "{}", r.stdout);
}

#[test]
fn a_duration_field_past_gos_range_is_a_decode_error_at_its_argument() {
    let t = template(r#"  ssh_timeout = "2562048h""#, "");
    let dir = project(&[("t.pkr.hcl", &t)]);
    assert_rejected(
        "validate",
        &kiln(dir.path(), &["validate", "t.pkr.hcl"], ""),
        &[
            "on t.pkr.hcl:4:3:",
            r#"error decoding 'ssh_timeout': time: invalid duration "2562048h""#,
        ],
    );
}

#[test]
fn the_largest_go_duration_and_a_negative_pause_run() {
    // 2562047h is within Go's range: the deadline is far away, the
    // provisioner runs and the build succeeds. A negative pause is
    // announced and waits no time, as in Packer.
    let t = template(
        "",
        r#"    timeout      = "2562047h"
    pause_before = "-1s""#,
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let r = kiln(dir.path(), &["validate", "t.pkr.hcl"], "");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let tmp = tempfile::tempdir().expect("tmp");
    let start = Instant::now();
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(start.elapsed() < Duration::from_secs(30));
    assert!(
        r.stdout
            .contains("==> null.a: Pausing -1s before the next provisioner..."),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("==> null.a: Setting a 2562047h0m0s timeout for the next provisioner..."),
        "{}",
        r.stdout
    );
    assert_eq!(messages(&r.stdout, "null.a"), ["provisioned"]);
}
