//! A process that outlives kiln to kill its children's process groups when
//! kiln dies without saying goodbye (SIGKILL, OOM killer, a crash).
//!
//! `PR_SET_PDEATHSIG` reaches only a direct child, never what that child
//! started (a script's `sleep`), and a VM that `-on-error=abort` leaves
//! running must survive a normal exit, which a death signal would not
//! allow. So every child is the leader of its own process group and
//! announces it here between fork and exec; kiln withdraws groups it has
//! reaped, and says `bye` when it exits on purpose. The watchdog holds the
//! read end of a pipe whose only writers are kiln (and children that have
//! not yet exec'd: the descriptor is close-on-exec): end of file without
//! `bye` means kiln is gone, and it SIGKILLs every group still announced.
//!
//! Why a shell script: the watchdog must be a separate program (a forked
//! copy of a multi-threaded kiln could not safely run Rust code), `/bin/sh`
//! is always there, and the job is a loop over lines and `kill`.
//!
//! Why group leaders are checked at the end: a group kiln never withdrew
//! (a VM whose cleanup killed it) may be long gone and its number reused.
//! The leader's start time, recorded when the group was announced, tells a
//! reused number from the original; a leader that is gone while its group
//! is not cannot have been replaced (the kernel does not hand out a number
//! a process group still holds), so that group is still kiln's.

use rustix::fd::{AsFd, OwnedFd};
use rustix::fs::OFlags;
use rustix::pipe::PipeFlags;
use std::io;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The watchdog. Announcements are lines `+ PID`, withdrawals `- PID`;
/// `bye` makes it exit without killing anything. PIDs 0 and 1 are never
/// accepted (`kill -1` would reach every process).
const SCRIPT: &str = r#"
set -f
trap '' HUP INT QUIT TERM
watched=' '
start_of() {
  st=
  { read -r s < "/proc/$1/stat"; } 2>/dev/null || return 0
  set -- ${s##*") "}
  st=${20}
}
while read -r op pid; do
  [ "$op" = bye ] && exit 0
  case $pid in ''|*[!0-9]*|0|1) continue ;; esac
  case $op in
  +) start_of "$pid"; [ -n "$st" ] && watched="$watched$pid:$st " ;;
  -) while :; do
       case $watched in
       *" $pid:"*) rest=${watched#* $pid:}; watched="${watched%% $pid:*} ${rest#* }" ;;
       *) break ;;
       esac
     done ;;
  esac
done
for entry in $watched; do
  pid=${entry%%:*}
  start_of "$pid"
  if [ -z "$st" ] || [ "$st" = "${entry#*:}" ]; then
    kill -s KILL -- "-$pid" 2>/dev/null
  fi
done
"#;

/// A running watchdog: the write end of its pipe.
#[derive(Debug)]
pub struct Watchdog {
    pipe: OwnedFd,
}

impl Watchdog {
    /// Start one (the process-wide one is [`global`]).
    pub fn start() -> io::Result<Watchdog> {
        let (read, write) = rustix::pipe::pipe_with(PipeFlags::CLOEXEC)?;
        // Only kiln's end: a stuck watchdog must not block a spawn (the
        // read end stays blocking, or `read` would see EAGAIN as the end).
        rustix::fs::fcntl_setfl(&write, OFlags::NONBLOCK)?;
        let mut cmd = Command::new("/bin/sh");
        cmd.args(["-c", SCRIPT, "kiln-watchdog"])
            .stdin(Stdio::from(read))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .current_dir("/")
            // Not in kiln's group: a Ctrl-C or a CI runner killing kiln's
            // group must not take the watchdog with it.
            .process_group(0);
        // Never waited for: it exits when kiln does, or after.
        let _child = super::spawn_locked(&mut cmd)?;
        Ok(Watchdog { pipe: write })
    }

    pub fn fd(&self) -> rustix::fd::BorrowedFd<'_> {
        self.pipe.as_fd()
    }

    /// Stop watching the group of `pid` (reaped, or its group killed).
    pub fn withdraw(&self, pid: u32) {
        self.send(format!("- {pid}\n").as_bytes());
    }

    /// Announce the group of `pid` from kiln's side (children announce
    /// themselves).
    #[cfg(test)]
    pub fn announce(&self, pid: u32) {
        self.send(format!("+ {pid}\n").as_bytes());
    }

    /// kiln exits on purpose: what is still running was left on purpose.
    pub fn release(&self) {
        self.send(b"bye\n");
    }

    fn send(&self, line: &[u8]) {
        // Lines are shorter than PIPE_BUF, so writes from several threads
        // never interleave. A full pipe or a dead watchdog loses the line:
        // nothing better can be done about either.
        let _ = rustix::io::write(&self.pipe, line);
    }
}

