//! Commands in a real sandbox over a busybox rootfs (needs root).

#![allow(clippy::unwrap_used)]

mod common;

use common::{busybox_rootfs, host_mounts_under, run, sandbox};
use kiln_communicator_sandbox::{Network, SandboxConfig, Volume};
use kiln_core::communicator::Communicator;

#[test]
fn exit_codes_and_separate_streams() {
    let (dir, root) = busybox_rootfs();
    let comm = sandbox(SandboxConfig::new(&root));
    let (code, c) = run(&comm, "echo hello; echo oops >&2; exit 3");
    assert_eq!(code, 3);
    assert_eq!(c.out(), "hello\n");
    assert_eq!(c.err(), "oops\n");
    assert_eq!(run(&comm, "true").0, 0);
    assert_eq!(run(&comm, "sh -c 'kill -9 $$'; exit $?").0, 137);
    assert_eq!(run(&comm, "nonexistent-command").0, 127);
    assert!(host_mounts_under(dir.path()).is_empty());
}

#[test]
fn environment_workdir_and_user() {
    let (_dir, root) = busybox_rootfs();
    let mut config = SandboxConfig::new(&root);
    config.env = vec![("GREETING".into(), "hi there".into())];
    config.workdir = "/srv/app".into();
    config.user = Some("app".into());
    let comm = sandbox(config);
    let (code, c) = run(
        &comm,
        "echo \"$GREETING\"; pwd; id -u; id -g; id -G; echo $HOME; echo $PATH",
    );
    assert_eq!(code, 0, "{}", c.err());
    assert_eq!(
        c.out(),
        "hi there\n/srv/app\n1000\n1000\n1000 10\n/home/app\n\
         /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
    );
    assert!(
        root.join("srv/app").is_dir(),
        "the working directory is created"
    );
    assert!(comm.created_paths().iter().all(|p| !p.starts_with("/srv")));

    let mut config = SandboxConfig::new(&root);
    config.user = Some("4242:4343".into());
    let (_, c) = run(&sandbox(config), "id -u; id -g; echo $HOME");
    assert_eq!(c.out(), "4242\n4343\n/\n");

    let mut config = SandboxConfig::new(&root);
    config.user = Some("nobody".into());
    let mut out = common::Captured::default();
    let e = sandbox(config)
        .exec("true", &mut out, &Default::default())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "unable to find user nobody: no matching entries in passwd file"
    );
}

#[test]
fn the_command_is_pid_1_and_sees_only_its_namespace() {
    let (_dir, root) = busybox_rootfs();
    let comm = sandbox(SandboxConfig::new(&root));
    let (_, c) = run(
        &comm,
        "echo $$; sleep 30 & ps -o pid > /tmp/ps; tail -n +2 /tmp/ps",
    );
    let lines: Vec<String> = c
        .out()
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(lines[0], "1");
    // sh, sleep and ps: nothing of the host.
    let pids: Vec<&str> = lines[1..]
        .iter()
        .filter_map(|l| l.split(' ').next())
        .collect();
    assert_eq!(pids, ["1", "2", "3"], "{}", c.err());
}

#[test]
fn background_processes_do_not_outlive_the_command() {
    let (_dir, root) = busybox_rootfs();
    let comm = sandbox(SandboxConfig::new(&root));
    let started = std::time::Instant::now();
    let (code, _) = run(
        &comm,
        "sleep 1017 & sleep 1017 > /dev/null 2>&1 & echo started",
    );
    assert_eq!(code, 0);
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert!(common::processes_with("sleep 1017").is_empty());
}

#[test]
fn proc_dev_hostname_and_etc_files_are_supplied() {
    let (dir, root) = busybox_rootfs();
    std::fs::write(root.join("etc/resolv.conf"), "nameserver 192.0.2.1\n").unwrap();
    let mut config = SandboxConfig::new(&root);
    config.hostname = "builder".into();
    let comm = sandbox(config);
    let (code, c) = run(
        &comm,
        "test -r /proc/self/status && echo proc; \
         for d in null zero full random urandom tty; do test -c /dev/$d || echo missing $d; done; \
         echo x > /dev/null && head -c 4 /dev/zero | wc -c; \
         test -d /dev/pts && test -d /dev/shm && echo pts shm; \
         readlink /dev/fd; readlink /dev/ptmx; \
         hostname; grep builder /etc/hosts; cat /etc/resolv.conf",
    );
    assert_eq!(code, 0, "{}", c.err());
    let host_resolv = std::fs::read_to_string("/etc/resolv.conf").unwrap();
    assert_eq!(
        c.out(),
        format!(
            "proc\n4\npts shm\n/proc/self/fd\npts/ptmx\nbuilder\n127.0.1.1\tbuilder\n{host_resolv}"
        )
    );
    assert_eq!(
        std::fs::read_to_string(root.join("etc/resolv.conf")).unwrap(),
        "nameserver 192.0.2.1\n",
        "the rootfs's own file is untouched"
    );
    let hostname = rustix::system::uname();
    assert_ne!(hostname.nodename().to_str().unwrap(), "builder");
    assert!(host_mounts_under(dir.path()).is_empty());
}

