//! What the adapter asks the machine with small shell commands, for the
//! file operations a communicator has no call for (stat, listing,
//! mkdir…). POSIX `sh` and the `stat -c` of GNU coreutils or busybox.

use crate::shell::quote;
use kiln_core::{Cancel, CommError, Communicator, Output};

#[derive(Default)]
struct Capture {
    out: Vec<u8>,
    err: Vec<u8>,
}

impl Output for Capture {
    fn stdout(&mut self, chunk: &[u8]) {
        self.out.extend_from_slice(chunk);
    }
    fn stderr(&mut self, chunk: &[u8]) {
        self.err.extend_from_slice(chunk);
    }
}

/// The exit status, stdout and stderr of `command`.
pub(crate) struct Ran {
    pub code: i32,
    pub out: String,
    pub err: String,
}

impl Ran {
    /// stderr's last line, or a generic message: what an error reply says.
    pub fn message(&self) -> String {
        self.err
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .unwrap_or_else(|| format!("exit status {}", self.code))
    }
}

pub(crate) fn run(
    comm: &dyn Communicator,
    command: &str,
    cancel: &Cancel,
) -> Result<Ran, CommError> {
    let mut c = Capture::default();
    let code = comm.exec(command, &mut c, cancel)?;
    Ok(Ran {
        code,
        out: String::from_utf8_lossy(&c.out).into_owned(),
        err: String::from_utf8_lossy(&c.err).into_owned(),
    })
}

/// A file's attributes, from `stat -c '%f %s %u %g %X %Y'`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Stat {
    /// `st_mode`: type and permission bits.
    pub mode: u32,
    pub size: u64,
    pub uid: u32,
    pub gid: u32,
    pub atime: u32,
    pub mtime: u32,
}

pub(crate) const S_IFMT: u32 = 0o170_000;
pub(crate) const S_IFDIR: u32 = 0o040_000;
pub(crate) const S_IFREG: u32 = 0o100_000;

impl Stat {
    pub fn is_dir(&self) -> bool {
        self.mode & S_IFMT == S_IFDIR
    }
    pub fn permissions(&self) -> u32 {
        self.mode & 0o7777
    }

    /// One line of [`STAT_FORMAT`]; the rest of the line (a name, when
    /// listing) is returned too.
    fn parse(line: &str) -> Option<(Stat, &str)> {
        let mut parts = line.splitn(7, ' ');
        let mode = u32::from_str_radix(parts.next()?, 16).ok()?;
        let size = parts.next()?.parse().ok()?;
        let uid = parts.next()?.parse().ok()?;
        let gid = parts.next()?.parse().ok()?;
        // Times past 2106 or before 1970 do not fit SFTP v3's u32.
        let time = |s: &str| s.parse::<i64>().ok().map(|t| u32::try_from(t).unwrap_or(0));
        let atime = time(parts.next()?)?;
        let mtime = time(parts.next()?)?;
        let rest = parts.next().unwrap_or_default();
        Some((
            Stat {
                mode,
                size,
                uid,
                gid,
                atime,
                mtime,
            },
            rest,
        ))
    }
}

const STAT_FORMAT: &str = "'%f %s %u %g %X %Y %n'";

/// `path`'s attributes (of the link's target with `follow`); `Ok(None)`
/// when it does not exist or cannot be read.
pub(crate) fn stat(
    comm: &dyn Communicator,
    path: &str,
    follow: bool,
    cancel: &Cancel,
) -> Result<Option<Stat>, CommError> {
    let flag = if follow { "-L " } else { "" };
    let ran = run(
        comm,
        &format!("stat {flag}-c {STAT_FORMAT} -- {}", quote(path)),
        cancel,
    )?;
    if ran.code != 0 {
        return Ok(None);
    }
    Ok(ran.out.lines().next().and_then(Stat::parse).map(|(s, _)| s))
}

/// The entries of the directory `path` (with `.` and `..`), their
/// attributes not following links; `Err(message)` when it cannot be
/// listed.
pub(crate) fn list(
    comm: &dyn Communicator,
    path: &str,
    cancel: &Cancel,
) -> Result<Result<Vec<(String, Stat)>, String>, CommError> {
    let ran = run(
        comm,
        &format!(
            "cd -- {} && for f in .* *; do if [ -e \"$f\" ] || [ -L \"$f\" ]; then stat -c {STAT_FORMAT} -- \"$f\"; fi; done",
            quote(path)
        ),
        cancel,
    )?;
    if ran.code != 0 {
        return Ok(Err(ran.message()));
    }
    Ok(Ok(ran
        .out
        .lines()
        .filter_map(Stat::parse)
        .map(|(s, name)| (name.to_owned(), s))
        .collect()))
}

/// `path` made absolute and free of `.`, `..` and links, the way
/// `realpath` answers; a missing last component is kept as it is.
/// Relative paths start where the machine's commands start (the login
/// user's home over SSH, the working directory in a container).
pub(crate) fn realpath(
    comm: &dyn Communicator,
    path: &str,
    cancel: &Cancel,
) -> Result<Result<String, String>, CommError> {
    let path = if path.is_empty() { "." } else { path };
    let script = format!(
        "p={}; if [ -d \"$p\" ]; then cd -- \"$p\" && pwd -P; else d=$(dirname -- \"$p\"); b=$(basename -- \"$p\"); cd -- \"$d\" && r=$(pwd -P) && if [ \"$r\" = / ]; then printf '/%s\\n' \"$b\"; else printf '%s/%s\\n' \"$r\" \"$b\"; fi; fi",
        quote(path)
    );
    let ran = run(comm, &script, cancel)?;
    match ran.out.lines().next() {
        Some(line) if ran.code == 0 && !line.is_empty() => Ok(Ok(line.to_owned())),
        _ => Ok(Err(ran.message())),
    }
}

/// Run `command`; `Ok(Err(message))` when it fails.
pub(crate) fn check(
    comm: &dyn Communicator,
    command: &str,
    cancel: &Cancel,
) -> Result<Result<(), String>, CommError> {
    let ran = run(comm, command, cancel)?;
    Ok(if ran.code == 0 {
        Ok(())
    } else {
        Err(ran.message())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_parse_with_names_that_have_spaces() {
        let (s, name) = Stat::parse("81a4 12 0 0 1700000000 1700000001 a b.txt").unwrap();
        assert_eq!(s.mode & S_IFMT, S_IFREG);
        assert_eq!(s.permissions(), 0o644);
        assert_eq!(
            (s.size, s.atime, s.mtime),
            (12, 1_700_000_000, 1_700_000_001)
        );
        assert_eq!(name, "a b.txt");
        let (d, _) = Stat::parse("41ed 4096 1000 1000 0 0 .").unwrap();
        assert!(d.is_dir());
        assert_eq!(Stat::parse("nothex 1 2 3 4 5"), None);
    }
}
