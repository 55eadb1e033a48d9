//! Uploads and downloads by path inside the rootfs, done from the host
//! (no process in the sandbox needed): every path resolves inside the
//! rootfs ([`Root`]), files are written under a temporary name next to
//! their destination and renamed into place, modes are kept, and the owner
//! is kiln's user (root).
//!
//! Volumes are mounted only inside the sandbox's own mount namespace:
//! transfers see the rootfs underneath them, not the volumes.

use crate::root::{relative, split, Kind, Root};
use kiln_gocompat::atomic::AtomicFile;
use rustix::fd::OwnedFd;
use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

fn join(dir: &str, name: &str) -> String {
    format!("{}/{name}", dir.trim_end_matches('/'))
}

fn base_name(path: &str) -> Option<&str> {
    let (_, name) = split(relative(path));
    (!matches!(name, "." | ".." | "")).then_some(name)
}

/// Write `src` to `name` in `dir` through a temporary file and a rename.
fn write_into(dir: &OwnedFd, name: &str, src: &mut dyn Read, mode: u32) -> io::Result<()> {
    let tmp = format!(
        ".kiln-upload-{}-{}",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let fd = rustix::fs::openat(
        dir,
        tmp.as_str(),
        OFlags::CREATE | OFlags::EXCL | OFlags::WRONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o600),
    )?;
    let written = (|| {
        let mut f = File::from(fd);
        io::copy(src, &mut f)?;
        rustix::fs::fchmod(&f, Mode::from_raw_mode(mode & 0o7777))?;
        rustix::fs::renameat(dir, tmp.as_str(), dir, name)?;
        Ok(())
    })();
    if written.is_err() {
        let _ = rustix::fs::unlinkat(dir, tmp.as_str(), AtFlags::empty());
    }
    written
}

/// Write `src` to the file `dst` (its directory must exist).
pub fn upload(root: &Root, dst: &str, src: &mut dyn Read, mode: u32) -> io::Result<()> {
    let name =
        base_name(dst).ok_or_else(|| io::Error::other(format!("{dst:?} does not name a file")))?;
    let (parent, _) = split(relative(dst));
    let dir = root.open_at(parent, OFlags::PATH | OFlags::DIRECTORY, 0)?;
    write_into(&dir, name, src, mode)
}

/// Upload the local file `src`: into `dst` when that is a directory.
pub fn upload_file(root: &Root, dst: &str, src: &Path) -> io::Result<()> {
    let mut f = File::open(src)?;
    let mode = f.metadata()?.permissions().mode();
    let target = match (root.kind_of(dst)?, src.file_name()) {
        (Some(Kind::Dir), Some(name)) => join(dst, &name.to_string_lossy()),
        _ => dst.to_owned(),
    };
    upload(root, &target, &mut f, mode)
}

/// `mkdir` `path` (parents first when missing) and give it `mode`.
fn make_dir(root: &Root, path: &str, mode: u32) -> io::Result<()> {
    if root.kind_of(path)?.is_none() {
        let (parent, name) = split(relative(path));
        if root.kind_of(parent)?.is_none() {
            make_dir(root, parent, 0o755)?;
        }
        let dir = root.open_at(parent, OFlags::PATH | OFlags::DIRECTORY, 0)?;
        rustix::fs::mkdirat(&dir, name, Mode::from_raw_mode(0o700))?;
    }
    let fd = root.open_dir(path)?;
    rustix::fs::fchmod(&fd, Mode::from_raw_mode(mode & 0o7777))?;
    Ok(())
}

/// Packer's rule: `src` ending in `/` copies its contents into `dst`,
/// otherwise the directory itself lands as `dst/NAME`. Local symlinks are
/// followed, as scp does.
pub fn upload_dir(root: &Root, dst: &str, src: &Path) -> io::Result<()> {
    let contents_only = src.to_string_lossy().ends_with('/');
    let mode = std::fs::metadata(src)?.permissions().mode();
    let target = match src.file_name() {
        Some(name) if !contents_only => join(dst, &name.to_string_lossy()),
        _ => dst.to_owned(),
    };
    if contents_only {
        make_dir(root, &target, root_mode_or(root, &target, 0o755)?)?;
    } else {
        make_dir(root, &target, mode)?;
    }
    copy_in(root, &target, src)
}

