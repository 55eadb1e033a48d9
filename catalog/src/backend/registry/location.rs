//! `REGISTRY/PREFIX` (what follows `oci://` in `KILN_CATALOG`) taken
//! apart and checked, so that no bucket ever becomes a malformed URL.

use crate::error::CatalogError;
use regex::Regex;
use std::sync::LazyLock;

/// One path component of a repository name (distribution's grammar).
static COMPONENT: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$").ok());

/// `host`, `host:port`, `[v6]:port`.
static HOST: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$",
    )
    .ok()
});

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub registry: String,
    /// Empty, or components joined by `/`.
    pub prefix: String,
}

fn matches(re: &LazyLock<Option<Regex>>, s: &str) -> bool {
    re.as_ref().is_some_and(|r| r.is_match(s))
}

pub fn component_ok(s: &str) -> bool {
    matches(&COMPONENT, s)
}

impl Location {
    pub fn parse(location: &str) -> Result<Location, CatalogError> {
        let rest = location.strip_prefix("oci://").unwrap_or(location);
        let bad = || CatalogError::BadLocation(format!("oci://{rest}"));
        let (registry, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let prefix = prefix.trim_end_matches('/');
        if !matches(&HOST, registry) {
            return Err(bad());
        }
        if !prefix.is_empty() && !prefix.split('/').all(component_ok) {
            return Err(bad());
        }
        Ok(Location {
            registry: registry.to_owned(),
            prefix: prefix.to_owned(),
        })
    }

    /// Loopback registries speak plain HTTP, as Docker allows without
    /// configuration (the oci builder does the same); everything else
    /// HTTPS.
    pub fn loopback(&self) -> bool {
        let host = match self.registry.rsplit_once(':') {
            Some((h, port)) if !port.contains(']') => h,
            _ => self.registry.as_str(),
        };
        matches!(host, "localhost" | "[::1]") || host.starts_with("127.")
    }

    pub fn scheme(&self) -> &'static str {
        if self.loopback() {
            "http"
        } else {
            "https"
        }
    }

    /// The repository of `bucket`.
    pub fn repository(&self, bucket: &str) -> Result<String, CatalogError> {
        if !component_ok(bucket) {
            return Err(CatalogError::BadBucket(bucket.to_owned()));
        }
        Ok(if self.prefix.is_empty() {
            bucket.to_owned()
        } else {
            format!("{}/{bucket}", self.prefix)
        })
    }

    /// The bucket a repository of the registry is, if it is one: directly
    /// under the prefix.
    pub fn bucket_of<'a>(&self, repository: &'a str) -> Option<&'a str> {
        let rest = if self.prefix.is_empty() {
            repository
        } else {
            repository.strip_prefix(&self.prefix)?.strip_prefix('/')?
        };
        (!rest.is_empty() && !rest.contains('/')).then_some(rest)
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.prefix.is_empty() {
            write!(f, "oci://{}", self.registry)
        } else {
            write!(f, "oci://{}/{}", self.registry, self.prefix)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_and_prefix() {
        let l = Location::parse("127.0.0.1:5000/team/images").expect("parses");
        assert_eq!(l.registry, "127.0.0.1:5000");
        assert_eq!(l.prefix, "team/images");
        assert!(l.loopback());
        assert_eq!(l.to_string(), "oci://127.0.0.1:5000/team/images");
        assert_eq!(l.repository("web").ok().as_deref(), Some("team/images/web"));
        assert_eq!(l.bucket_of("team/images/web"), Some("web"));
        assert_eq!(l.bucket_of("team/images/web/x"), None);
        assert_eq!(l.bucket_of("team/imagesweb"), None);
        assert_eq!(l.bucket_of("other/web"), None);
    }

    #[test]
    fn empty_prefix() {
        let l = Location::parse("oci://ghcr.io").expect("parses");
        assert_eq!(l.prefix, "");
        assert!(!l.loopback());
        assert_eq!(l.to_string(), "oci://ghcr.io");
        assert_eq!(l.repository("web").ok().as_deref(), Some("web"));
        assert_eq!(l.bucket_of("web"), Some("web"));
        assert_eq!(
            Location::parse("[::1]:5000/").map(|l| l.loopback()).ok(),
            Some(true)
        );
    }

    #[test]
    fn bad_locations_and_buckets() {
        for bad in [
            "",
            "/prefix",
            "host/UPPER",
            "host//x",
            "ho st/x",
            "host/a/../b",
        ] {
            assert!(
                matches!(Location::parse(bad), Err(CatalogError::BadLocation(_))),
                "{bad:?}"
            );
        }
        let l = Location::parse("r/p").expect("parses");
        assert!(matches!(
            l.repository("a/b"),
            Err(CatalogError::BadBucket(_))
        ));
        assert!(matches!(l.repository("A"), Err(CatalogError::BadBucket(_))));
    }
}
