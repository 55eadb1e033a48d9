//! `iso_checksum`: `TYPE:HEX`, bare hex (type from its length),
//! `file:URL` (a GNU or BSD checksum file), `none`.

use super::DownloadError;

/// The digest kinds, by Go's names; go-getter checks four of them.
pub use kiln_gocompat::hash::{HashKind as Kind, Hasher};

const GO_GETTER_KINDS: [Kind; 4] = [Kind::Md5, Kind::Sha1, Kind::Sha256, Kind::Sha512];

/// A checksum type as go-getter names it (any case).
fn kind_named(name: &str) -> Option<Kind> {
    Kind::parse(&name.to_ascii_lowercase()).filter(|k| GO_GETTER_KINDS.contains(k))
}

/// go-getter guesses the type of a bare checksum from its length.
fn kind_of_len(hex_len: usize) -> Option<Kind> {
    GO_GETTER_KINDS.into_iter().find(|k| k.hex_len() == hex_len)
}

/// An expected digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checksum {
    pub kind: Kind,
    /// Lower-case hex.
    pub hex: String,
}

impl std::fmt::Display for Checksum {
    /// `sha256:…`, the form Packer normalises every checksum to (and keys
    /// its cache by).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.kind.name(), self.hex)
    }
}

/// `iso_checksum` as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spec {
    None,
    Value(Checksum),
    /// `file:URL` or `file:PATH`: resolved per source URL.
    File(String),
}

impl Spec {
    pub fn parse(s: &str) -> Result<Spec, DownloadError> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("none") {
            return Ok(Spec::None);
        }
        if s.is_empty() {
            return Err(DownloadError::BadChecksum(
                "A checksum must be specified".into(),
            ));
        }
        if let Some(url) = s.strip_prefix("file:") {
            return Ok(Spec::File(url.to_owned()));
        }
        match s.split_once(':') {
            Some((kind, hex)) => {
                let kind = kind_named(kind).ok_or_else(|| {
                    DownloadError::BadChecksum(format!("unsupported checksum type: {kind}"))
                })?;
                Ok(Spec::Value(Checksum::new(kind, hex)?))
            }
            None => {
                let kind = kind_of_len(s.len()).ok_or_else(|| {
                    DownloadError::BadChecksum(format!("unknown checksum type for {s:?}"))
                })?;
                Ok(Spec::Value(Checksum::new(kind, s)?))
            }
        }
    }
}

impl Checksum {
    pub fn new(kind: Kind, hex: &str) -> Result<Checksum, DownloadError> {
        let want = kind.hex_len();
        if hex.len() != want || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(DownloadError::BadChecksum(format!(
                "invalid {} checksum {hex:?}: want {want} hex digits",
                kind.name()
            )));
        }
        Ok(Checksum {
            kind,
            hex: hex.to_ascii_lowercase(),
        })
    }
}

/// The checksum a GNU (`HEX  NAME`, `HEX *NAME`) or BSD
/// (`SHA256 (NAME) = HEX`) checksum file gives for `filename`.
pub fn from_checksum_file(text: &str, filename: &str) -> Option<Result<Checksum, DownloadError>> {
    let clean = |n: &str| {
        n.trim_start_matches('*')
            .trim_start_matches("./")
            .to_owned()
    };
    for line in text.lines() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let (kind, name, hex) = match parts.as_slice() {
            [kind, name, "=", hex]
                if name.len() > 2 && name.starts_with('(') && name.ends_with(')') =>
            {
                let inner = name.get(1..name.len() - 1).unwrap_or("");
                (kind_named(kind), clean(inner), *hex)
            }
            [hex, name] => (kind_of_len(hex.len()), clean(name), *hex),
            _ => continue,
        };
        if name != filename {
            continue;
        }
        return Some(match kind {
            Some(k) => Checksum::new(k, hex),
            None => Err(DownloadError::BadChecksum(format!(
                "unknown checksum type in line {line:?}"
            ))),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA256_ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn specs() {
        assert_eq!(Spec::parse("none").unwrap(), Spec::None);
        assert_eq!(
            Spec::parse(&format!("SHA256:{}", SHA256_ABC.to_uppercase())).unwrap(),
            Spec::Value(Checksum {
                kind: Kind::Sha256,
                hex: SHA256_ABC.into()
            })
        );
        // A bare checksum's type is guessed from its length.
        let Spec::Value(c) = Spec::parse("900150983cd24fb0d6963f7d28e17f72").unwrap() else {
            panic!()
        };
        assert_eq!(c.to_string(), "md5:900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(
            Spec::parse("file:http://h/SHA256SUMS").unwrap(),
            Spec::File("http://h/SHA256SUMS".into())
        );
        assert!(Spec::parse("").is_err());
        assert!(Spec::parse("crc32:abcd").is_err());
        assert!(Spec::parse("sha256:abcd").is_err());
        assert!(Spec::parse("abc").is_err());
    }

    #[test]
    fn checksum_files_gnu_and_bsd() {
        let text = format!(
            "{SHA256_ABC}  other.iso\n\
             {SHA256_ABC} *debian.iso\n\
             SHA1 (bsd.img) = a9993e364706816aba3e25717850c26c9cd0d89d\n\
             garbage line here ok\n"
        );
        assert_eq!(
            from_checksum_file(&text, "debian.iso")
                .unwrap()
                .unwrap()
                .to_string(),
            format!("sha256:{SHA256_ABC}")
        );
        assert_eq!(
            from_checksum_file(&text, "bsd.img").unwrap().unwrap().kind,
            Kind::Sha1
        );
        assert!(from_checksum_file(&text, "missing.iso").is_none());
    }

    #[test]
    fn digests() {
        for (kind, want) in [
            (Kind::Md5, "900150983cd24fb0d6963f7d28e17f72"),
            (Kind::Sha1, "a9993e364706816aba3e25717850c26c9cd0d89d"),
            (Kind::Sha256, SHA256_ABC),
        ] {
            let mut h = kind.hasher();
            h.update(b"a");
            h.update(b"bc");
            assert_eq!(h.finish_hex(), want);
        }
        let mut h = Kind::Sha512.hasher();
        h.update(b"abc");
        assert!(h.finish_hex().starts_with("ddaf35a193617aba"));
    }
}