fn root_mode_or(root: &Root, path: &str, default: u32) -> io::Result<u32> {
    match root.open_at(path, OFlags::PATH, 0) {
        Ok(fd) => Ok(rustix::fs::fstat(&fd)?.st_mode & 0o7777),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(default),
        Err(e) => Err(e),
    }
}

fn copy_in(root: &Root, dst: &str, src: &Path) -> io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(src)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let meta = std::fs::metadata(&path)?;
        let target = join(dst, &name);
        if meta.is_dir() {
            make_dir(root, &target, meta.permissions().mode())?;
            copy_in(root, &target, &path)?;
        } else {
            upload(
                root,
                &target,
                &mut File::open(&path)?,
                meta.permissions().mode(),
            )?;
        }
    }
    Ok(())
}

/// Stream the regular file `src` of the rootfs into `dst`.
pub fn download(root: &Root, src: &str, dst: &mut dyn Write) -> io::Result<()> {
    let fd = root.open_at(src, OFlags::RDONLY, 0)?;
    if FileType::from_raw_mode(rustix::fs::fstat(&fd)?.st_mode) != FileType::RegularFile {
        return Err(io::Error::other(format!("{src} is not a regular file")));
    }
    io::copy(&mut File::from(fd), dst)?;
    Ok(())
}

/// Copy the rootfs directory `src` to the local `dst`, where it lands as
/// `dst/NAME` (as Packer's scp download does). Symlinks are copied as
/// symlinks; device nodes, sockets and FIFOs are skipped.
pub fn download_dir(root: &Root, src: &str, dst: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dst)?;
    let local = match base_name(src) {
        Some(name) => dst.join(name),
        None => dst.to_owned(),
    };
    let dir = root.open_dir(src)?;
    let mode = rustix::fs::fstat(&dir)?.st_mode & 0o7777;
    match std::fs::create_dir(&local) {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e),
        _ => {}
    }
    copy_out(&dir, &local)?;
    std::fs::set_permissions(&local, std::fs::Permissions::from_mode(mode))
}

