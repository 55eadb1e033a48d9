//! Package URLs (purl-spec) for the packages kiln reads, through the
//! packageurl crate, which does the spec's percent-encoding and the
//! canonical order of qualifiers.

use packageurl::PackageUrl;

/// `pkg:TYPE/NAMESPACE/NAME@VERSION?arch=…&distro=…`, or the bare
/// `pkg:TYPE/NAME` form when a part is refused.
pub fn purl(
    ty: &str,
    namespace: &str,
    name: &str,
    version: &str,
    arch: Option<&str>,
    distro: Option<&str>,
) -> String {
    let built = (|| -> Result<String, packageurl::Error> {
        let mut p = PackageUrl::new(ty, name)?;
        p.with_namespace(namespace);
        p.with_version(version);
        if let Some(a) = arch.filter(|a| !a.is_empty()) {
            p.add_qualifier("arch", a)?;
        }
        if let Some(d) = distro.filter(|d| !d.is_empty()) {
            p.add_qualifier("distro", d)?;
        }
        Ok(p.to_string())
    })();
    built.unwrap_or_else(|_| format!("pkg:{ty}/{name}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn debian_and_alpine_packages_get_the_spec_form() {
        assert_eq!(
            super::purl(
                "deb",
                "debian",
                "libc6",
                "2.36-9+deb12u7",
                Some("amd64"),
                Some("debian-12")
            ),
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12"
        );
        assert_eq!(
            super::purl(
                "deb",
                "debian",
                "perl-base",
                "1:5.36.0-7",
                Some("amd64"),
                None
            ),
            "pkg:deb/debian/perl-base@1:5.36.0-7?arch=amd64"
        );
        assert_eq!(
            super::purl(
                "apk",
                "alpine",
                "musl",
                "1.2.5-r0",
                Some("x86_64"),
                Some("alpine-3.20.3")
            ),
            "pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3"
        );
    }
}
