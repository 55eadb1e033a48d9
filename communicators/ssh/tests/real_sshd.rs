//! The communicator against a real OpenSSH server (see `testing`).

#![allow(clippy::unwrap_used)]

use kiln_communicator_ssh::config::{Bastion, Transfer};
use kiln_communicator_ssh::testing::TestSshd;
use kiln_communicator_ssh::{KeyPair, SshComm, SshError, SshSettings};
use kiln_core::communicator::FileMode;
use kiln_core::{Cancel, CommError, Communicator, Output};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

fn sshd() -> TestSshd {
    TestSshd::start().expect("the test sshd must start (run scripts/setup.sh as root)")
}

fn connect(s: SshSettings) -> SshComm {
    SshComm::connect(s, &Cancel::new()).expect("connect")
}

/// Output with arrival times.
#[derive(Default)]
struct Rec {
    out: Vec<u8>,
    err: Vec<u8>,
    first_out: Option<Instant>,
}

impl Output for Rec {
    fn stdout(&mut self, c: &[u8]) {
        self.first_out.get_or_insert_with(Instant::now);
        self.out.extend_from_slice(c);
    }
    fn stderr(&mut self, c: &[u8]) {
        self.err.extend_from_slice(c);
    }
}

fn run(comm: &SshComm, cmd: &str) -> (i32, String, String) {
    let mut r = Rec::default();
    let code = comm.exec(cmd, &mut r, &Cancel::new()).unwrap();
    (
        code,
        String::from_utf8(r.out).unwrap(),
        String::from_utf8(r.err).unwrap(),
    )
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

#[test]
fn exec_streams_output_and_reports_exit_codes_and_signals() {
    let d = sshd();
    let comm = connect(d.settings());
    assert_eq!(
        run(&comm, "echo out; echo err >&2; exit 3"),
        (3, "out\n".into(), "err\n".into())
    );
    let (code, out, _) = run(
        &comm,
        "FOO='a b' sh -c 'echo \"$FOO\"'; echo $HOME; test -t 1 || echo no-tty",
    );
    assert_eq!((code, out.as_str()), (0, "a b\n/root\nno-tty\n"));
    // Killed by a signal: 128 + its number, as Go's SSH client reports.
    assert_eq!(run(&comm, "kill -TERM $$").0, 143);
    // Output arrives while the command still runs.
    let mut r = Rec::default();
    let start = Instant::now();
    comm.exec("echo early; sleep 1; echo late", &mut r, &Cancel::new())
        .unwrap();
    let first = r.first_out.unwrap().duration_since(start);
    assert!(
        first < Duration::from_millis(800),
        "first output after {first:?}"
    );
    assert_eq!(String::from_utf8(r.out).unwrap(), "early\nlate\n");
    // A command that reads stdin sees its end at once.
    assert_eq!(run(&comm, "cat; echo done").1, "done\n");
}

#[test]
fn pty_when_asked() {
    let d = sshd();
    let comm = connect(SshSettings {
        pty: true,
        ..d.settings()
    });
    let (code, out, _) = run(&comm, "tty");
    assert_eq!(code, 0);
    assert!(out.starts_with("/dev/pts/"), "{out:?}");
}

#[test]
fn cancel_closes_a_long_command() {
    let d = sshd();
    let comm = connect(d.settings());
    let cancel = Cancel::new();
    let c2 = cancel.clone();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        c2.cancel();
    });
    let start = Instant::now();
    let r = comm.exec("sleep 30", &mut Rec::default(), &cancel);
    t.join().unwrap();
    assert!(matches!(r, Err(CommError::Cancelled)), "{r:?}");
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    // The connection still serves the next command.
    assert_eq!(run(&comm, "echo again").1, "again\n");
}

#[test]
fn a_dropped_connection_is_disconnected_and_reconnect_recovers() {
    let d = sshd();
    let comm = connect(d.settings());
    let killer = {
        let d = &d;
        std::thread::scope(|s| {
            let h = s.spawn(|| {
                std::thread::sleep(Duration::from_millis(400));
                d.kill_sessions();
            });
            let r = comm.exec("sleep 30", &mut Rec::default(), &Cancel::new());
            h.join().unwrap();
            r
        })
    };
    assert!(matches!(killer, Err(CommError::Disconnected)), "{killer:?}");
    comm.reconnect(&Cancel::new()).unwrap();
    assert_eq!(run(&comm, "echo back").1, "back\n");
    // Lost while idle: the next command connects again by itself.
    d.kill_sessions();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(run(&comm, "echo auto").1, "auto\n");
}

#[test]
fn nothing_listening_times_out_and_cancel_stops_waiting() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let s = SshSettings {
        host: "127.0.0.1".into(),
        port,
        username: "root".into(),
        timeout: Duration::from_millis(700),
        handshake_attempts: 10,
        ..SshSettings::default()
    };
    let start = Instant::now();
    let r = SshComm::connect(s.clone(), &Cancel::new());
    assert!(matches!(r, Err(SshError::TimedOut)), "{r:?}");
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(650) && took < Duration::from_secs(3),
        "{took:?}"
    );
    let cancel = Cancel::new();
    cancel.cancel();
    let r = SshComm::connect(
        SshSettings {
            timeout: Duration::from_secs(60),
            ..s
        },
        &cancel,
    );
    assert!(matches!(r, Err(SshError::Cancelled)), "{r:?}");
}

