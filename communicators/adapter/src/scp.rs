//! OpenSSH's legacy SCP protocol (what `scp -O` and older clients speak),
//! served by the adapter itself: `scp -t` receives files into the machine
//! through uploads, `scp -f` sends them out through downloads. The
//! machine needs no `scp` of its own. Protocol: the `C`/`D`/`E`/`T`
//! records of OpenSSH's `scp.c`, each acknowledged with one byte (0 ok,
//! 1 warning, 2 error, the latter two followed by a message line).

use crate::pipe::{Input, ToClient};
use crate::remote::{self, Stat};
use crate::shell::quote;
use kiln_core::communicator::FileMode;
use kiln_core::{Cancel, Communicator};
use std::io::{self, BufRead, BufReader, Read, Seek, Write};
use std::path::Path;

/// A parsed `scp -t|-f [-r] [-p] [-d] [--] PATH…` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    sink: bool,
    recursive: bool,
    preserve: bool,
    target_is_dir: bool,
    paths: Vec<String>,
}

impl Request {
    /// `None` when `command` is not an scp server invocation.
    pub fn parse(command: &str) -> Option<Request> {
        let words = shlex::split(command)?;
        let (first, rest) = words.split_first()?;
        if first != "scp" && !first.ends_with("/scp") {
            return None;
        }
        let mut req = Request {
            sink: false,
            recursive: false,
            preserve: false,
            target_is_dir: false,
            paths: Vec::new(),
        };
        let (mut to, mut from) = (false, false);
        let mut options = true;
        for w in rest {
            if options && w == "--" {
                options = false;
            } else if options && w.len() > 1 && w.starts_with('-') {
                for flag in w.chars().skip(1) {
                    match flag {
                        't' => to = true,
                        'f' => from = true,
                        'r' => req.recursive = true,
                        'p' => req.preserve = true,
                        'd' => req.target_is_dir = true,
                        // Verbosity and the like change nothing here.
                        'v' | 'q' | 'E' => {}
                        _ => return None,
                    }
                }
            } else {
                options = false;
                req.paths.push(w.clone());
            }
        }
        if to == from || req.paths.is_empty() || (to && req.paths.len() != 1) {
            return None;
        }
        req.sink = to;
        Some(req)
    }

    pub fn serve(
        &self,
        comm: &dyn Communicator,
        input: Input,
        out: &mut ToClient,
        cancel: &Cancel,
    ) -> i32 {
        let mut input = BufReader::new(input);
        let result = if self.sink {
            self.sink(comm, &mut input, out, cancel)
        } else {
            self.source(comm, &mut input, out, cancel)
        };
        match result {
            Ok(code) => code,
            Err(message) => {
                // A fatal error record ends the transfer on the client's side.
                let _ = out.write_all(format!("\x02scp: {message}\n").as_bytes());
                1
            }
        }
    }

    /// Receive files: `C` records become uploads, `D`/`E` directories.
    fn sink(
        &self,
        comm: &dyn Communicator,
        input: &mut impl BufRead,
        out: &mut ToClient,
        cancel: &Cancel,
    ) -> Result<i32, String> {
        let target = self.paths.first().map(String::as_str).unwrap_or(".");
        let target_is_dir = self.target_is_dir
            || remote::stat(comm, target, true, cancel)
                .map_err(|e| e.to_string())?
                .is_some_and(|s| s.is_dir());
        let mut dirs: Vec<String> = Vec::new();
        // Where a record named `name` goes.
        let place = |dirs: &[String], name: &str| match dirs.last() {
            Some(dir) => join(dir, name),
            None if target_is_dir => join(target, name),
            None => target.to_owned(),
        };
        ack(out)?;
        loop {
            let mut kind = [0u8; 1];
            match input.read(&mut kind) {
                Ok(0) => return Ok(0),
                Ok(_) => {}
                Err(e) => return Err(e.to_string()),
            }
            let line = read_line(input)?;
            match kind[0] {
                b'C' => {
                    let (mode, size, name) = parse_record(&line)?;
                    let dst = place(&dirs, &name);
                    ack(out)?;
                    let mut file = tempfile::tempfile().map_err(|e| e.to_string())?;
                    let copied = io::copy(&mut input.by_ref().take(size), &mut file)
                        .map_err(|e| e.to_string())?;
                    if copied != size {
                        return Err("connection closed in the middle of a file".into());
                    }
                    check_status(input)?;
                    file.rewind().map_err(|e| e.to_string())?;
                    comm.upload(&dst, &mut file, FileMode(Some(mode)))
                        .map_err(|e| format!("{dst}: {e}"))?;
                    ack(out)?;
                }
                b'D' => {
                    let (mode, _, name) = parse_record(&line)?;
                    let dir = place(&dirs, &name);
                    remote::check(
                        comm,
                        &format!("mkdir -p -- {0} && chmod {mode:o} -- {0}", quote(&dir)),
                        cancel,
                    )
                    .map_err(|e| e.to_string())?
                    .map_err(|m| format!("{dir}: {m}"))?;
                    dirs.push(dir);
                    ack(out)?;
                }
                b'E' => {
                    dirs.pop();
                    ack(out)?;
                }
                // Times (`-p`): the upload already set the mode; kiln's
                // communicators keep no times on upload, so they are
                // acknowledged and not applied.
                b'T' => ack(out)?,
                1 => {}
                2 => return Ok(1),
                _ => return Err(format!("protocol error: unexpected record {line:?}")),
            }
        }
    }