/// Entries are opened relative to their directory's descriptor with
/// `O_NOFOLLOW`: a symlink is read as a link, never followed.
fn copy_out(dir: &OwnedFd, local: &Path) -> io::Result<()> {
    let mut names = Vec::new();
    for entry in rustix::fs::Dir::read_from(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name != "." && name != ".." {
            names.push(name);
        }
    }
    names.sort();
    for name in names {
        let st = rustix::fs::statat(dir, name.as_str(), AtFlags::SYMLINK_NOFOLLOW)?;
        let mode = st.st_mode & 0o7777;
        let path = local.join(&name);
        match FileType::from_raw_mode(st.st_mode) {
            FileType::Directory => {
                let sub = rustix::fs::openat(
                    dir,
                    name.as_str(),
                    OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                    Mode::empty(),
                )?;
                match std::fs::create_dir(&path) {
                    Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e),
                    _ => {}
                }
                copy_out(&sub, &path)?;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))?;
            }
            FileType::Symlink => {
                let target = rustix::fs::readlinkat(dir, name.as_str(), Vec::new())?;
                let _ = std::fs::remove_file(&path);
                std::os::unix::fs::symlink(target.to_string_lossy().as_ref(), &path)?;
            }
            FileType::RegularFile => {
                let fd = rustix::fs::openat(
                    dir,
                    name.as_str(),
                    OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                    Mode::empty(),
                )?;
                save_local(&mut File::from(fd), &path, mode)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Write a local file through a temporary name in its directory, with the
/// rootfs file's mode.
fn save_local(src: &mut dyn Read, path: &Path, mode: u32) -> io::Result<()> {
    let mut tmp = AtomicFile::create(path, 0o600)?;
    io::copy(src, tmp.file_mut())?;
    tmp.set_mode(mode)?;
    tmp.commit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn rootfs() -> (tempfile::TempDir, Root) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("rootfs/tmp")).unwrap();
        std::fs::create_dir_all(dir.path().join("outside")).unwrap();
        let root = Root::open(&dir.path().join("rootfs")).unwrap();
        (dir, root)
    }

    #[test]
    fn uploads_land_inside_even_through_escaping_symlinks() {
        let (dir, root) = rootfs();
        let r = dir.path().join("rootfs");
        symlink("/", r.join("tmp/slash")).unwrap();
        symlink("../../../outside", r.join("tmp/up")).unwrap();
        upload(&root, "/tmp/slash/a.txt", &mut &b"one"[..], 0o640).unwrap();
        upload(&root, "/tmp/up/b.txt", &mut &b"two"[..], 0o644).unwrap_err();
        assert_eq!(std::fs::read_to_string(r.join("a.txt")).unwrap(), "one");
        let mode = std::fs::metadata(r.join("a.txt"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o7777, 0o640);
        assert_eq!(
            std::fs::read_dir(dir.path().join("outside"))
                .unwrap()
                .count(),
            0
        );
        let leftovers: Vec<_> = std::fs::read_dir(&r)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(".kiln"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn upload_file_goes_into_directories() {
        let (dir, root) = rootfs();
        let src = dir.path().join("script.sh");
        std::fs::write(&src, "echo hi\n").unwrap();
        std::fs::set_permissions(&src, std::fs::Permissions::from_mode(0o755)).unwrap();
        upload_file(&root, "/tmp", &src).unwrap();
        let up = dir.path().join("rootfs/tmp/script.sh");
        assert_eq!(std::fs::read_to_string(&up).unwrap(), "echo hi\n");
        assert_eq!(
            std::fs::metadata(&up).unwrap().permissions().mode() & 0o777,
            0o755
        );
    }

    #[test]
    fn directories_follow_packers_trailing_slash_rule() {
        let (dir, root) = rootfs();
        let src = dir.path().join("site");
        std::fs::create_dir_all(src.join("css")).unwrap();
        std::fs::write(src.join("index.html"), "<p>").unwrap();
        std::fs::write(src.join("css/a.css"), "p{}").unwrap();
        upload_dir(&root, "/srv", &src).unwrap();
        let r = dir.path().join("rootfs");
        assert_eq!(
            std::fs::read_to_string(r.join("srv/site/css/a.css")).unwrap(),
            "p{}"
        );
        let with_slash = format!("{}/", src.display());
        upload_dir(&root, "/var/www", Path::new(&with_slash)).unwrap();
        assert_eq!(
            std::fs::read_to_string(r.join("var/www/index.html")).unwrap(),
            "<p>"
        );
    }

    #[test]
    fn downloads_never_leave_the_rootfs() {
        let (dir, root) = rootfs();
        let r = dir.path().join("rootfs");
        std::fs::write(dir.path().join("outside/secret"), "host").unwrap();
        std::fs::write(r.join("tmp/data"), "inside").unwrap();
        symlink("../../outside/secret", r.join("tmp/escape")).unwrap();
        symlink("/", r.join("tmp/root")).unwrap();
        let mut buf = Vec::new();
        download(&root, "/tmp/data", &mut buf).unwrap();
        assert_eq!(buf, b"inside");
        assert!(download(&root, "/tmp/escape", &mut Vec::new()).is_err());
        let mut buf = Vec::new();
        download(&root, "/tmp/root/tmp/data", &mut buf).unwrap();
        assert_eq!(buf, b"inside");

        let out = dir.path().join("out");
        download_dir(&root, "/tmp", &out).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("tmp/data")).unwrap(),
            "inside"
        );
        assert_eq!(
            std::fs::read_link(out.join("tmp/escape")).unwrap(),
            Path::new("../../outside/secret")
        );
        assert!(std::fs::symlink_metadata(out.join("tmp/root"))
            .unwrap()
            .file_type()
            .is_symlink());
    }
}
