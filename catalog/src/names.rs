//! Names in the catalog and the tags they become: buckets (Packer's
//! `^[a-zA-Z0-9-]{3,36}$`, stored lowercase as repository names must
//! be), channels, `vN` versions, and the tags the catalog keeps for
//! itself.

use crate::error::CatalogError;

/// Tags of event artifacts: `kiln.ev.<ULID>`.
pub const EVENT_TAG_PREFIX: &str = "kiln.ev.";

/// The bucket's summary index: every version and event, with their
/// records as annotations (derived; see `Catalog::add_to_summary`).
pub const SUMMARY_TAG: &str = "kiln.summary";

pub fn check_bucket(name: &str) -> Result<String, CatalogError> {
    let ok = (3..=36).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !ok {
        return Err(CatalogError::BadBucket(name.to_owned()));
    }
    // Repository names are lowercase; `Web` and `web` are one bucket.
    Ok(name.to_ascii_lowercase())
}

/// A channel is a tag, so it takes a tag's characters, and it must not
/// look like the tags the catalog writes itself.
pub fn check_channel(name: &str) -> Result<(), CatalogError> {
    let bad = |why| {
        Err(CatalogError::BadChannel {
            name: name.to_owned(),
            why,
        })
    };
    let first_ok = name
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric());
    if !first_ok || name.len() > 64 {
        return bad("use 1 to 64 letters, digits, '-' and '_', starting with a letter or digit");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return bad("use only letters, digits, '-' and '_'");
    }
    if parse_version(name).is_ok() {
        return bad("vN names versions");
    }
    if name.starts_with("sha256-") {
        return bad("sha256-… tags hold the catalog's referrers");
    }
    Ok(())
}

/// `vN` or `N`.
pub fn parse_version(s: &str) -> Result<u64, CatalogError> {
    let digits = s.strip_prefix('v').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CatalogError::BadVersion(s.to_owned()));
    }
    match digits.parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(CatalogError::BadVersion(s.to_owned())),
    }
}

pub fn version_tag(n: u64) -> String {
    format!("v{n}")
}

/// The fallback tag of the referrers of `digest` (OCI distribution spec
/// 1.1, "referrers tag schema").
pub fn referrers_tag(digest: &str) -> Option<String> {
    crate::digest::hex_of(digest).map(|h| format!("sha256-{h}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_follow_packers_rule_and_fold_case() {
        assert_eq!(
            check_bucket("Debian-Base").ok().as_deref(),
            Some("debian-base")
        );
        for bad in ["ab", "a_b_c", "x".repeat(37).as_str(), "web/app"] {
            assert!(check_bucket(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn channels_cannot_shadow_the_catalogs_own_tags() {
        for good in ["prod", "dev-2", "release_1", "latest"] {
            assert!(check_channel(good).is_ok(), "{good}");
        }
        for bad in ["v3", "sha256-abc", "", "-x", "kiln.ev.x", "a b"] {
            assert!(check_channel(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn versions_are_vn_from_one() {
        assert_eq!(parse_version("v12").ok(), Some(12));
        assert_eq!(parse_version("7").ok(), Some(7));
        for bad in ["v0", "v", "x1", "v1.2", "v99999999999999999999999"] {
            assert!(parse_version(bad).is_err(), "{bad}");
        }
    }
}
