//! The digest kinds Packer offers (the checksum post-processor's
//! `checksum_types`, go-getter's `iso_checksum` types), by Go's names, and
//! a running digest of any of them.

use sha2::digest::DynDigest;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HashKind {
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl HashKind {
    pub const ALL: [HashKind; 6] = [
        HashKind::Md5,
        HashKind::Sha1,
        HashKind::Sha224,
        HashKind::Sha256,
        HashKind::Sha384,
        HashKind::Sha512,
    ];

    /// The kind named exactly (lower case), as Packer matches
    /// `checksum_types`.
    pub fn parse(name: &str) -> Option<HashKind> {
        HashKind::ALL.into_iter().find(|k| k.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            HashKind::Md5 => "md5",
            HashKind::Sha1 => "sha1",
            HashKind::Sha224 => "sha224",
            HashKind::Sha256 => "sha256",
            HashKind::Sha384 => "sha384",
            HashKind::Sha512 => "sha512",
        }
    }

    /// Length of the digest in hex digits.
    pub fn hex_len(self) -> usize {
        match self {
            HashKind::Md5 => 32,
            HashKind::Sha1 => 40,
            HashKind::Sha224 => 56,
            HashKind::Sha256 => 64,
            HashKind::Sha384 => 96,
            HashKind::Sha512 => 128,
        }
    }

    pub fn hasher(self) -> Hasher {
        Hasher {
            kind: self,
            inner: match self {
                HashKind::Md5 => Box::new(md5::Md5::default()),
                HashKind::Sha1 => Box::new(sha1::Sha1::default()),
                HashKind::Sha224 => Box::new(sha2::Sha224::default()),
                HashKind::Sha256 => Box::new(sha2::Sha256::default()),
                HashKind::Sha384 => Box::new(sha2::Sha384::default()),
                HashKind::Sha512 => Box::new(sha2::Sha512::default()),
            },
        }
    }

    /// The hex digest of `bytes`.
    pub fn hex_digest(self, bytes: &[u8]) -> String {
        let mut h = self.hasher();
        h.update(bytes);
        h.finish_hex()
    }
}

/// A digest being computed.
pub struct Hasher {
    kind: HashKind,
    inner: Box<dyn DynDigest + Send>,
}

impl Hasher {
    pub fn kind(&self) -> HashKind {
        self.kind
    }

    pub fn update(&mut self, data: &[u8]) {
        self.inner.update(data);
    }

    /// The digest in lower-case hex.
    pub fn finish_hex(self) -> String {
        crate::hex::encode(self.inner.finalize())
    }
}

impl std::io::Write for Hasher {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_matches_coreutils() {
        // `md5sum`, `sha1sum`, … of "hello world\n".
        let want = [
            "6f5902ac237024bdd0c176cb93063dc4",
            "22596363b3de40b06f981fb85d82312e8c0ed511",
            "95041dd60ab08c0bf5636d50be85fe9790300f39eb84602858a9b430",
            "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447",
            "6b3b69ff0a404f28d75e98a066d3fc64fffd9940870cc68bece28545b9a75086b343d7a1366838083e4b8f3ca6fd3c80",
            "db3974a97f2407b7cae1ae637c0030687a11913274d578492558e39c16c017de84eacdc8c62fe34ee4e12b4b1428817f09b6a2760c3f8a664ceae94d2434a593",
        ];
        for (k, want) in HashKind::ALL.into_iter().zip(want) {
            assert_eq!(k.hex_digest(b"hello world\n"), want, "{k:?}");
            assert_eq!(want.len(), k.hex_len());
            assert_eq!(HashKind::parse(k.name()), Some(k));
        }
        assert_eq!(HashKind::parse("SHA256"), None);
    }
}
