//! The disk of a libvirt box: which file it is, its format and its
//! virtual size. The qemu builder's artifact says all three
//! (`diskName`, `diskType`, `diskSize`); an artifice artifact says
//! nothing, so the qcow2 header is read instead (magic `QFI\xfb`, the
//! virtual size as a big-endian u64 at offset 24).

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::error::VagrantError;

const QCOW2_MAGIC: [u8; 4] = *b"QFI\xfb";
const GIB: u128 = 1 << 30;

/// What a disk file's first bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    Qcow2 {
        virtual_size: u64,
    },
    /// Anything else: a raw image is as large as its file.
    Other {
        len: u64,
    },
}

pub fn probe(path: &Path) -> io::Result<Probe> {
    let mut f = File::open(path)?;
    let len = f.metadata()?.len();
    let mut head = [0u8; 32];
    let mut got = 0;
    while got < head.len() {
        match f.read(&mut head[got..])? {
            0 => break,
            n => got += n,
        }
    }
    if got == head.len() && head[..4] == QCOW2_MAGIC {
        let mut size = [0u8; 8];
        size.copy_from_slice(&head[24..32]);
        return Ok(Probe::Qcow2 {
            virtual_size: u64::from_be_bytes(size),
        });
    }
    Ok(Probe::Other { len })
}

/// The one qcow2 disk among `files` (directories and unreadable files are
/// not disks). Several are an error: a libvirt box holds one `box.img`.
pub fn find_qcow2(files: &[PathBuf]) -> Result<Option<PathBuf>, VagrantError> {
    let disks: Vec<&PathBuf> = files
        .iter()
        .filter(|f| f.is_file())
        .filter(|f| matches!(probe(f), Ok(Probe::Qcow2 { .. })))
        .collect();
    match disks.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some((*one).clone())),
        several => Err(VagrantError::SeveralDisks {
            files: super::provider::joined(several),
        }),
    }
}

/// A qemu disk size as the plugin reads it: a number with an optional
/// unit (B, K, M, G, T, P, E; powers of 1024, any case), megabytes
/// without one. In bytes; `None` for anything else (the plugin panics).
pub fn size_in_bytes(size: &str) -> Option<u128> {
    let size = size.trim();
    let last = size.chars().last()?;
    let (digits, shift) = if last.is_ascii_digit() {
        (size, 20)
    } else {
        let shift = match last.to_ascii_lowercase() {
            'b' => 0,
            'k' => 10,
            'm' => 20,
            'g' => 30,
            't' => 40,
            'p' => 50,
            'e' => 60,
            _ => return None,
        };
        (&size[..size.len() - 1], shift)
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: u64 = digits.parse().ok()?;
    Some(u128::from(value) << shift)
}

/// `virtual_size` in `metadata.json`: whole GiB, rounded up so the box
/// never claims a smaller disk than it holds.
pub fn gib_rounded_up(bytes: u128) -> u128 {
    bytes.div_ceil(GIB)
}
