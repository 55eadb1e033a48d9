//! Null builds that provision over SSH (the `shell` and `file`
//! provisioners), against a throwaway sshd. The expected lines are what
//! Packer 1.6.6 printed for the same templates against the same server.

mod transfer;

use super::{build, leftovers, messages};
use crate::project;
use kiln_communicator_ssh::testing::TestSshd;

/// A null source connecting to `d`, with `source_extra` in the source
/// block and `provisioners` in the build block.
fn with_provisioners(d: &TestSshd, source_extra: &str, provisioners: &str) -> String {
    format!(
        r#"
source "null" "remote" {{
  ssh_host             = "127.0.0.1"
  ssh_port             = {port}
  ssh_username         = "root"
  ssh_private_key_file = "{key}"
  ssh_timeout          = "20s"
{source_extra}
}}
build {{
  sources = ["source.null.remote"]
{provisioners}
}}
"#,
        port = d.port,
        key = d.key_file.display(),
    )
}

fn template(d: &TestSshd, extra: &str) -> String {
    with_provisioners(
        d,
        extra,
        r#"  provisioner "shell" {
    inline = ["echo conn=${build.ConnType} host=${build.Host} port=${build.Port} user=${build.User} id=${build.ID} whoami=$(whoami)"]
  }"#,
    )
}

fn sshd() -> TestSshd {
    TestSshd::start().expect("the test sshd must start (run scripts/setup.sh as root)")
}

/// The step headings (`==> null.remote: …`) of the build.
fn says(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("==> null.remote: "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_null_source_with_ssh_settings_connects_and_provisions() {
    let d = sshd();
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
            "conn=ssh host=127.0.0.1 port={} user=root id=Null whoami=root",
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
    let d = sshd();
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
  provisioner "shell" {{ inline = ["echo never"] }}
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

#[test]
fn shell_runs_inline_and_scripts_with_packers_variables() {
    let d = sshd();
    let rf = d.dir().join("rf");
    std::fs::create_dir(&rf).expect("mkdir");
    let t = with_provisioners(
        &d,
        "",
        &format!(
            r#"  provisioner "shell" {{
    inline           = ["echo hello", "echo vars=$FOO $BAR $PACKER_BUILD_NAME $PACKER_BUILDER_TYPE", "echo $0"]
    environment_vars = ["FOO=it's here", "BAR=b"]
  }}
  provisioner "shell" {{
    script           = "s.sh"
    environment_vars = ["FOO=x"]
    execute_command  = "echo '{{{{.Vars}}}}' '{{{{.Path}}}}'; sh {{{{.Path}}}}"
    remote_folder    = "{rf}"
  }}
  provisioner "shell" {{
    inline           = ["echo err >&2; exit 3"]
    valid_exit_codes = [0, 3]
  }}"#,
            rf = rf.display()
        ),
    );
    let dir = project(&[
        ("t.pkr.hcl", &t),
        ("s.sh", "echo from script $FOO\r\necho line2"),
    ]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 0, "{}{}\nsshd: {}", r.stdout, r.stderr, d.log());
    let says = says(&r.stdout);
    let inline_script = format!(
        "Provisioning with shell script: {}/packer-shell",
        tmp.path().display()
    );
    assert!(says[3].starts_with(&inline_script), "{says:?}");
    assert_eq!(says[4], "Provisioning with shell script: s.sh");
    assert!(says[5].starts_with(&inline_script), "{says:?}");
    assert_eq!(says[6], "err");
    let lines = messages(&r.stdout, "null.remote");
    assert_eq!(lines[0], "hello");
    assert_eq!(lines[1], "vars=it's here b remote null");
    assert!(
        lines[2].starts_with("/tmp/script_") && lines[2].ends_with(".sh"),
        "{lines:?}"
    );
    let rest = &lines[3..];
    assert_eq!(rest.len(), 3, "{lines:?}");
    let prefix = format!(
        "FOO=x PACKER_BUILDER_TYPE=null PACKER_BUILD_NAME=remote  {}/script_",
        rf.display()
    );
    assert!(rest[0].starts_with(&prefix), "{rest:?}");
    assert_eq!(rest[1..], ["from script", "line2"]);
    assert!(
        leftovers(&rf).is_empty(),
        "remote scripts left: {:?}",
        leftovers(&rf)
    );
    assert!(
        leftovers(tmp.path()).is_empty(),
        "{:?}",
        leftovers(tmp.path())
    );
}

#[test]
fn a_failing_script_fails_the_build_and_is_removed() {
    let d = sshd();
    let remote = d.dir().join("fail.sh");
    let t = with_provisioners(
        &d,
        "",
        &format!(
            r#"  provisioner "shell" {{
    inline      = ["echo started", "exit 2"]
    remote_path = "{}"
  }}
  provisioner "shell" {{ inline = ["echo never"] }}"#,
            remote.display()
        ),
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        all.contains("Build 'null.remote' errored after")
            && all.contains(
                ": Script exited with non-zero exit status: 2.Allowed exit codes are: [0]\n"
            ),
        "{all}"
    );
    assert!(all.contains("--> null.remote: Script exited with non-zero exit status: 2.Allowed exit codes are: [0]"), "{all}");
    assert_eq!(messages(&r.stdout, "null.remote"), ["started"]);
    assert!(!remote.exists(), "the failed script stayed on the machine");
    assert!(
        leftovers(tmp.path()).is_empty(),
        "{:?}",
        leftovers(tmp.path())
    );
}