#[test]
fn a_wrong_key_is_an_authentication_error_after_the_attempts() {
    let d = sshd();
    let wrong = d.dir().join("wrong");
    std::fs::write(&wrong, KeyPair::generate().unwrap().private_openssh()).unwrap();
    std::fs::set_permissions(&wrong, std::fs::Permissions::from_mode(0o600)).unwrap();
    let r = SshComm::connect(
        SshSettings {
            private_key_file: Some(wrong),
            handshake_attempts: 2,
            ..d.settings()
        },
        &Cancel::new(),
    );
    let Err(SshError::Auth(msg)) = r else {
        panic!("{r:?}")
    };
    assert!(
        msg.starts_with("kiln experienced an authentication error when trying to connect via SSH."),
        "{msg}"
    );
    assert!(msg.ends_with("ssh: handshake failed: ssh: unable to authenticate, attempted methods [none publickey], no supported methods remain"), "{msg}");
}

#[test]
fn password_logins_and_a_wrong_password() {
    let d = TestSshd::start_with_password("pa'ss w0rd")
        .expect("the test sshd must start (run scripts/setup.sh as root)");
    let comm = connect(SshSettings {
        private_key_file: None,
        password: Some("pa'ss w0rd".into()),
        ..d.settings()
    });
    assert_eq!(run(&comm, "echo pw").1, "pw\n");
    assert!(
        d.log().contains("Accepted password for root"),
        "{}",
        d.log()
    );

    let r = SshComm::connect(
        SshSettings {
            private_key_file: None,
            password: Some("wrong".into()),
            handshake_attempts: 1,
            ..d.settings()
        },
        &Cancel::new(),
    );
    let Err(SshError::Auth(msg)) = r else {
        panic!("{r:?}")
    };
    assert!(
        msg.starts_with("kiln experienced an authentication error when trying to connect via SSH."),
        "{msg}"
    );
    assert!(msg.contains("password"), "{msg}");
}

#[test]
fn keys_in_memory_and_from_an_agent() {
    let d = sshd();
    // The temporary key pair of a build, held in memory.
    let temp = KeyPair::generate().unwrap();
    d.authorize(temp.public_line()).unwrap();
    let comm = connect(SshSettings {
        private_key_file: None,
        private_key: Some(temp.private_openssh().into()),
        ..d.settings()
    });
    assert_eq!(run(&comm, "echo mem").1, "mem\n");

    // An ssh-agent of our own, holding the authorized key.
    let sock = d.dir().join("agent.sock");
    let agent = std::process::Command::new("ssh-agent")
        .arg("-D")
        .arg("-a")
        .arg(&sock)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("ssh-agent (openssh-client, installed by scripts/setup.sh)");
    let _kill = KillOnDrop(agent);
    let end = Instant::now() + Duration::from_secs(5);
    while !sock.exists() && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(20));
    }
    let added = std::process::Command::new("ssh-add")
        .arg(&d.key_file)
        .env("SSH_AUTH_SOCK", &sock)
        .output()
        .unwrap();
    assert!(added.status.success(), "{added:?}");
    // libssh2 finds the agent through the environment only.
    std::env::set_var("SSH_AUTH_SOCK", &sock);
    let comm = connect(SshSettings {
        private_key_file: None,
        agent_auth: true,
        ..d.settings()
    });
    assert_eq!(run(&comm, "echo agent").1, "agent\n");
}

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn through_a_bastion() {
    // The same server is bastion and target: the target is reached as
    // 127.0.0.1 from the bastion's side, through a direct-tcpip channel.
    let d = sshd();
    let comm = connect(SshSettings {
        bastion: Some(Bastion {
            host: "127.0.0.1".into(),
            port: d.port,
            username: "root".into(),
            password: None,
            private_key_file: Some(d.key_file.clone()),
            agent_auth: false,
        }),
        ..d.settings()
    });
    let (code, out, _) = run(&comm, "echo via; echo $SSH_CLIENT");
    assert_eq!(code, 0);
    assert!(out.starts_with("via\n127.0.0.1 "), "{out}");
    // A transfer big enough to need many channel windows.
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let remote = d.dir().join("big-via-bastion");
    comm.upload(remote.to_str().unwrap(), &mut &big[..], FileMode(None))
        .unwrap();
    assert_eq!(std::fs::read(&remote).unwrap(), big);
    let mut back = Vec::new();
    comm.download(remote.to_str().unwrap(), &mut back).unwrap();
    assert_eq!(back, big);
}

