//! What the sandbox looks like from inside, as the [`Op`]s that build it:
//! namespaces, private mounts, the rootfs bind-mounted onto itself, /proc,
//! a minimal /dev, /etc/hosts and /etc/resolv.conf, volumes, hostname,
//! `pivot_root`, capabilities, working directory and user.

use crate::config::Network;
use crate::plan::Op;
use crate::syscall::{MountFlags, UnshareFlags};
use rustix::fs::{Gid, Uid};
use std::ffi::CString;

/// Everything the set-up needs, already checked and converted.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Absolute host path of the rootfs.
    pub rootfs: CString,
    pub network: Network,
    pub hostname: CString,
    pub privileged: bool,
    /// Which of [`DEVICES`] the host has (a container running kiln may
    /// lack some), bound into the sandbox's /dev.
    pub devices: Vec<&'static str>,
    /// Host paths of the generated files bind-mounted on /etc/hosts and
    /// /etc/resolv.conf.
    pub hosts_file: CString,
    pub resolv_file: CString,
    /// Whether the rootfs has a /sys to mount sysfs on (it is not created).
    pub mount_sys: bool,
    pub volumes: Vec<VolumeMount>,
    /// Absolute, inside the sandbox.
    pub workdir: CString,
    pub uid: Uid,
    pub gid: Gid,
    pub groups: Vec<Gid>,
    /// The highest capability number the kernel knows
    /// (/proc/sys/kernel/cap_last_cap).
    pub last_cap: u32,
    /// Not running as root: the caller's uid and gid, which become root of
    /// a new user namespace (the only ids mapped in it).
    pub user_namespace: Option<(Uid, Gid)>,
}

#[derive(Debug, Clone)]
pub struct VolumeMount {
    pub source: CString,
    /// Relative to the rootfs.
    pub target: CString,
    pub read_only: bool,
}

/// Docker's default capability set (moby's `oci/caps/defaults.go`): what a
/// non-privileged sandbox keeps in its bounding set.
pub const DEFAULT_CAPABILITIES: [u32; 14] = [
    0,  // CHOWN
    1,  // DAC_OVERRIDE
    3,  // FOWNER
    4,  // FSETID
    5,  // KILL
    6,  // SETGID
    7,  // SETUID
    8,  // SETPCAP
    10, // NET_BIND_SERVICE
    13, // NET_RAW
    18, // SYS_CHROOT
    27, // MKNOD
    29, // AUDIT_WRITE
    31, // SETFCAP
];

/// Host device nodes bind-mounted into the sandbox's /dev (bind mounts
/// rather than `mknod`, which a user namespace would refuse).
pub const DEVICES: [&str; 6] = ["null", "zero", "full", "random", "urandom", "tty"];

fn c(s: &str) -> CString {
    // Only called on the literals below, which have no NUL.
    CString::new(s).unwrap_or_default()
}

/// Whether the spawning thread creates the PID namespace: as root it does,
/// so that the forked child is PID 1 of it. Without root, the thread cannot
/// (only a user namespace grants the right, and a thread cannot enter
/// one): the child unshares it and forks once more instead.
pub fn pid_namespace_from_thread(l: &Layout) -> bool {
    l.user_namespace.is_none()
}

/// The namespaces the child unshares (besides the user namespace).
pub fn child_namespaces(network: Network) -> UnshareFlags {
    let mut flags = UnshareFlags::NEWNS | UnshareFlags::NEWUTS | UnshareFlags::NEWIPC;
    if network == Network::None {
        flags |= UnshareFlags::NEWNET;
    }
    flags
}

