//! Digests of large files, remembered across runs, so that a rebuild
//! does not read a multi-gigabyte source image again only to learn it
//! has not changed (a 300 MB qcow2 takes over a second to hash, a tenth
//! of a warm qemu rebuild). A digest is reused only while the file's
//! device, inode, size, modification and change times are all the same,
//! as git's index and ccache trust them: the change time cannot be set
//! back by `touch`, and any write moves it.
//!
//! The memo lives in a directory the binary names once ([`set_dir`]),
//! the step cache's; without one nothing is remembered.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Smaller files are hashed every time: it costs less than a lookup
/// would save.
const MIN_SIZE: u64 = 16 << 20;

static DIR: OnceLock<PathBuf> = OnceLock::new();

/// Where memos go for the rest of the process.
pub fn set_dir(dir: PathBuf) {
    let _ = DIR.set(dir);
}

/// What the memo must match: the file's identity and times.
fn stamp(meta: &std::fs::Metadata) -> String {
    format!(
        "{} {} {} {}.{} {}.{}",
        meta.dev(),
        meta.ino(),
        meta.size(),
        meta.mtime(),
        meta.mtime_nsec(),
        meta.ctime(),
        meta.ctime_nsec()
    )
}

fn memo_path(dir: &Path, meta: &std::fs::Metadata) -> PathBuf {
    dir.join(format!("{}-{}", meta.dev(), meta.ino()))
}

/// The remembered digest of the file `meta` describes, if it is still
/// that file.
pub fn lookup(meta: &std::fs::Metadata) -> Option<String> {
    let dir = DIR.get()?;
    if !meta.is_file() || meta.size() < MIN_SIZE {
        return None;
    }
    let text = std::fs::read_to_string(memo_path(dir, meta)).ok()?;
    let (stamped, digest) = text.trim_end().rsplit_once(' ')?;
    (stamped == stamp(meta) && digest.len() == 64).then(|| digest.to_owned())
}

/// Remember `digest` for the file `meta` describes (as it was before it
/// was read). Best effort, and atomic: a reader sees a whole memo or none.
pub fn remember(meta: &std::fs::Metadata, digest: &str) {
    let Some(dir) = DIR.get() else {
        return;
    };
    if !meta.is_file() || meta.size() < MIN_SIZE {
        return;
    }
    let path = memo_path(dir, meta);
    let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
    let written = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&tmp, format!("{} {digest}\n", stamp(meta))))
        .and_then(|()| std::fs::rename(&tmp, &path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use sha2::{Digest, Sha256};

    /// One test: the memo directory is the process's, set once.
    #[test]
    fn a_large_files_digest_is_remembered_until_the_file_changes() {
        let memo = tempfile::tempdir().unwrap().keep();
        super::set_dir(memo.clone());
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("disk.img");
        let mut data = vec![7u8; (super::MIN_SIZE + 1) as usize];
        std::fs::write(&f, &data).unwrap();
        let want = hex::encode(Sha256::digest(&data));
        assert_eq!(crate::step_cache::digest_path(&f).unwrap(), want);
        let memos: Vec<_> = std::fs::read_dir(&memo).unwrap().flatten().collect();
        assert_eq!(memos.len(), 1);
        // Served from the memo: a memo that lies is believed while the
        // file's stamp matches...
        let text = std::fs::read_to_string(memos[0].path()).unwrap();
        let lie = text.replace(&want, &"0".repeat(64));
        std::fs::write(memos[0].path(), &lie).unwrap();
        assert_eq!(crate::step_cache::digest_path(&f).unwrap(), "0".repeat(64));
        // ...and ignored once the file is written, even with the same
        // size and its old modification time put back.
        let before = std::fs::metadata(&f).unwrap().modified().unwrap();
        data[0] = 8;
        std::fs::write(&f, &data).unwrap();
        std::fs::File::options()
            .write(true)
            .open(&f)
            .unwrap()
            .set_modified(before)
            .unwrap();
        assert_eq!(
            crate::step_cache::digest_path(&f).unwrap(),
            hex::encode(Sha256::digest(&data))
        );
        // Small files are not remembered.
        let small = dir.path().join("small");
        std::fs::write(&small, b"x").unwrap();
        crate::step_cache::digest_path(&small).unwrap();
        assert_eq!(std::fs::read_dir(&memo).unwrap().count(), 1);
    }
}
