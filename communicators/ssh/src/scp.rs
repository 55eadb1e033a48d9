//! The SCP protocol, as Packer speaks it to a remote `scp -t` (sink) or
//! `scp -f` (source): `C<mode> <size> <name>` file records, `D`/`E`
//! directory records, one status byte after each (0 ok, 1 or 2 followed by
//! a message). Plain `Read`/`Write` code, so it is tested against a fake
//! peer as well as a real sshd.

use kiln_gocompat::atomic::AtomicFile;
use std::fs;
use std::io::{self, BufRead, Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The other end of an SCP conversation: statuses and records to read,
/// records to write.
pub(crate) trait Peer: BufRead + Write {}
impl<T: BufRead + Write> Peer for T {}

/// Reads buffered, writes straight through: one channel, both ways.
pub(crate) struct Duplex<T: Read + Write>(pub io::BufReader<T>);

impl<T: Read + Write> Read for Duplex<T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<T: Read + Write> BufRead for Duplex<T> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.0.fill_buf()
    }
    fn consume(&mut self, n: usize) {
        self.0.consume(n)
    }
}

impl<T: Read + Write> Write for Duplex<T> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.get_mut().write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.get_mut().flush()
    }
}

/// A failure the protocol reported, worded completely already (scp's own
/// `scp: PATH: reason`), so no context is put in front of it.
fn protocol(msg: impl Into<String>) -> io::Error {
    io::Error::other(crate::error::SshError::Other(msg.into()))
}

/// The status byte after every record; a refusal carries scp's message.
pub(crate) fn check_status(r: &mut impl BufRead) -> io::Result<()> {
    let mut code = [0u8; 1];
    r.read_exact(&mut code)?;
    if code[0] == 0 {
        return Ok(());
    }
    let mut line = String::new();
    r.read_line(&mut line)?;
    Err(protocol(line.trim_end_matches('\n')))
}

/// Send one file record and its `size` bytes from `src`.
pub(crate) fn send_file(
    p: &mut impl Peer,
    name: &str,
    mode: u32,
    size: u64,
    src: &mut dyn Read,
) -> io::Result<()> {
    writeln!(p, "C{:04o} {size} {name}", mode & 0o7777)?;
    check_status(p)?;
    let copied = io::copy(&mut src.take(size), p)?;
    if copied != size {
        return Err(protocol(format!(
            "{name} shrank while it was sent ({copied} of {size} bytes)"
        )));
    }
    p.write_all(&[0])?;
    check_status(p)
}

/// Send the directory `dir` as `D name … E`, its entries recursively.
/// Symbolic links are followed, as Packer does.
pub(crate) fn send_dir(p: &mut impl Peer, name: &str, dir: &Path) -> io::Result<()> {
    let mode = fs::metadata(dir)?.permissions().mode();
    writeln!(p, "D{:04o} 0 {name}", mode & 0o7777)?;
    check_status(p)?;
    send_entries(p, dir)?;
    writeln!(p, "E")?;
    check_status(p)
}

/// Send the entries of `dir` (its contents, not itself).
pub(crate) fn send_entries(p: &mut impl Peer, dir: &Path) -> io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let meta = fs::metadata(&path)?;
        if meta.is_dir() {
            send_dir(p, &name, &path)?;
        } else {
            let mut f = fs::File::open(&path)?;
            send_file(p, &name, meta.mode(), meta.len(), &mut f)?;
        }
    }
    Ok(())
}

/// One `C`/`D` record's fields.
struct Record {
    mode: u32,
    size: u64,
    name: String,
}

fn parse_record(line: &str) -> io::Result<Record> {
    let bad = || protocol(format!("can't parse server response ({line})"));
    let mut parts = line.get(1..).ok_or_else(bad)?.splitn(3, ' ');
    let mode = u32::from_str_radix(parts.next().ok_or_else(bad)?, 8).map_err(|_| bad())?;
    let size: u64 = parts.next().ok_or_else(bad)?.parse().map_err(|_| bad())?;
    let name = parts
        .next()
        .ok_or_else(bad)?
        .trim_end_matches('\n')
        .to_owned();
    // A peer must not steer writes outside the destination.
    if name.is_empty() || name == "." || name == ".." || name.contains('/') {
        return Err(protocol(format!("invalid file name from server: {name:?}")));
    }
    Ok(Record { mode, size, name })
}

/// Read the next record line; `None` at a clean end of stream.
fn next_line(r: &mut impl BufRead) -> io::Result<Option<String>> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    match line.as_bytes().first() {
        // Packer passes the refusal on with its line end, which shows as
        // an empty line after the message.
        Some(1 | 2) => Err(protocol(line.get(1..).unwrap_or_default())),
        _ => Ok(Some(line)),
    }
}

/// Receive one file from `scp -f` into `dst`.
pub(crate) fn receive_file(p: &mut impl Peer, dst: &mut dyn Write) -> io::Result<()> {
    p.write_all(&[0])?;
    let line = next_line(p)?.ok_or_else(|| protocol("empty response from server"))?;
    match line.as_bytes().first() {
        Some(b'C') => {}
        Some(b'D') => return Err(protocol("remote file is directory")),
        Some(c) => return Err(protocol(format!("unexpected server response ({c:x})"))),
        None => return Err(protocol("empty response from server")),
    }
    let rec = parse_record(&line)?;
    p.write_all(&[0])?;
    copy_exact(p, dst, rec.size)?;
    check_status(p)?;
    p.write_all(&[0])
}

