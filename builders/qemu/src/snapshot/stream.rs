//! A saved state's compression. QEMU writes the migration stream raw
//! (the guest is paused only that long); it is compressed with zstd on
//! its own thread while the guest runs on, and decompressed into QEMU's
//! `-incoming` through a pipe as QEMU loads it, so neither direction
//! waits for the codec on a 2-core machine. zstd rather than QEMU's own
//! `exec:gzip`: gzip cost about 7 s per save and 4 s per restore of a
//! 1 GB guest, zstd -1 about a third of that, and the crate needs no tool
//! on the host.

use crate::error::QemuError;
use kiln_core::Cancel;
use std::io::{Read, Write};
use std::path::Path;

/// zstd's fastest standard level: a guest's memory (page cache, heap)
/// shrinks to about a third at it; higher levels gain little on such
/// data for several times the CPU.
const LEVEL: i32 = 1;

/// Read and write in steps of this much, checking for a cancel between.
const CHUNK: usize = 1 << 20;

/// QEMU's migration stream magic (`QEMU_VM_FILE_MAGIC`).
pub const STREAM_MAGIC: &[u8; 4] = b"QEVM";

fn io(what: &str, p: &Path, e: std::io::Error) -> QemuError {
    QemuError::io(format!("{what} {}", p.display()), e)
}

fn cancelled() -> QemuError {
    QemuError::Snapshot("cancelled".into())
}

/// Compress the raw state `raw` into `out` (zstd, one frame), fsynced.
pub fn compress(raw: &Path, out: &Path, cancel: &Cancel) -> Result<(), QemuError> {
    let mut src = std::fs::File::open(raw).map_err(|e| io("reading", raw, e))?;
    let dst = std::fs::File::create(out).map_err(|e| io("writing", out, e))?;
    let mut enc = zstd::stream::write::Encoder::new(dst, LEVEL)
        .map_err(|e| io("compressing into", out, e))?;
    let mut buf = vec![0u8; CHUNK];
    loop {
        if cancel.is_cancelled() {
            return Err(cancelled());
        }
        let n = src.read(&mut buf).map_err(|e| io("reading", raw, e))?;
        if n == 0 {
            break;
        }
        enc.write_all(&buf[..n])
            .map_err(|e| io("compressing into", out, e))?;
    }
    let f = enc.finish().map_err(|e| io("compressing into", out, e))?;
    f.sync_all().map_err(|e| io("writing", out, e))
}

/// Decompress the state `zst` into `out` (QEMU's end of a pipe) until
/// the stream ends, `stop` says to give up, or the reader goes away.
pub fn decompress(
    zst: &Path,
    out: &mut dyn Write,
    stop: &dyn Fn() -> bool,
) -> Result<(), QemuError> {
    let src = std::fs::File::open(zst).map_err(|e| io("reading", zst, e))?;
    let mut dec = zstd::stream::read::Decoder::new(src).map_err(|e| io("decompressing", zst, e))?;
    let mut buf = vec![0u8; CHUNK];
    loop {
        if stop() {
            return Err(cancelled());
        }
        let n = dec
            .read(&mut buf)
            .map_err(|e| io("decompressing", zst, e))?;
        if n == 0 {
            return Ok(());
        }
        out.write_all(&buf[..n])
            .map_err(|e| io("feeding QEMU", zst, e))?;
    }
}

/// Whether `zst` decompresses to the start of a migration stream: a file
/// that does not is found before QEMU is started on it. A stream damaged
/// further in makes QEMU's load fail, which the restore sees.
pub fn check(zst: &Path) -> Result<(), QemuError> {
    let src = std::fs::File::open(zst).map_err(|e| io("reading", zst, e))?;
    let mut head = [0u8; 4];
    let read = zstd::stream::read::Decoder::new(src).and_then(|mut d| d.read_exact(&mut head));
    match read {
        Ok(()) if &head == STREAM_MAGIC => Ok(()),
        _ => Err(QemuError::Snapshot(format!(
            "{} is not a compressed QEMU migration stream",
            zst.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_compresses_and_comes_back_whole() {
        let t = tempfile::tempdir().unwrap();
        let raw = t.path().join("raw");
        let mut data = STREAM_MAGIC.to_vec();
        // Over several chunks, part of it incompressible.
        for i in 0..(3 * CHUNK + 17) {
            data.push(if i % 3 == 0 {
                (i * 7919 % 251) as u8
            } else {
                0
            });
        }
        std::fs::write(&raw, &data).unwrap();
        let zst = t.path().join("state.zst");
        compress(&raw, &zst, &Cancel::new()).unwrap();
        assert!(std::fs::metadata(&zst).unwrap().len() < data.len() as u64 / 2);
        check(&zst).unwrap();
        let mut back = Vec::new();
        decompress(&zst, &mut back, &|| false).unwrap();
        assert!(back == data, "the stream differs after a round trip");
    }

    #[test]
    fn what_is_not_a_compressed_stream_is_refused_before_qemu_starts() {
        let t = tempfile::tempdir().unwrap();
        let raw = t.path().join("raw");
        std::fs::write(&raw, b"QEVM").unwrap();
        // Raw (as kiln stored states before): not zstd.
        let err = check(&raw).unwrap_err().to_string();
        assert!(
            err.contains("is not a compressed QEMU migration stream"),
            "{err}"
        );
        // zstd, but not a migration stream.
        std::fs::write(&raw, b"ELF!").unwrap();
        let zst = t.path().join("state.zst");
        compress(&raw, &zst, &Cancel::new()).unwrap();
        assert!(check(&zst).is_err());
        // Cut short.
        let cancel = Cancel::new();
        cancel.cancel();
        let err = compress(&raw, &zst, &cancel).unwrap_err().to_string();
        assert!(err.contains("cancelled"), "{err}");
    }
}
