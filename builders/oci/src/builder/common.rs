//! Checks both source types share.

use super::settings::Settings;
use crate::compression::Compression;
use crate::image::platform::Platform;
use crate::source::Source;
use kiln_core::component::ConfigProblem;

pub fn check_image(image: Option<&str>, missing: &str, out: &mut Vec<ConfigProblem>) {
    match image {
        None | Some("") => out.push(ConfigProblem::field("image", missing)),
        Some(i) => {
            if let Err(e) = Source::parse(i) {
                out.push(ConfigProblem::field("image", e.to_string()));
            }
        }
    }
}

pub fn check_platform(p: Option<&str>, out: &mut Vec<ConfigProblem>) {
    if let Some(p) = p {
        if let Err(e) = Platform::parse(p) {
            out.push(ConfigProblem::field("platform", e.to_string()));
        }
    }
}

pub fn check_compression(c: Option<&str>, out: &mut Vec<ConfigProblem>) {
    if let Some(c) = c {
        if Compression::parse(c).is_none() {
            out.push(ConfigProblem::field(
                "compression",
                format!("compression must be \"gzip\" or \"zstd\", not {c:?}"),
            ));
        }
    }
}

pub fn check_changes(changes: Option<&[String]>, out: &mut Vec<ConfigProblem>) {
    for e in Settings::check_changes(changes.unwrap_or_default()) {
        out.push(ConfigProblem::field("changes", e));
    }
}

/// Docker's tag grammar: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
pub fn valid_tag(t: &str) -> bool {
    let mut chars = t.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    first_ok
        && t.len() <= 128
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

pub fn platform(p: Option<&str>) -> Platform {
    p.and_then(|p| Platform::parse(p).ok())
        .unwrap_or_else(Platform::host)
}

pub fn network_ok(n: Option<&str>, out: &mut Vec<ConfigProblem>) {
    if let Some(n) = n {
        if !matches!(n, "host" | "none") {
            out.push(ConfigProblem::field(
                "network",
                format!("network must be \"host\" or \"none\", not {n:?}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        assert!(valid_tag("v1.2.3"));
        assert!(valid_tag("blue"));
        assert!(!valid_tag("-x"));
        assert!(!valid_tag("a:b"));
        assert!(!valid_tag(""));
    }
}