    /// Send files: each path downloaded and written as records.
    fn source(
        &self,
        comm: &dyn Communicator,
        input: &mut impl BufRead,
        out: &mut ToClient,
        cancel: &Cancel,
    ) -> Result<i32, String> {
        check_status(input)?;
        let mut code = 0;
        for path in &self.paths {
            let Some(stat) = remote::stat(comm, path, true, cancel).map_err(|e| e.to_string())?
            else {
                warn(out, &format!("{path}: No such file or directory"))?;
                code = 1;
                continue;
            };
            if stat.is_dir() {
                if !self.recursive {
                    warn(out, &format!("{path}: not a regular file"))?;
                    code = 1;
                    continue;
                }
                let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
                comm.download_dir(path, tmp.path())
                    .map_err(|e| format!("{path}: {e}"))?;
                let local = tmp.path().join(base_name(path));
                self.send_dir(&local, &stat, input, out)?;
            } else {
                let mut file = tempfile::tempfile().map_err(|e| e.to_string())?;
                comm.download(path, &mut file)
                    .map_err(|e| format!("{path}: {e}"))?;
                file.rewind().map_err(|e| e.to_string())?;
                self.send_file(&mut file, base_name(path), &stat, input, out)?;
            }
        }
        Ok(code)
    }

    fn send_file(
        &self,
        file: &mut std::fs::File,
        name: &str,
        stat: &Stat,
        input: &mut impl BufRead,
        out: &mut ToClient,
    ) -> Result<(), String> {
        let size = file.metadata().map_err(|e| e.to_string())?.len();
        self.send_times(stat, input, out)?;
        record(
            out,
            &format!("C{:04o} {size} {name}\n", stat.permissions()),
            input,
        )?;
        io::copy(file, out).map_err(|e| e.to_string())?;
        out.write_all(&[0]).map_err(|e| e.to_string())?;
        check_status(input)
    }

    fn send_dir(
        &self,
        local: &Path,
        stat: &Stat,
        input: &mut impl BufRead,
        out: &mut ToClient,
    ) -> Result<(), String> {
        let name = local
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| ".".into());
        self.send_times(stat, input, out)?;
        record(
            out,
            &format!("D{:04o} 0 {name}\n", stat.permissions()),
            input,
        )?;
        let mut entries: Vec<_> = std::fs::read_dir(local)
            .map_err(|e| e.to_string())?
            .filter_map(Result::ok)
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let meta = entry.metadata().map_err(|e| e.to_string())?;
            let entry_stat = local_stat(&meta);
            if meta.is_dir() {
                self.send_dir(&entry.path(), &entry_stat, input, out)?;
            } else if meta.is_file() {
                let mut f = std::fs::File::open(entry.path()).map_err(|e| e.to_string())?;
                let name = entry.file_name().to_string_lossy().into_owned();
                self.send_file(&mut f, &name, &entry_stat, input, out)?;
            }
        }
        record(out, "E\n", input)
    }

    fn send_times(
        &self,
        stat: &Stat,
        input: &mut impl BufRead,
        out: &mut ToClient,
    ) -> Result<(), String> {
        if self.preserve {
            record(out, &format!("T{} 0 {} 0\n", stat.mtime, stat.atime), input)?;
        }
        Ok(())
    }
}