static GLOBAL: OnceLock<Option<Watchdog>> = OnceLock::new();

/// The process-wide watchdog, started on first use; `None` when it could
/// not start (children then rely on their death signal alone).
pub fn global() -> Option<&'static Watchdog> {
    GLOBAL
        .get_or_init(|| match Watchdog::start() {
            Ok(w) => Some(w),
            Err(e) => {
                tracing::warn!(error = %e, "cannot start the watchdog for child processes");
                None
            }
        })
        .as_ref()
}

/// The process-wide watchdog if it was started.
pub fn started() -> Option<&'static Watchdog> {
    GLOBAL.get().and_then(Option::as_ref)
}

/// The line a child writes to announce itself, built without allocating
/// (it runs between fork and exec): `+ PID\n` in `buf`.
pub fn announcement(pid: u32, buf: &mut [u8; 16]) -> &[u8] {
    let mut digits = [0u8; 10];
    let mut n = pid;
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 || len == digits.len() {
            break;
        }
    }
    buf[0] = b'+';
    buf[1] = b' ';
    for i in 0..len {
        buf[2 + i] = digits[len - 1 - i];
    }
    buf[2 + len] = b'\n';
    &buf[..3 + len]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::time::{Duration, Instant};

    #[test]
    fn announcements_are_decimal_lines() {
        let mut buf = [0u8; 16];
        assert_eq!(announcement(0, &mut buf), b"+ 0\n");
        assert_eq!(announcement(4_194_304, &mut buf), b"+ 4194304\n");
        assert_eq!(announcement(u32::MAX, &mut buf), b"+ 4294967295\n");
    }

    /// A group leader `sh` with a `sleep` in the background; returns the
    /// leader and the sleep's PID.
    fn group(dir: &Path) -> (std::process::Child, String) {
        let pidfile = dir.join("pid");
        let script = format!("sleep 300 & echo $! > {}; wait", pidfile.display());
        let mut child = Command::new("sh")
            .args(["-c", &script])
            .process_group(0)
            .spawn()
            .expect("sh");
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(pid) = std::fs::read_to_string(&pidfile) {
                if pid.ends_with('\n') {
                    return (child, pid.trim().to_owned());
                }
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the group's sleep never started");
    }

    fn running(pid: &str) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| !s.contains(") Z "))
            .unwrap_or(false)
    }

    fn dies_within(pid: &str, limit: Duration) -> bool {
        let start = Instant::now();
        while running(pid) {
            if start.elapsed() > limit {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        true
    }

    /// Give the watchdog time to read an announcement before its end.
    fn settle() {
        std::thread::sleep(Duration::from_millis(300));
    }

    #[test]
    fn the_end_of_the_pipe_kills_announced_groups() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut leader, sleep) = group(dir.path());
        let w = Watchdog::start().expect("watchdog");
        w.announce(leader.id());
        settle();
        drop(w);
        assert!(
            dies_within(&sleep, Duration::from_secs(5)),
            "sleep survived"
        );
        let _ = leader.wait();
    }

    #[test]
    fn withdrawn_groups_and_a_goodbye_are_left_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = tempfile::tempdir().expect("tempdir");
        let (mut withdrawn, sleep_w) = group(dir.path());
        let (mut released, sleep_r) = group(a.path());
        let w = Watchdog::start().expect("watchdog");
        w.announce(withdrawn.id());
        w.withdraw(withdrawn.id());
        drop(w);
        let w = Watchdog::start().expect("watchdog");
        w.announce(released.id());
        w.release();
        settle();
        drop(w);
        assert!(!dies_within(&sleep_w, Duration::from_secs(1)));
        assert!(!dies_within(&sleep_r, Duration::from_millis(100)));
        for (leader, sleep) in [(&mut withdrawn, &sleep_w), (&mut released, &sleep_r)] {
            let pgid = rustix::process::Pid::from_raw(leader.id() as i32).expect("pid");
            let _ = rustix::process::kill_process_group(pgid, rustix::process::Signal::KILL);
            let _ = leader.wait();
            assert!(dies_within(sleep, Duration::from_secs(5)));
        }
    }
}