#[test]
fn expect_disconnect_accepts_a_dropped_session_and_the_next_provisioner_reconnects() {
    let d = sshd();
    let after = d.dir().join("after.txt");
    // The script's parent is the server's process for this connection:
    // killing it drops the connection, as a reboot does.
    let kill = r#"inline = ["echo before", "kill -9 $PPID", "sleep 5"]"#;
    let t = with_provisioners(
        &d,
        "",
        &format!(
            r#"  provisioner "shell" {{
    {kill}
    expect_disconnect = true
  }}
  provisioner "shell" {{ inline = ["echo reconnected"] }}
  provisioner "file" {{
    content     = "after"
    destination = "{after}"
  }}
  provisioner "shell" {{ {kill} }}"#,
            after = after.display()
        ),
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 1, "{}{}\nsshd: {}", r.stdout, r.stderr, d.log());
    assert!(
        messages(&r.stdout, "null.remote").contains(&"reconnected".to_owned()),
        "{}",
        r.stdout
    );
    assert_eq!(
        std::fs::read_to_string(&after).ok().as_deref(),
        Some("after")
    );
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(all.contains("Script disconnected unexpectedly. If you expected your script to disconnect, i.e. from a restart, you can try adding `\"expect_disconnect\": true` or `\"valid_exit_codes\": [0, 2300218]` to the shell provisioner parameters."), "{all}");
    assert!(
        d.log().matches("Accepted publickey for root").count() >= 3,
        "{}",
        d.log()
    );
}

#[test]
fn start_retry_timeout_waits_for_the_server_to_come_back() {
    let mut d = sshd();
    let t = with_provisioners(
        &d,
        "",
        &format!(
            r#"  provisioner "shell" {{
    inline            = ["kill {pid}", "kill -9 $PPID"]
    expect_disconnect = true
    skip_clean        = true
    remote_path       = "{kept}"
  }}
  provisioner "shell" {{
    inline              = ["echo back"]
    start_retry_timeout = "60s"
  }}"#,
            pid = d.pid(),
            kept = d.dir().join("kept.sh").display()
        ),
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let down_for = std::time::Duration::from_secs(3);
    let server = std::thread::spawn(move || {
        let stopped = d.wait_exit(std::time::Duration::from_secs(60));
        std::thread::sleep(down_for);
        let restarted = d.restart();
        (d, stopped, restarted)
    });
    let start = std::time::Instant::now();
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    let (d, stopped, restarted) = server.join().expect("server thread");
    assert!(stopped, "the script did not stop sshd: {}", d.log());
    assert_eq!(restarted, Ok(()));
    assert_eq!(r.code, 0, "{}{}\nsshd: {}", r.stdout, r.stderr, d.log());
    assert_eq!(messages(&r.stdout, "null.remote"), ["back"]);
    assert!(start.elapsed() >= down_for);
    assert!(
        d.dir().join("kept.sh").exists(),
        "skip_clean removed the script"
    );
}
