//! Null builds that provision over SSH, against a throwaway sshd.

use super::{build, messages};
use crate::project;
use kiln_communicator_ssh::testing::TestSshd;

fn template(d: &TestSshd, extra: &str) -> String {
    format!(
        r#"
source "null" "remote" {{
  ssh_host             = "127.0.0.1"
  ssh_port             = {port}
  ssh_username         = "root"
  ssh_private_key_file = "{key}"
  ssh_timeout          = "20s"
{extra}
}}
build {{
  sources = ["source.null.remote"]
  provisioner "shell-local" {{
    inline = ["echo conn=${{build.ConnType}} host=${{build.Host}} port=${{build.Port}} user=${{build.User}} id=${{build.ID}}"]
  }}
}}
"#,
        port = d.port,
        key = d.key_file.display(),
    )
}

#[test]
fn a_null_source_with_ssh_settings_connects_and_provisions() {
    let d = TestSshd::start().expect("the test sshd must start (run scripts/setup.sh as root)");
    let dir = project(&[("t.pkr.hcl", &template(&d, ""))]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 0, "{}{}\nsshd: {}", r.stdout, r.stderr, d.log());
    let start = r
        .stdout
        .find("==> null.remote: Using ssh communicator to connect: 127.0.0.1\n==> null.remote: Waiting for SSH to become available...\n==> null.remote: Connected to SSH!\n");
    assert!(start.is_some(), "{}", r.stdout);
    assert_eq!(
        messages(&r.stdout, "null.remote"),
        [format!(
            "conn=ssh host=127.0.0.1 port={} user=root id=Null",
            d.port
        )]
    );
    // The server saw the login.
    assert!(
        d.log().contains("Accepted publickey for root"),
        "{}",
        d.log()
    );
}

#[test]
fn pause_before_connecting_connects_twice() {
    let d = TestSshd::start().expect("the test sshd must start (run scripts/setup.sh as root)");
    let t = template(&d, "  pause_before_connecting = \"200ms\"");
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("==> null.remote: Connected to SSH!\n==> null.remote: Pausing 200ms before connecting...\n==> null.remote: Waiting for SSH to become available...\n==> null.remote: Connected to SSH!\n"), "{}", r.stdout);
    assert_eq!(d.log().matches("Accepted publickey for root").count(), 2);
}

#[test]
fn nothing_listening_is_a_timeout_waiting_for_ssh() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let t = format!(
        r#"
source "null" "gone" {{
  ssh_host     = "127.0.0.1"
  ssh_port     = {port}
  ssh_username = "root"
  ssh_password = "x"
  ssh_timeout  = "1s"
}}
build {{
  sources = ["source.null.gone"]
  provisioner "shell-local" {{ inline = ["echo never"] }}
}}
"#
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("==> null.gone: Timeout waiting for SSH.")
            || r.stderr.contains("==> null.gone: Timeout waiting for SSH."),
        "{}{}",
        r.stdout,
        r.stderr
    );
    assert!(
        format!("{}{}", r.stdout, r.stderr).contains("Build 'null.gone' errored after"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("never"));
}
