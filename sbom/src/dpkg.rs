//! dpkg's database, `/var/lib/dpkg/status`: one deb822 stanza per
//! package (`Field: value` lines, continuation lines indented, stanzas
//! separated by blank lines).

use crate::error::SbomError;
use crate::inventory::{Ecosystem, Package};
use crate::purl::purl;

pub const STATUS: &str = "/var/lib/dpkg/status";

/// The stanzas of a deb822 file: each field's name and value (a
/// multi-line value keeps its first line only: none kiln reads spans
/// lines), with the line the stanza starts on.
pub(crate) fn stanzas(text: &str) -> Vec<(usize, Vec<(String, String)>)> {
    let mut out = Vec::new();
    let mut cur: Vec<(String, String)> = Vec::new();
    let mut start = 1;
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            if !cur.is_empty() {
                out.push((start, std::mem::take(&mut cur)));
            }
            start = n + 2;
            continue;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            cur.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    if !cur.is_empty() {
        out.push((start, cur));
    }
    out
}

/// Whether a package in this `Status:` has its files on the system.
/// `config-files` (removed, configuration kept) and `not-installed` do
/// not; half-installed and unconfigured packages do.
fn on_disk(status: &str) -> bool {
    let state = status.split_whitespace().nth(2).unwrap_or_default();
    !matches!(state, "not-installed" | "config-files" | "")
}

/// Every package whose files are on the system, in file order.
pub fn parse(text: &str, namespace: &str, distro: Option<&str>) -> Result<Vec<Package>, SbomError> {
    let mut out = Vec::new();
    for (line, fields) in stanzas(text) {
        let get = |k: &str| {
            fields
                .iter()
                .find(|(f, _)| f.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.clone())
        };
        let bad = |why: &str| SbomError::Parse {
            path: STATUS.to_owned(),
            what: "dpkg",
            line,
            why: why.to_owned(),
        };
        let name = get("Package").ok_or_else(|| bad("a stanza without Package"))?;
        if !get("Status").is_some_and(|s| on_disk(&s)) {
            continue;
        }
        let version = get("Version").ok_or_else(|| bad("a package without Version"))?;
        let arch = get("Architecture");
        // `Source: name` or `Source: name (version)`.
        let (source, source_version) = match get("Source") {
            Some(s) => match s.split_once('(') {
                Some((n, v)) => (
                    Some(n.trim().to_owned()),
                    Some(v.trim_end_matches(')').trim().to_owned()),
                ),
                None => (Some(s.trim().to_owned()), None),
            },
            None => (None, None),
        };
        out.push(Package {
            ecosystem: Ecosystem::Deb,
            purl: purl("deb", namespace, &name, &version, arch.as_deref(), distro),
            name,
            version,
            arch,
            source,
            source_version,
            license: None,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    const STATUS: &str = "\
Package: libc6
Status: install ok installed
Priority: optional
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u7
Description: GNU C Library: Shared libraries
 Contains the standard libraries that are used by nearly all programs on
 the system.

Package: old-tool
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1

Package: libgcc-s1
Status: install ok installed
Architecture: amd64
Source: gcc-12 (12.2.0-14)
Version: 12.2.0-14

Package: perl-base
Status: hold ok installed
Architecture: amd64
Version: 1:5.36.0-7+deb12u1
";

    #[test]
    fn installed_packages_with_source_and_epoch() {
        let p = super::parse(STATUS, "debian", Some("debian-12")).unwrap();
        let names: Vec<_> = p.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["libc6", "libgcc-s1", "perl-base"]);
        assert_eq!(p[0].source.as_deref(), Some("glibc"));
        assert_eq!(p[0].source_version, None);
        assert_eq!(p[1].source.as_deref(), Some("gcc-12"));
        assert_eq!(p[1].source_version.as_deref(), Some("12.2.0-14"));
        assert_eq!(p[2].version, "1:5.36.0-7+deb12u1");
        assert_eq!(
            p[0].purl,
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12"
        );
    }

    #[test]
    fn a_stanza_without_a_version_is_a_located_error() {
        let e = super::parse("Package: a\nStatus: install ok installed\nVersion: 1\n\nPackage: b\nStatus: install ok installed\n", "debian", None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 5") && e.contains("without Version"), "{e}");
    }
}
