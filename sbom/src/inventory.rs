//! An image's inventory: its operating system and installed packages,
//! from whichever package databases it has.

use crate::error::SbomError;
use crate::os_release::{self, OsRelease};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Where the image's files are read from.
pub trait FileSource {
    /// The contents of the file at the absolute path `path` in the
    /// image, `None` when there is none.
    fn read(&self, path: &str) -> std::io::Result<Option<Vec<u8>>>;

    /// Whether the image has a file at `path` (without reading it where
    /// the source can tell).
    fn exists(&self, path: &str) -> std::io::Result<bool> {
        self.read(path).map(|b| b.is_some())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    Deb,
    Apk,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    pub ecosystem: Ecosystem,
    pub name: String,
    /// As the database writes it (a Debian version keeps its epoch).
    pub version: String,
    pub arch: Option<String>,
    /// The source package and its version, when they differ from the
    /// binary's (dpkg's `Source:`, apk's origin).
    pub source: Option<String>,
    pub source_version: Option<String>,
    /// As the database gives it (apk's `L:`); dpkg keeps none.
    pub license: Option<String>,
    pub purl: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Inventory {
    pub os: Option<OsRelease>,
    /// Sorted by ecosystem, name and architecture.
    pub packages: Vec<Package>,
    /// Databases found but not read, said in the build's output.
    pub unsupported: Vec<String>,
}

fn read_text(src: &dyn FileSource, path: &str) -> Result<Option<String>, SbomError> {
    src.read(path)
        .map(|b| b.map(|b| String::from_utf8_lossy(&b).into_owned()))
        .map_err(|source| SbomError::Read {
            path: path.to_owned(),
            source,
        })
}

/// Every file [`inventory`] may read, for sources that ask the machine
/// once which of them exist.
pub fn paths() -> Vec<&'static str> {
    let mut all = vec![
        "/etc/os-release",
        "/usr/lib/os-release",
        crate::dpkg::STATUS,
        crate::apk::INSTALLED,
    ];
    all.extend_from_slice(crate::rpm::DATABASES);
    all
}

/// Read every package database the image has.
pub fn inventory(src: &dyn FileSource) -> Result<Inventory, SbomError> {
    let os = match read_text(src, "/etc/os-release")? {
        Some(t) => Some(os_release::parse(&t)),
        None => read_text(src, "/usr/lib/os-release")?.map(|t| os_release::parse(&t)),
    };
    let distro = os.as_ref().map(OsRelease::distro);
    let namespace = |fallback: &str| {
        os.as_ref()
            .map_or_else(|| fallback.to_owned(), |o| o.id.clone())
    };
    let mut packages = Vec::new();
    if let Some(t) = read_text(src, crate::dpkg::STATUS)? {
        packages.extend(crate::dpkg::parse(
            &t,
            &namespace("debian"),
            distro.as_deref(),
        )?);
    }
    if let Some(t) = read_text(src, crate::apk::INSTALLED)? {
        packages.extend(crate::apk::parse(
            &t,
            &namespace("alpine"),
            distro.as_deref(),
        )?);
    }
    let mut unsupported = Vec::new();
    for p in crate::rpm::DATABASES {
        if src.exists(p).map_err(|source| SbomError::Read {
            path: (*p).to_owned(),
            source,
        })? {
            unsupported.push(format!(
                "an rpm database ({p}): kiln does not read rpm packages yet, so they are not in the SBOM"
            ));
        }
    }
    packages.sort_by(|a, b| {
        (a.ecosystem as u8, &a.name, &a.arch).cmp(&(b.ecosystem as u8, &b.name, &b.arch))
    });
    Ok(Inventory {
        os,
        packages,
        unsupported,
    })
}

/// A root filesystem on disk (an OCI build's). Symbolic links are
/// followed inside the root, never out of it: `/etc/os-release` is
/// usually a link to `../usr/lib/os-release`, and an absolute link must
/// mean the image's path, not the host's.
pub struct DirSource {
    pub root: PathBuf,
}

/// How many links a path may go through, as the kernel's limit.
const MAX_LINKS: usize = 40;

impl DirSource {
    fn resolve(&self, path: &str) -> std::io::Result<Option<PathBuf>> {
        let mut todo: Vec<String> = path
            .split('/')
            .filter(|c| !c.is_empty())
            .rev()
            .map(str::to_owned)
            .collect();
        let mut at: Vec<String> = Vec::new();
        let mut links = 0;
        while let Some(c) = todo.pop() {
            match c.as_str() {
                "." => continue,
                ".." => {
                    at.pop();
                    continue;
                }
                _ => {}
            }
            let here = self.root.join(at.join("/")).join(&c);
            match std::fs::symlink_metadata(&here) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(e),
                Ok(m) if m.file_type().is_symlink() => {
                    links += 1;
                    if links > MAX_LINKS {
                        return Ok(None);
                    }
                    let target = std::fs::read_link(&here)?;
                    let t = target.to_string_lossy();
                    if t.starts_with('/') {
                        at.clear();
                    }
                    todo.extend(
                        t.split('/')
                            .filter(|c| !c.is_empty())
                            .rev()
                            .map(str::to_owned),
                    );
                }
                Ok(_) => at.push(c),
            }
        }
        Ok(Some(self.root.join(at.join("/"))))
    }
}

impl FileSource for DirSource {
    fn read(&self, path: &str) -> std::io::Result<Option<Vec<u8>>> {
        let Some(p) = self.resolve(path)? else {
            return Ok(None);
        };
        if !Path::new(&p).is_file() {
            return Ok(None);
        }
        std::fs::read(p).map(Some)
    }

    fn exists(&self, path: &str) -> std::io::Result<bool> {
        Ok(self.resolve(path)?.is_some_and(|p| p.is_file()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_inside_the_root() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("root");
        std::fs::create_dir_all(root.join("usr/lib")).unwrap();
        std::fs::create_dir_all(root.join("etc")).unwrap();
        std::fs::write(
            root.join("usr/lib/os-release"),
            "ID=debian\nVERSION_ID=12\n",
        )
        .unwrap();
        std::os::unix::fs::symlink("../usr/lib/os-release", root.join("etc/os-release")).unwrap();
        // An absolute link means the image's /, not the host's.
        std::fs::write(d.path().join("host-secret"), "no").unwrap();
        std::os::unix::fs::symlink(d.path().join("host-secret"), root.join("etc/escape")).unwrap();
        std::os::unix::fs::symlink("/usr/lib/os-release", root.join("etc/abs")).unwrap();
        std::os::unix::fs::symlink("loop", root.join("etc/loop")).unwrap();
        let src = DirSource { root: root.clone() };
        assert_eq!(
            src.read("/etc/os-release").unwrap().unwrap(),
            b"ID=debian\nVERSION_ID=12\n"
        );
        assert!(src.read("/etc/abs").unwrap().is_some());
        assert!(src.read("/etc/escape").unwrap().is_none());
        assert!(src.read("/etc/loop").unwrap().is_none());
        assert!(src.read("/etc/../../../host-secret").unwrap().is_none());
        let inv = inventory(&src).unwrap();
        assert_eq!(inv.os.unwrap().distro(), "debian-12");
        assert!(inv.packages.is_empty());
    }
}
