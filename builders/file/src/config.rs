//! `source "file" "NAME" { … }`, with Packer's fields and checks.

use kiln_core::component::{ConfigProblem, Validate};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// A local file to copy to `target`.
    pub source: Option<String>,
    /// Where the artifact is written; missing folders are created.
    pub target: Option<String>,
    /// Text to write to `target`. With neither `content` nor `source`,
    /// `target` is an empty file (Packer only warns about that; kiln's
    /// config checks have no warnings yet, so it passes silently).
    pub content: Option<String>,
}

impl FileConfig {
    pub fn target(&self) -> &str {
        self.target.as_deref().unwrap_or("")
    }

    /// `source`, when given and not empty (Packer treats `""` as unset).
    pub fn source(&self) -> Option<&str> {
        self.source.as_deref().filter(|s| !s.is_empty())
    }

    pub fn content(&self) -> &str {
        self.content.as_deref().unwrap_or("")
    }
}

impl Validate for FileConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        if self.target().is_empty() {
            out.push(ConfigProblem::block("target required"));
        }
        if !self.content().is_empty() && self.source().is_some() {
            out.push(ConfigProblem::field(
                "source",
                "Cannot specify source file AND content",
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(c: FileConfig) -> Vec<String> {
        c.validate().into_iter().map(|p| p.message).collect()
    }

    #[test]
    fn packers_checks() {
        let both = FileConfig {
            source: Some("src.txt".into()),
            content: Some("hello".into()),
            ..FileConfig::default()
        };
        assert_eq!(
            messages(both),
            ["target required", "Cannot specify source file AND content"]
        );
        let empty = FileConfig {
            target: Some("out.txt".into()),
            ..FileConfig::default()
        };
        assert!(messages(empty).is_empty());
        let blank_source = FileConfig {
            target: Some("out.txt".into()),
            source: Some(String::new()),
            content: Some("x".into()),
        };
        assert!(messages(blank_source).is_empty());
    }
}
