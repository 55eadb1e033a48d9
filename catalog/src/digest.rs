//! sha256 digests in OCI's `sha256:<hex>` form.

use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

pub fn sha256_digest(data: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(data)))
}

/// The digest of a file and its size, read in chunks.
pub fn file_digest(path: &Path) -> std::io::Result<(String, u64)> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        size += n as u64;
    }
    Ok((format!("sha256:{}", hex::encode(h.finalize())), size))
}

/// Refuse a file whose content is not `digest` (`what` names where it
/// came from).
pub fn check_file_digest(
    path: &Path,
    digest: &str,
    what: &str,
) -> Result<(), crate::error::CatalogError> {
    let (got, _) =
        file_digest(path).map_err(|e| crate::error::CatalogError::io("read", path, e))?;
    if got != digest {
        return Err(crate::error::CatalogError::corrupt(
            what.to_owned(),
            format!("the content has digest {got}, expected {digest}"),
        ));
    }
    Ok(())
}

/// The hex part of a `sha256:<hex>` digest, checked, so that it is safe
/// as a file name and a tag.
pub fn hex_of(digest: &str) -> Option<&str> {
    let hex = digest.strip_prefix("sha256:")?;
    (hex.len() == 64
        && hex
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
    .then_some(hex)
}
