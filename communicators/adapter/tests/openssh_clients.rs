//! OpenSSH's own clients (ssh, scp in both protocols, sftp) against the
//! adapter, over the two communicators kiln has: SSH (the test sshd) and
//! a container sandbox (a busybox rootfs, which has no sftp-server: the
//! adapter's own SFTP server answers there).

#![allow(clippy::unwrap_used)]

#[path = "../../sandbox/tests/common/mod.rs"]
mod common;

use kiln_communicator_adapter::{serve, AdapterConfig, KeyType, Serving};
use kiln_communicator_ssh::testing::TestSshd;
use kiln_communicator_ssh::SshComm;
use kiln_core::{Cancel, Communicator};
use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn config() -> AdapterConfig {
    AdapterConfig {
        user: "tester".into(),
        ..AdapterConfig::default()
    }
}

fn ssh_options(s: &Serving<'_>) -> Vec<String> {
    let mut o: Vec<String> = [
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "BatchMode=yes",
        "-o",
        "LogLevel=ERROR",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    if let Some(k) = s.private_key_file {
        o.push("-i".into());
        o.push(k.display().to_string());
    }
    o
}

fn ssh(s: &Serving<'_>, command: &str, stdin: &[u8]) -> Output {
    let mut child = Command::new("ssh")
        .args(ssh_options(s))
        .args([
            "-p",
            &s.port.to_string(),
            "-l",
            "tester",
            "127.0.0.1",
            command,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn scp(s: &Serving<'_>, extra: &[&str], from: &str, to: &str) -> Output {
    Command::new("scp")
        .args(ssh_options(s))
        .args(["-P", &s.port.to_string()])
        .args(extra)
        .args([from, to])
        .output()
        .unwrap()
}

fn remote(path: &str) -> String {
    format!("tester@127.0.0.1:{path}")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "stdout: {}\nstderr: {}",
        text(&o.stdout),
        text(&o.stderr)
    );
}

fn read_remote(comm: &dyn Communicator, path: &str) -> String {
    let mut v = Vec::new();
    comm.download(path, &mut v).unwrap();
    text(&v)
}

/// Everything a playbook's connection does, against `comm`; `tmp` is a
/// fresh directory on the machine.
fn exercise(comm: &dyn Communicator, tmp: &str) {
    let local = tempfile::tempdir().unwrap();
    let file = local.path().join("hello.txt");
    std::fs::write(&file, "hello adapter\n").unwrap();
    std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o750)).unwrap();
    let tree = local.path().join("tree");
    std::fs::create_dir_all(tree.join("sub")).unwrap();
    std::fs::write(tree.join("a"), "A").unwrap();
    std::fs::write(tree.join("sub/b"), "B").unwrap();
    let cancel = Cancel::new();
    serve(comm, &config(), &cancel, |s| {
        // exec: both streams, the exit status, the input.
        let o = ssh(&s, "echo out; echo err >&2; exit 3", b"");
        assert_eq!(o.status.code(), Some(3));
        assert_eq!(text(&o.stdout), "out\n");
        assert!(text(&o.stderr).contains("err"), "{}", text(&o.stderr));
        let o = ssh(&s, "tr a-z A-Z", b"piped input\n");
        ok(&o);
        assert_eq!(text(&o.stdout), "PIPED INPUT\n");

        // scp -O: the legacy protocol, served by the adapter.
        ok(&scp(&s, &["-O"], file.to_str().unwrap(), &remote(&format!("{tmp}/"))));
        assert_eq!(read_remote(comm, &format!("{tmp}/hello.txt")), "hello adapter\n");
        let o = ssh(&s, &format!("stat -c %a {tmp}/hello.txt"), b"");
        assert_eq!(text(&o.stdout).trim(), "750");
        ok(&scp(&s, &["-O", "-r"], tree.to_str().unwrap(), &remote(&format!("{tmp}/legacy"))));
        assert_eq!(read_remote(comm, &format!("{tmp}/legacy/sub/b")), "B");
        let back = local.path().join("back-legacy");
        ok(&scp(&s, &["-O"], &remote(&format!("{tmp}/hello.txt")), back.to_str().unwrap()));
        assert_eq!(std::fs::read_to_string(&back).unwrap(), "hello adapter\n");
        let back_tree = local.path().join("back-tree-legacy");
        ok(&scp(&s, &["-O", "-r"], &remote(&format!("{tmp}/legacy")), back_tree.to_str().unwrap()));
        assert_eq!(std::fs::read_to_string(back_tree.join("sub/b")).unwrap(), "B");

        // scp without -O: OpenSSH 9 speaks SFTP.
        ok(&scp(&s, &[], file.to_str().unwrap(), &remote(&format!("{tmp}/sftp.txt"))));
        assert_eq!(read_remote(comm, &format!("{tmp}/sftp.txt")), "hello adapter\n");
        ok(&scp(&s, &["-r"], tree.to_str().unwrap(), &remote(&format!("{tmp}/sftp-tree"))));
        assert_eq!(read_remote(comm, &format!("{tmp}/sftp-tree/sub/b")), "B");
        let back = local.path().join("back-sftp");
        ok(&scp(&s, &[], &remote(&format!("{tmp}/sftp.txt")), back.to_str().unwrap()));
        assert_eq!(std::fs::read_to_string(&back).unwrap(), "hello adapter\n");
        let missing = scp(&s, &[], &remote(&format!("{tmp}/nope")), back.to_str().unwrap());
        assert!(!missing.status.success());

        // sftp: listing, mkdir, rename, remove.
        let batch = local.path().join("batch");
        let got = local.path().join("got.txt");
        std::fs::write(
            &batch,
            format!(
                "cd {tmp}\nmkdir made\nput {} made/put.txt\nrename made/put.txt made/moved.txt\nls -1 made\nget made/moved.txt {}\nrm sftp.txt\n",
                file.display(),
                got.display()
            ),
        )
        .unwrap();
        let o = Command::new("sftp")
            .args(ssh_options(&s))
            .args(["-P", &s.port.to_string(), "-b"])
            .arg(&batch)
            .arg("tester@127.0.0.1")
            .output()
            .unwrap();
        ok(&o);
        assert!(text(&o.stdout).contains("moved.txt"), "{}", text(&o.stdout));
        assert_eq!(std::fs::read_to_string(&got).unwrap(), "hello adapter\n");
        let o = ssh(&s, &format!("ls {tmp}"), b"");
        assert!(!text(&o.stdout).contains("sftp.txt"), "{}", text(&o.stdout));
    })
    .unwrap();
}

#[test]
fn openssh_clients_work_over_the_ssh_communicator() {
    let sshd = TestSshd::start().unwrap();
    let comm = SshComm::connect(sshd.settings(), &Cancel::new()).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    exercise(&comm, tmp.path().to_str().unwrap());
}

#[test]
fn openssh_clients_work_over_the_sandbox_without_sftp_server() {
    let (_dir, root) = common::busybox_rootfs();
    let comm = common::sandbox(kiln_communicator_sandbox::SandboxConfig::new(&root));
    std::fs::create_dir_all(root.join("tmp/work")).unwrap();
    exercise(&comm, "/tmp/work");
}

#[test]
fn only_the_one_key_and_user_get_in_and_the_port_closes_afterwards() {
    let (_dir, root) = common::busybox_rootfs();
    let comm = common::sandbox(kiln_communicator_sandbox::SandboxConfig::new(&root));
    let other = tempfile::tempdir().unwrap();
    let other_key = other.path().join("k");
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&other_key)
        .output()
        .unwrap();
    assert!(made.status.success());
    let cfg = AdapterConfig {
        key_type: KeyType::Rsa,
        ..config()
    };
    let port = serve(&comm, &cfg, &Cancel::new(), |s| {
        ok(&ssh(&s, "true", b""));
        let wrong_user = Command::new("ssh")
            .args(ssh_options(&s))
            .args(["-p", &s.port.to_string(), "-l", "root", "127.0.0.1", "true"])
            .output()
            .unwrap();
        assert_eq!(wrong_user.status.code(), Some(255));
        let wrong_key = Serving {
            port: s.port,
            private_key_file: Some(&other_key),
        };
        let o = ssh(&wrong_key, "true", b"");
        assert_eq!(o.status.code(), Some(255));
        assert!(
            text(&o.stderr).contains("Permission denied"),
            "{}",
            text(&o.stderr)
        );
        s.port
    })
    .unwrap();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}