#[test]
fn missing_mount_points_are_created_listed_and_removed() {
    let (_dir, root) = busybox_rootfs();
    let etc_mtime = std::fs::metadata(root.join("etc"))
        .unwrap()
        .modified()
        .unwrap();
    let comm = sandbox(SandboxConfig::new(&root));
    assert!(
        comm.created_paths().is_empty(),
        "nothing before the first command"
    );
    assert_eq!(run(&comm, "true").0, 0);
    assert_eq!(
        comm.created_paths(),
        ["/proc", "/dev", "/etc/hosts", "/etc/resolv.conf"]
    );
    assert_eq!(run(&comm, "true").0, 0);
    assert_eq!(comm.created_paths().len(), 4, "created once");
    comm.remove_created_paths().unwrap();
    assert!(comm.created_paths().is_empty());
    for p in ["proc", "dev", "etc/hosts", "etc/resolv.conf"] {
        assert!(!root.join(p).exists(), "{p} left behind");
    }
    assert_eq!(
        std::fs::metadata(root.join("etc"))
            .unwrap()
            .modified()
            .unwrap(),
        etc_mtime
    );
    drop(comm);
    let comm = sandbox(SandboxConfig::new(&root));
    run(&comm, "true");
    drop(comm);
    assert!(!root.join("proc").exists(), "removed on drop");
}

#[test]
fn network_none_has_only_loopback_up_and_host_shares_the_hosts() {
    let (_dir, root) = busybox_rootfs();
    let mut config = SandboxConfig::new(&root);
    config.network = Network::None;
    let (code, c) = run(&sandbox(config), "ip -o link | cut -d: -f2; ip -o link | grep -c UP; ping -c 1 -W 2 127.0.0.1 > /dev/null && echo ping");
    assert_eq!(code, 0, "{}", c.err());
    assert_eq!(c.out(), " lo\n1\nping\n");

    let (_, c) = run(&sandbox(SandboxConfig::new(&root)), "ip -o link | wc -l");
    let host_links = std::fs::read_dir("/sys/class/net").unwrap().count();
    assert_eq!(c.out().trim(), host_links.to_string());
}

#[test]
fn volumes_are_bound_read_write_or_read_only() {
    let (dir, root) = busybox_rootfs();
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::write(shared.join("in.txt"), "from host\n").unwrap();
    let mut config = SandboxConfig::new(&root);
    config.volumes = vec![
        format!("{}:/mnt/rw", shared.display())
            .parse::<Volume>()
            .unwrap(),
        format!("{}:/mnt/ro:ro", shared.display())
            .parse::<Volume>()
            .unwrap(),
    ];
    let comm = sandbox(config);
    let (code, c) = run(
        &comm,
        "cat /mnt/ro/in.txt; echo out > /mnt/rw/out.txt; echo no > /mnt/ro/no.txt || echo refused",
    );
    assert_eq!(code, 0, "{}", c.err());
    assert_eq!(c.out(), "from host\nrefused\n");
    assert_eq!(
        std::fs::read_to_string(shared.join("out.txt")).unwrap(),
        "out\n"
    );
    assert!(!shared.join("no.txt").exists());
    assert!(root.join("mnt/rw").is_dir());
    assert_eq!(std::fs::read_dir(root.join("mnt/rw")).unwrap().count(), 0);
    assert!(comm.created_paths().contains(&"/mnt/ro".to_owned()));
    assert!(host_mounts_under(dir.path()).is_empty());
}

#[test]
fn capabilities_are_dockers_unless_privileged() {
    let (_dir, root) = busybox_rootfs();
    let (_, c) = run(
        &sandbox(SandboxConfig::new(&root)),
        "grep CapBnd /proc/self/status",
    );
    assert_eq!(c.out(), "CapBnd:\t00000000a80425fb\n");
    let (_, c) = run(
        &sandbox(SandboxConfig::new(&root)),
        "mount -t tmpfs none /tmp 2>/dev/null && echo mounted || echo refused",
    );
    assert_eq!(c.out(), "refused\n");

    let mut config = SandboxConfig::new(&root);
    config.privileged = true;
    let (_, c) = run(
        &sandbox(config),
        "grep CapBnd /proc/self/status; mount -t tmpfs none /tmp && echo mounted",
    );
    let host = std::fs::read_to_string("/proc/self/status").unwrap();
    let host_bnd = host.lines().find(|l| l.starts_with("CapBnd")).unwrap();
    assert_eq!(c.out(), format!("{host_bnd}\nmounted\n"));
}

#[test]
fn a_failed_set_up_names_its_step() {
    let (dir, root) = busybox_rootfs();
    std::os::unix::fs::symlink("/nonexistent", root.join("dev")).unwrap();
    let mut out = common::Captured::default();
    let e = sandbox(SandboxConfig::new(&root))
        .exec("true", &mut out, &Default::default())
        .unwrap_err();
    assert!(
        e.to_string().contains("/dev") && e.to_string().contains("symbolic link"),
        "{e}"
    );
    assert!(!dir.path().join("nonexistent").exists());
    assert!(!std::path::Path::new("/nonexistent").exists());
}

#[test]
fn a_failure_between_fork_and_exec_is_reported_with_its_step() {
    let (_dir, root) = busybox_rootfs();
    let mut config = SandboxConfig::new(&root);
    config.hostname = "h".repeat(100);
    let mut out = common::Captured::default();
    let e = sandbox(config)
        .exec("true", &mut out, &Default::default())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "setting up the sandbox: set the hostname {}: Invalid argument (os error 22)",
            "h".repeat(100)
        )
    );
}