fn local_stat(meta: &std::fs::Metadata) -> Stat {
    use std::os::unix::fs::MetadataExt;
    let time = |t: i64| u32::try_from(t).unwrap_or(0);
    Stat {
        mode: meta.mode(),
        size: meta.size(),
        uid: meta.uid(),
        gid: meta.gid(),
        atime: time(meta.atime()),
        mtime: time(meta.mtime()),
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

fn base_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    trimmed
        .rsplit('/')
        .next()
        .filter(|n| !n.is_empty())
        .unwrap_or("/")
}

fn ack(out: &mut ToClient) -> Result<(), String> {
    out.write_all(&[0]).map_err(|e| e.to_string())
}

fn warn(out: &mut ToClient, message: &str) -> Result<(), String> {
    out.write_all(format!("\x01scp: {message}\n").as_bytes())
        .map_err(|e| e.to_string())
}

/// Write a record and wait for its acknowledgement.
fn record(out: &mut ToClient, line: &str, input: &mut impl BufRead) -> Result<(), String> {
    out.write_all(line.as_bytes()).map_err(|e| e.to_string())?;
    check_status(input)
}

/// The client's one-byte answer; a warning or error carries its message.
fn check_status(input: &mut impl BufRead) -> Result<(), String> {
    let mut b = [0u8; 1];
    input
        .read_exact(&mut b)
        .map_err(|_| "the client closed the connection".to_owned())?;
    match b[0] {
        0 => Ok(()),
        _ => Err(read_line(input)?),
    }
}

fn read_line(input: &mut impl BufRead) -> Result<String, String> {
    let mut line = Vec::new();
    input
        .read_until(b'\n', &mut line)
        .map_err(|e| e.to_string())?;
    if line.last() == Some(&b'\n') {
        line.pop();
    }
    Ok(String::from_utf8_lossy(&line).into_owned())
}

/// `MODE SIZE NAME` of a `C` or `D` record; the name must be one path
/// component (OpenSSH's own check against a malicious peer).
fn parse_record(line: &str) -> Result<(u32, u64, String), String> {
    let bad = || format!("protocol error: bad record {line:?}");
    let mut parts = line.splitn(3, ' ');
    let mode = u32::from_str_radix(parts.next().ok_or_else(bad)?, 8).map_err(|_| bad())?;
    let size = parts.next().ok_or_else(bad)?.parse().map_err(|_| bad())?;
    let name = parts.next().ok_or_else(bad)?;
    if name.is_empty() || name == "." || name == ".." || name.contains('/') {
        return Err(format!("protocol error: unexpected file name {name:?}"));
    }
    Ok((mode & 0o7777, size, name.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scp_server_commands_parse() {
        let r = Request::parse("scp -t /tmp/x").unwrap();
        assert!(r.sink && !r.recursive);
        assert_eq!(r.paths, ["/tmp/x"]);
        let r = Request::parse("scp -r -p -f -- '/a b' /c").unwrap();
        assert!(!r.sink && r.recursive && r.preserve);
        assert_eq!(r.paths, ["/a b", "/c"]);
        let r = Request::parse("/usr/bin/scp -v -d -t dir").unwrap();
        assert!(r.target_is_dir);
        assert_eq!(Request::parse("scp /a /b"), None);
        assert_eq!(Request::parse("scp -t"), None);
        assert_eq!(Request::parse("scp -t a b"), None);
        assert_eq!(Request::parse("scpx -t a"), None);
        assert_eq!(Request::parse("echo scp -t a"), None);
    }

    #[test]
    fn records_parse_and_reject_paths() {
        assert_eq!(
            parse_record("0644 12 a b.txt").unwrap(),
            (0o644, 12, "a b.txt".to_owned())
        );
        assert!(parse_record("0644 12 ../x").is_err());
        assert!(parse_record("0644 12 a/b").is_err());
        assert!(parse_record("zz 12 a").is_err());
    }

    #[test]
    fn names_are_last_components() {
        assert_eq!(base_name("/a/b/"), "b");
        assert_eq!(base_name("c"), "c");
        assert_eq!(base_name("/"), "/");
        assert_eq!(join("/", "x"), "/x");
        assert_eq!(join("/a", "x"), "/a/x");
    }
}