fn transfers(method: Transfer) {
    let d = sshd();
    let comm = connect(SshSettings {
        transfer: method,
        ..d.settings()
    });
    let local = tempfile::tempdir().unwrap();
    let remote = d.dir().join("remote");
    std::fs::create_dir(&remote).unwrap();
    let r = |p: &str| remote.join(p).to_string_lossy().into_owned();

    // One file from a stream, with a mode; a big one to stream many
    // windows; one from a file keeping its mode, into an existing directory.
    comm.upload(
        &r("script.sh"),
        &mut &b"#!/bin/sh\necho hi\n"[..],
        FileMode(Some(0o750)),
    )
    .unwrap();
    assert_eq!(
        std::fs::read_to_string(remote.join("script.sh")).unwrap(),
        "#!/bin/sh\necho hi\n"
    );
    assert_eq!(mode(&remote.join("script.sh")), 0o750);
    let big: Vec<u8> = (0..5_000_000u32).map(|i| (i % 253) as u8).collect();
    comm.upload(&r("big"), &mut &big[..], FileMode(None))
        .unwrap();
    assert_eq!(std::fs::read(remote.join("big")).unwrap(), big);
    assert_eq!(mode(&remote.join("big")), 0o644);
    let mut back = Vec::new();
    comm.download(&r("big"), &mut back).unwrap();
    assert!(back == big, "downloaded {} bytes", back.len());
    let f = local.path().join("f.txt");
    std::fs::write(&f, "file").unwrap();
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o604)).unwrap();
    std::fs::create_dir(remote.join("into")).unwrap();
    comm.upload_file(&r("into"), &f).unwrap();
    assert_eq!(
        std::fs::read_to_string(remote.join("into/f.txt")).unwrap(),
        "file"
    );
    assert_eq!(mode(&remote.join("into/f.txt")), 0o604);

    // Directories: `src` copies the directory itself, `src/` its contents.
    let tree = local.path().join("tree");
    std::fs::create_dir_all(tree.join("sub")).unwrap();
    std::fs::write(tree.join("a"), "a").unwrap();
    std::fs::write(tree.join("sub/b"), "b").unwrap();
    std::fs::set_permissions(tree.join("sub/b"), std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::set_permissions(tree.join("sub"), std::fs::Permissions::from_mode(0o750)).unwrap();
    std::fs::create_dir(remote.join("itself")).unwrap();
    std::fs::create_dir(remote.join("contents")).unwrap();
    comm.upload_dir(&r("itself"), &tree).unwrap();
    comm.upload_dir(&r("contents"), Path::new(&format!("{}/", tree.display())))
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(remote.join("itself/tree/a")).unwrap(),
        "a"
    );
    assert_eq!(
        std::fs::read_to_string(remote.join("itself/tree/sub/b")).unwrap(),
        "b"
    );
    assert_eq!(mode(&remote.join("itself/tree/sub")), 0o750);
    assert_eq!(mode(&remote.join("itself/tree/sub/b")), 0o700);
    assert_eq!(
        std::fs::read_to_string(remote.join("contents/a")).unwrap(),
        "a"
    );
    assert_eq!(mode(&remote.join("contents/sub/b")), 0o700);

    // And back: the remote directory lands inside the destination.
    let down = local.path().join("down");
    std::fs::create_dir(&down).unwrap();
    comm.download_dir(&r("itself/tree"), &down).unwrap();
    assert_eq!(
        std::fs::read_to_string(down.join("tree/sub/b")).unwrap(),
        "b"
    );
    assert_eq!(mode(&down.join("tree/sub/b")), 0o700);
    assert_eq!(mode(&down.join("tree/sub")), 0o750);
    let leftovers: Vec<_> = std::fs::read_dir(down.join("tree"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 2, "{leftovers:?}");

    // Failures carry the remote side's words.
    let err = comm
        .download(&r("missing"), &mut Vec::new())
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing"), "{err}");
}

#[test]
fn scp_transfers_keep_modes_and_follow_packers_slash_rules() {
    transfers(Transfer::Scp);
}

#[test]
fn sftp_transfers_keep_modes_and_follow_packers_slash_rules() {
    transfers(Transfer::Sftp);
}

#[test]
fn through_a_socks5_proxy() {
    // OpenSSH's own dynamic forwarding (`ssh -D`) is the SOCKS5 proxy.
    let d = sshd();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let proxy = std::process::Command::new("ssh")
        .args([
            "-N",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "ExitOnForwardFailure=yes",
        ])
        .arg("-D")
        .arg(format!("127.0.0.1:{port}"))
        .arg("-i")
        .arg(&d.key_file)
        .arg("-p")
        .arg(d.port.to_string())
        .arg("root@127.0.0.1")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("ssh (openssh-client, installed by scripts/setup.sh)");
    let _kill = KillOnDrop(proxy);
    let end = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(20));
    }
    let comm = connect(SshSettings {
        proxy: Some(kiln_communicator_ssh::config::Proxy {
            host: "127.0.0.1".into(),
            port,
            username: None,
            password: None,
        }),
        ..d.settings()
    });
    assert_eq!(run(&comm, "echo proxied").1, "proxied\n");
    assert_eq!(d.log().matches("Accepted publickey for root").count(), 2);
}
