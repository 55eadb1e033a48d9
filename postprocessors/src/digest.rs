//! Streaming file digests: every requested kind in one pass over the file.

use kiln_core::Cancel;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use crate::watch::Watched;

/// The digests Packer's checksum post-processor offers, by Go's names.
pub use kiln_gocompat::hash::HashKind;
use kiln_gocompat::hash::Hasher;

/// Hex digests of everything `r` yields, one per kind, in `kinds` order.
pub(crate) fn digest_reader(mut r: impl Read, kinds: &[HashKind]) -> io::Result<Vec<String>> {
    let mut hashers: Vec<Hasher> = kinds.iter().map(|k| k.hasher()).collect();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = buf.get(..n).unwrap_or_default();
        for h in &mut hashers {
            h.update(chunk);
        }
    }
    Ok(hashers.into_iter().map(Hasher::finish_hex).collect())
}

/// Hex digests of a file; fails (with the cancellation as an I/O error)
/// once `cancel` fires.
pub(crate) fn digest_file(
    path: &Path,
    kinds: &[HashKind],
    cancel: &Cancel,
) -> io::Result<Vec<String>> {
    digest_open(File::open(path)?, kinds, cancel)
}

/// As [`digest_file`], for a file already opened (so opening and reading
/// fail with different messages).
pub(crate) fn digest_open(f: File, kinds: &[HashKind], cancel: &Cancel) -> io::Result<Vec<String>> {
    digest_reader(Watched::new(f, cancel, None), kinds)
}

/// An `io::Write` that passes everything through and hashes it with
/// sha256 on the way, so an output's digest costs no second read.
pub(crate) struct Sha256Writer<W> {
    inner: W,
    hasher: Hasher,
}

impl<W: io::Write> Sha256Writer<W> {
    pub(crate) fn new(inner: W) -> Self {
        Sha256Writer {
            inner,
            hasher: HashKind::Sha256.hasher(),
        }
    }

    /// The inner writer and the hex digest of everything written.
    pub(crate) fn finish(self) -> (W, String) {
        (self.inner, self.hasher.finish_hex())
    }
}

impl<W: io::Write> io::Write for Sha256Writer<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(buf.get(..n).unwrap_or_default());
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_matches_packer() {
        // Packer 1.6.6's checksum post-processor on "hello world\n".
        let got = digest_reader(&b"hello world\n"[..], &HashKind::ALL).unwrap();
        assert_eq!(
            got,
            [
                "6f5902ac237024bdd0c176cb93063dc4",
                "22596363b3de40b06f981fb85d82312e8c0ed511",
                "95041dd60ab08c0bf5636d50be85fe9790300f39eb84602858a9b430",
                "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447",
                "6b3b69ff0a404f28d75e98a066d3fc64fffd9940870cc68bece28545b9a75086b343d7a1366838083e4b8f3ca6fd3c80",
                "db3974a97f2407b7cae1ae637c0030687a11913274d578492558e39c16c017de84eacdc8c62fe34ee4e12b4b1428817f09b6a2760c3f8a664ceae94d2434a593",
            ]
        );
        for k in HashKind::ALL {
            assert_eq!(HashKind::parse(k.name()), Some(k));
        }
        assert_eq!(HashKind::parse("SHA256"), None);
    }

    #[test]
    fn the_writer_hashes_what_passes() {
        use std::io::Write;
        let mut w = Sha256Writer::new(Vec::new());
        w.write_all(b"hello world\n").unwrap();
        let (out, sum) = w.finish();
        assert_eq!(out, b"hello world\n");
        assert_eq!(
            sum,
            "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"
        );
    }

    #[test]
    fn a_cancelled_read_fails() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"x").unwrap();
        let c = Cancel::new();
        c.cancel();
        assert!(digest_file(&p, &[HashKind::Md5], &c).is_err());
    }
}
