//! apk's database, `/lib/apk/db/installed`: one stanza per package of
//! `X:value` lines (`P` name, `V` version, `A` architecture, `L`
//! licence, `o` origin), stanzas separated by blank lines.

use crate::error::SbomError;
use crate::inventory::{Ecosystem, Package};
use crate::purl::purl;

pub const INSTALLED: &str = "/lib/apk/db/installed";

pub fn parse(text: &str, namespace: &str, distro: Option<&str>) -> Result<Vec<Package>, SbomError> {
    let mut out = Vec::new();
    let mut fields: Vec<(char, String)> = Vec::new();
    let mut start = 1;
    let mut flush = |fields: &mut Vec<(char, String)>, line: usize| -> Result<(), SbomError> {
        if fields.is_empty() {
            return Ok(());
        }
        let get = |k: char| fields.iter().find(|(f, _)| *f == k).map(|(_, v)| v.clone());
        let bad = |why: &str| SbomError::Parse {
            path: INSTALLED.to_owned(),
            what: "apk",
            line,
            why: why.to_owned(),
        };
        let name = get('P').ok_or_else(|| bad("a package without P: (name)"))?;
        let version = get('V').ok_or_else(|| bad("a package without V: (version)"))?;
        let arch = get('A');
        let origin = get('o').filter(|o| *o != name);
        out.push(Package {
            ecosystem: Ecosystem::Apk,
            purl: purl("apk", namespace, &name, &version, arch.as_deref(), distro),
            name,
            version,
            arch,
            source: origin,
            source_version: None,
            license: get('L').filter(|l| !l.is_empty()),
        });
        fields.clear();
        Ok(())
    };
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            flush(&mut fields, start)?;
            start = n + 2;
            continue;
        }
        let mut chars = line.chars();
        if let (Some(k), Some(':')) = (chars.next(), chars.next()) {
            fields.push((k, chars.as_str().to_owned()));
        }
    }
    flush(&mut fields, start)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn packages_with_licence_and_origin() {
        let db = "C:Q1abc=\nP:musl\nV:1.2.5-r0\nA:x86_64\nL:MIT\no:musl\n\nC:Q1def=\nP:libcrypto3\nV:3.3.2-r0\nA:x86_64\nL:Apache-2.0\no:openssl\nF:usr/lib\nR:libcrypto.so.3\n";
        let p = super::parse(db, "alpine", Some("alpine-3.20.3")).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].name, "musl");
        assert_eq!(p[0].source, None, "its own origin");
        assert_eq!(p[1].source.as_deref(), Some("openssl"));
        assert_eq!(p[1].license.as_deref(), Some("Apache-2.0"));
        assert_eq!(
            p[1].purl,
            "pkg:apk/alpine/libcrypto3@3.3.2-r0?arch=x86_64&distro=alpine-3.20.3"
        );
        let e = super::parse("P:x\n", "alpine", None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("without V:"), "{e}");
    }
}
