//! `iso_checksum`: `TYPE:HEX`, bare hex (type from its length),
//! `file:URL` (a GNU or BSD checksum file), `none`.

use super::DownloadError;
use md5::Digest as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Md5,
    Sha1,
    Sha256,
    Sha512,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Md5 => "md5",
            Kind::Sha1 => "sha1",
            Kind::Sha256 => "sha256",
            Kind::Sha512 => "sha512",
        }
    }

    fn from_name(name: &str) -> Option<Kind> {
        Some(match name.to_ascii_lowercase().as_str() {
            "md5" => Kind::Md5,
            "sha1" => Kind::Sha1,
            "sha256" => Kind::Sha256,
            "sha512" => Kind::Sha512,
            _ => return None,
        })
    }

    /// go-getter guesses the type of a bare checksum from its length.
    fn from_len(hex_len: usize) -> Option<Kind> {
        Some(match hex_len {
            32 => Kind::Md5,
            40 => Kind::Sha1,
            64 => Kind::Sha256,
            128 => Kind::Sha512,
            _ => return None,
        })
    }
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
                let kind = Kind::from_name(kind).ok_or_else(|| {
                    DownloadError::BadChecksum(format!("unsupported checksum type: {kind}"))
                })?;
                Ok(Spec::Value(Checksum::new(kind, hex)?))
            }
            None => {
                let kind = Kind::from_len(s.len()).ok_or_else(|| {
                    DownloadError::BadChecksum(format!("unknown checksum type for {s:?}"))
                })?;
                Ok(Spec::Value(Checksum::new(kind, s)?))
            }
        }
    }
}

impl Checksum {
    pub fn new(kind: Kind, hex: &str) -> Result<Checksum, DownloadError> {
        let want = match kind {
            Kind::Md5 => 32,
            Kind::Sha1 => 40,
            Kind::Sha256 => 64,
            Kind::Sha512 => 128,
        };
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
                (Kind::from_name(kind), clean(inner), *hex)
            }
            [hex, name] => (Kind::from_len(hex.len()), clean(name), *hex),
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

/// A running digest of one of the supported kinds.
pub enum Hasher {
    Md5(md5::Md5),
    Sha1(sha1::Sha1),
    Sha256(sha2::Sha256),
    Sha512(sha2::Sha512),
}

impl Hasher {
    pub fn new(kind: Kind) -> Hasher {
        match kind {
            Kind::Md5 => Hasher::Md5(md5::Md5::new()),
            Kind::Sha1 => Hasher::Sha1(sha1::Sha1::new()),
            Kind::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            Kind::Sha512 => Hasher::Sha512(sha2::Sha512::new()),
        }
    }

    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Md5(h) => h.update(data),
            Hasher::Sha1(h) => h.update(data),
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
        }
    }

    pub fn hex(self) -> String {
        let bytes: Vec<u8> = match self {
            Hasher::Md5(h) => h.finalize().to_vec(),
            Hasher::Sha1(h) => h.finalize().to_vec(),
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha512(h) => h.finalize().to_vec(),
        };
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
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
            let mut h = Hasher::new(kind);
            h.update(b"a");
            h.update(b"bc");
            assert_eq!(h.hex(), want);
        }
        let mut h = Hasher::new(Kind::Sha512);
        h.update(b"abc");
        assert!(h.hex().starts_with("ddaf35a193617aba"));
    }
}