fn copy_exact(r: &mut impl Read, dst: &mut dyn Write, size: u64) -> io::Result<()> {
    let copied = io::copy(&mut r.take(size), dst)?;
    if copied != size {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the connection ended in the middle of a file",
        ));
    }
    Ok(())
}

/// Receive a directory tree from `scp -rf` into `dst` (which must exist):
/// the remote directory lands as `dst/NAME`, as with Packer. Files are
/// written under a temporary name and renamed into place once complete.
pub(crate) fn receive_dir(p: &mut impl Peer, dst: &Path) -> io::Result<()> {
    let mut stack: Vec<PathBuf> = vec![dst.to_owned()];
    loop {
        p.write_all(&[0])?;
        let Some(line) = next_line(p)? else {
            return Ok(());
        };
        let here = stack.last().cloned().unwrap_or_else(|| dst.to_owned());
        match line.as_bytes().first() {
            Some(b'E') => {
                stack.pop();
                if stack.len() <= 1 {
                    p.write_all(&[0])?;
                    return Ok(());
                }
            }
            Some(b'D') => {
                let rec = parse_record(&line)?;
                let dir = here.join(&rec.name);
                match fs::create_dir(&dir) {
                    Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e),
                    _ => {}
                }
                fs::set_permissions(&dir, fs::Permissions::from_mode(rec.mode))?;
                stack.push(dir);
            }
            Some(b'C') => {
                let rec = parse_record(&line)?;
                p.write_all(&[0])?;
                let mut tmp = AtomicFile::create(&here.join(&rec.name), 0o600)?;
                copy_exact(p, tmp.file_mut(), rec.size)?;
                check_status(p)?;
                tmp.set_mode(rec.mode)?;
                tmp.commit()?;
            }
            Some(c) => return Err(protocol(format!("unexpected server response ({c:x})"))),
            None => return Err(protocol("empty response from server")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A peer that answers from a script and records what it was sent.
    struct Fake {
        answers: Cursor<Vec<u8>>,
        sent: Vec<u8>,
    }

    fn fake(answers: &[u8]) -> Fake {
        Fake {
            answers: Cursor::new(answers.to_vec()),
            sent: Vec::new(),
        }
    }

    impl Read for Fake {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.answers.read(buf)
        }
    }
    impl BufRead for Fake {
        fn fill_buf(&mut self) -> io::Result<&[u8]> {
            self.answers.fill_buf()
        }
        fn consume(&mut self, n: usize) {
            self.answers.consume(n)
        }
    }
    impl Write for Fake {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.sent.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_file_record_and_its_bytes() {
        let mut p = fake(&[0, 0]);
        send_file(&mut p, "f.sh", 0o100755, 3, &mut &b"abc"[..]).unwrap();
        assert_eq!(p.sent, b"C0755 3 f.sh\nabc\0");
    }

    #[test]
    fn refusals_carry_scps_message() {
        let mut p = fake(b"\x01scp: /x: Permission denied\n");
        let err = send_file(&mut p, "x", 0o644, 0, &mut io::empty()).unwrap_err();
        assert_eq!(err.to_string(), "scp: /x: Permission denied");
    }

    #[test]
    fn directories_nest_in_name_order() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        fs::set_permissions(dir.path().join("sub"), fs::Permissions::from_mode(0o750)).unwrap();
        fs::write(dir.path().join("sub/b"), "b").unwrap();
        fs::write(dir.path().join("a"), "aa").unwrap();
        fs::set_permissions(dir.path().join("a"), fs::Permissions::from_mode(0o600)).unwrap();
        let mut p = fake(&[0; 16]);
        send_entries(&mut p, dir.path()).unwrap();
        assert_eq!(
            String::from_utf8(p.sent).unwrap(),
            "C0600 2 a\naa\0D0750 0 sub\nC0644 1 b\nb\0E\n"
        );
    }

    #[test]
    fn receiving_a_tree_keeps_modes_and_refuses_escapes() {
        let dst = tempfile::tempdir().unwrap();
        let mut p = fake(b"D0755 0 top\nC0640 2 f\nhi\0D0700 0 in\nE\nE\n");
        receive_dir(&mut p, dst.path()).unwrap();
        let f = dst.path().join("top/f");
        assert_eq!(fs::read_to_string(&f).unwrap(), "hi");
        assert_eq!(
            fs::metadata(&f).unwrap().permissions().mode() & 0o777,
            0o640
        );
        let inner = fs::metadata(dst.path().join("top/in")).unwrap();
        assert_eq!(inner.permissions().mode() & 0o777, 0o700);
        assert!(receive_dir(&mut fake(b"C0644 1 ../x\nx\0"), dst.path()).is_err());
    }

    #[test]
    fn receiving_one_file() {
        let mut out = Vec::new();
        receive_file(&mut fake(b"C0644 5 f\nhello\0"), &mut out).unwrap();
        assert_eq!(out, b"hello");
        let err = receive_file(
            &mut fake(b"\x01scp: /nope: No such file or directory\n"),
            &mut out,
        )
        .unwrap_err();
        // Packer's wording, line end included.
        assert_eq!(err.to_string(), "scp: /nope: No such file or directory\n");
    }
}