pub fn ops(l: &Layout) -> Vec<Op> {
    let mut ops = Vec::new();
    match l.user_namespace {
        None => ops.push(Op::Unshare(child_namespaces(l.network))),
        Some((uid, gid)) => {
            ops.push(Op::Unshare(UnshareFlags::NEWUSER));
            ops.push(Op::WriteIdMaps {
                uid_map: c(&format!("0 {} 1\n", uid.as_raw())),
                gid_map: c(&format!("0 {} 1\n", gid.as_raw())),
            });
            ops.push(Op::Unshare(
                child_namespaces(l.network) | UnshareFlags::NEWPID,
            ));
            ops.push(Op::ForkIntoPidNamespace);
        }
    }
    if l.network == Network::None {
        ops.push(Op::LoopbackUp);
    }
    ops.push(Op::MakeMountsPrivate);
    ops.push(Op::BindOntoItself(l.rootfs.clone()));
    ops.push(Op::OpenRoot(l.rootfs.clone()));
    ops.push(Op::Mount {
        fstype: c("proc"),
        target: c("proc"),
        flags: MountFlags::NOSUID | MountFlags::NODEV | MountFlags::NOEXEC,
        data: c(""),
    });
    // sysfs needs the network namespace's owner: in a user namespace
    // sharing the host's network, there is none to mount.
    if l.mount_sys && !(l.user_namespace.is_some() && l.network == Network::Host) {
        let mut flags = MountFlags::NOSUID | MountFlags::NODEV | MountFlags::NOEXEC;
        if !l.privileged {
            flags |= MountFlags::RDONLY;
        }
        ops.push(Op::Mount {
            fstype: c("sysfs"),
            target: c("sys"),
            flags,
            data: c(""),
        });
    }
    if l.privileged {
        ops.push(Op::Bind {
            source: c("/dev"),
            target: c("dev"),
            recursive: true,
        });
    } else {
        dev(&mut ops, &l.devices);
    }
    ops.push(Op::Bind {
        source: l.hosts_file.clone(),
        target: c("etc/hosts"),
        recursive: false,
    });
    ops.push(Op::Bind {
        source: l.resolv_file.clone(),
        target: c("etc/resolv.conf"),
        recursive: false,
    });
    for v in &l.volumes {
        ops.push(Op::Bind {
            source: v.source.clone(),
            target: v.target.clone(),
            recursive: true,
        });
        if v.read_only {
            ops.push(Op::RemountReadOnly(v.target.clone()));
        }
    }
    ops.push(Op::SetHostname(l.hostname.clone()));
    ops.push(Op::PivotRoot);
    if !l.privileged {
        for cap in (0..=l.last_cap).filter(|c| !DEFAULT_CAPABILITIES.contains(c)) {
            ops.push(Op::DropCapability(cap));
        }
    }
    ops.push(Op::Chdir(l.workdir.clone()));
    // In a user namespace root is the only user there is (and setgroups
    // is denied): the process already is it.
    if l.user_namespace.is_none() {
        ops.push(Op::SetUser {
            uid: l.uid,
            gid: l.gid,
            groups: l.groups.clone(),
        });
    }
    ops
}