#[test]
fn the_users_own_keys_replace_the_one_time_ones() {
    let (_dir, root) = common::busybox_rootfs();
    let comm = common::sandbox(kiln_communicator_sandbox::SandboxConfig::new(&root));
    let keys = tempfile::tempdir().unwrap();
    for name in ["host", "user"] {
        let made = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(keys.path().join(name))
            .output()
            .unwrap();
        assert!(made.status.success());
    }
    let cfg = AdapterConfig {
        host_key_file: Some(keys.path().join("host")),
        authorized_key_file: Some(keys.path().join("user.pub")),
        ..config()
    };
    let user_key = keys.path().join("user");
    serve(&comm, &cfg, &Cancel::new(), |s| {
        assert!(s.private_key_file.is_none());
        let mine = Serving {
            port: s.port,
            private_key_file: Some(&user_key),
        };
        ok(&ssh(&mine, "true", b""));
        // The host key offered is the one given.
        let scan = Command::new("ssh-keyscan")
            .args(["-t", "ed25519", "-p", &s.port.to_string(), "127.0.0.1"])
            .output()
            .unwrap();
        let host_pub = std::fs::read_to_string(keys.path().join("host.pub")).unwrap();
        let blob = host_pub.split_whitespace().nth(1).unwrap();
        assert!(text(&scan.stdout).contains(blob), "{}", text(&scan.stdout));
    })
    .unwrap();
}

fn start_sleep(s: &Serving<'_>, what: &str) -> std::process::Child {
    let child = Command::new("ssh")
        .args(ssh_options(s))
        .args(["-p", &s.port.to_string(), "-l", "tester", "127.0.0.1", what])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(20);
    while common::processes_with(what).is_empty() {
        assert!(Instant::now() < until, "{what} never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

fn gone(what: &str) -> bool {
    let until = Instant::now() + Duration::from_secs(10);
    while !common::processes_with(what).is_empty() {
        if Instant::now() > until {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    true
}

#[test]
fn a_client_that_hangs_up_or_the_adapter_stopping_ends_the_command_and_frees_the_port() {
    let (_dir, root) = common::busybox_rootfs();
    let comm = common::sandbox(kiln_communicator_sandbox::SandboxConfig::new(&root));
    let mut still_connected = None;
    let port = serve(&comm, &config(), &Cancel::new(), |s| {
        // As when ansible-playbook is killed.
        let mut child = start_sleep(&s, "sleep 1002");
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(gone("sleep 1002"), "the command outlived its client");
        // As when kiln is interrupted while a task runs.
        still_connected = Some(start_sleep(&s, "sleep 1003"));
        s.port
    })
    .unwrap();
    assert!(gone("sleep 1003"), "the command outlived the adapter");
    let status = still_connected.unwrap().wait().unwrap();
    assert!(!status.success());
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}