/// A tmpfs /dev with the usual nodes, a private devpts, /dev/shm and the
/// fd links, as runc sets it up; nothing of it reaches the rootfs.
fn dev(ops: &mut Vec<Op>, devices: &[&str]) {
    ops.push(Op::Mount {
        fstype: c("tmpfs"),
        target: c("dev"),
        flags: MountFlags::NOSUID | MountFlags::STRICTATIME,
        data: c("mode=755,size=65536k"),
    });
    for &name in devices {
        ops.push(Op::MakeFile {
            parent: c("dev"),
            name: c(name),
        });
        ops.push(Op::Bind {
            source: c(&format!("/dev/{name}")),
            target: c(&format!("dev/{name}")),
            recursive: false,
        });
    }
    ops.push(Op::MakeDir {
        parent: c("dev"),
        name: c("pts"),
        mode: 0o755,
    });
    ops.push(Op::Mount {
        fstype: c("devpts"),
        target: c("dev/pts"),
        flags: MountFlags::NOSUID | MountFlags::NOEXEC,
        data: c("newinstance,ptmxmode=0666,mode=0620"),
    });
    ops.push(Op::Symlink {
        parent: c("dev"),
        name: c("ptmx"),
        target: c("pts/ptmx"),
    });
    ops.push(Op::MakeDir {
        parent: c("dev"),
        name: c("shm"),
        mode: 0o1777,
    });
    ops.push(Op::Mount {
        fstype: c("tmpfs"),
        target: c("dev/shm"),
        flags: MountFlags::NOSUID | MountFlags::NODEV | MountFlags::NOEXEC,
        data: c("mode=1777,size=65536k"),
    });
    for (name, target) in [
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ] {
        ops.push(Op::Symlink {
            parent: c("dev"),
            name: c(name),
            target: c(target),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::replay;
    use crate::syscall::RecordingSyscall;

    fn layout() -> Layout {
        Layout {
            rootfs: c("/var/tmp/root"),
            network: Network::Host,
            hostname: c("box"),
            privileged: false,
            devices: DEVICES.to_vec(),
            hosts_file: c("/tmp/k/hosts"),
            resolv_file: c("/tmp/k/resolv.conf"),
            mount_sys: false,
            volumes: vec![VolumeMount {
                source: c("/srv/data"),
                target: c("data"),
                read_only: true,
            }],
            workdir: c("/work"),
            uid: Uid::from_raw(1000),
            gid: Gid::from_raw(100),
            groups: vec![Gid::from_raw(100), Gid::from_raw(27)],
            last_cap: 40,
            user_namespace: None,
        }
    }

    fn calls(l: &Layout) -> Vec<String> {
        let mut sys = RecordingSyscall::new();
        replay(&mut sys, &ops(l)).unwrap();
        sys.calls
    }

    fn position(calls: &[String], prefix: &str) -> usize {
        calls
            .iter()
            .position(|c| c.starts_with(prefix))
            .unwrap_or_else(|| panic!("no call {prefix:?} in {calls:#?}"))
    }

    #[test]
    fn the_host_is_shielded_before_anything_is_mounted() {
        let calls = calls(&layout());
        assert_eq!(calls[0], "unshare UnshareFlags(NEWIPC | NEWNS | NEWUTS)");
        assert_eq!(calls[1], "make mounts private");
        assert_eq!(calls[2], "bind onto itself /var/tmp/root");
        assert_eq!(calls[3], "open root /var/tmp/root");
    }

    #[test]
    fn everything_is_mounted_before_pivot_root_and_the_user_comes_last() {
        let calls = calls(&layout());
        let pivot = position(&calls, "pivot_root");
        for mount in [
            "mount proc proc",
            "mount tmpfs dev",
            "bind /dev/null dev/null",
            "mount devpts dev/pts",
            "bind /tmp/k/hosts etc/hosts",
            "bind /tmp/k/resolv.conf etc/resolv.conf",
            "rbind /srv/data data",
            "remount ro data",
            "sethostname box",
        ] {
            assert!(position(&calls, mount) < pivot, "{mount} after pivot_root");
        }
        assert!(position(&calls, "mkfile dev/null") < position(&calls, "bind /dev/null"));
        assert!(position(&calls, "drop capability 2") > pivot);
        assert_eq!(
            calls[calls.len() - 2..],
            ["chdir /work", "set user 1000:100 groups [100,27]"]
        );
    }

    #[test]
    fn unprivileged_keeps_dockers_capabilities_only() {
        let calls = calls(&layout());
        let dropped: Vec<u32> = calls
            .iter()
            .filter_map(|c| c.strip_prefix("drop capability "))
            .map(|n| n.parse().unwrap())
            .collect();
        assert_eq!(dropped.len(), 41 - DEFAULT_CAPABILITIES.len());
        assert!(dropped.contains(&21), "CAP_SYS_ADMIN kept");
        assert!(!dropped.contains(&0), "CAP_CHOWN dropped");
    }

    #[test]
    fn privileged_keeps_capabilities_and_gets_the_hosts_dev() {
        let mut l = layout();
        l.privileged = true;
        l.mount_sys = true;
        let calls = calls(&l);
        assert!(calls.iter().all(|c| !c.starts_with("drop capability")));
        assert!(calls.contains(&"rbind /dev dev".to_owned()));
        assert!(calls.iter().all(|c| !c.starts_with("mount tmpfs dev ")));
        assert!(calls
            .iter()
            .any(|c| c.starts_with("mount sysfs sys") && !c.contains("RDONLY")));
    }

    #[test]
    fn network_none_unshares_the_network_and_brings_lo_up() {
        let mut l = layout();
        l.network = Network::None;
        let calls = calls(&l);
        assert_eq!(
            calls[0],
            "unshare UnshareFlags(NEWIPC | NEWNET | NEWNS | NEWUTS)"
        );
        assert_eq!(calls[1], "loopback up");
    }

    #[test]
    fn without_root_a_user_namespace_comes_first_and_the_child_forks() {
        let mut l = layout();
        l.user_namespace = Some((Uid::from_raw(1000), Gid::from_raw(1000)));
        l.uid = Uid::ROOT;
        l.gid = Gid::ROOT;
        l.mount_sys = true;
        assert!(!pid_namespace_from_thread(&l));
        let calls = calls(&l);
        assert_eq!(
            calls[..5],
            [
                "unshare UnshareFlags(NEWUSER)",
                "id maps uid \"0 1000 1\" gid \"0 1000 1\"",
                "unshare UnshareFlags(NEWIPC | NEWNS | NEWPID | NEWUTS)",
                "fork into the PID namespace",
                "make mounts private",
            ]
        );
        assert!(calls.iter().all(|c| !c.starts_with("set user")));
        assert!(calls.iter().all(|c| !c.starts_with("mount sysfs")));
        assert_eq!(calls.last().unwrap(), "chdir /work");
    }

    #[test]
    fn a_failure_names_the_step_and_stops_there() {
        let mut sys = RecordingSyscall::failing_on("mount devpts");
        let ops = ops(&layout());
        let (i, errno) = replay(&mut sys, &ops).unwrap_err();
        assert_eq!(errno, crate::syscall::Errno::PERM);
        assert_eq!(ops[i].to_string(), "mount devpts on /dev/pts");
        assert_eq!(sys.calls.len(), i + 1, "nothing ran after the failure");
    }
}
