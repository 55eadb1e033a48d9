//! `provisioner "file"`'s configuration, with Packer's validation.

use kiln_core::component::{ConfigProblem, Validate};
use kiln_core::go_error;
use serde::Deserialize;

/// Packer's file fields.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub source: Option<String>,
    pub sources: Option<Vec<String>>,
    /// Not in Packer 1.6.6 (it arrived in 1.7): the text to upload, in
    /// place of a source file.
    pub content: Option<String>,
    pub destination: Option<String>,
    pub direction: Option<String>,
    /// Check that sources exist only when uploading, not at validation.
    pub generated: Option<bool>,
}

/// Which way the files go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Upload,
    Download,
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

impl FileConfig {
    /// `sources`, then `source` (Packer appends it).
    pub(crate) fn sources(&self) -> Vec<String> {
        let mut out = self.sources.clone().unwrap_or_default();
        if let Some(s) = non_empty(&self.source) {
            out.push(s.to_owned());
        }
        out
    }

    pub(crate) fn content(&self) -> Option<&str> {
        non_empty(&self.content)
    }

    pub(crate) fn destination(&self) -> &str {
        self.destination.as_deref().unwrap_or("")
    }

    /// `upload` unless `download` is asked for; validation refused
    /// anything else.
    pub(crate) fn direction(&self) -> Direction {
        match self.direction.as_deref() {
            Some("download") => Direction::Download,
            _ => Direction::Upload,
        }
    }
}

impl Validate for FileConfig {
    /// Packer's checks, in its order; `content`'s from later Packers.
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        let direction = non_empty(&self.direction).unwrap_or("upload");
        if direction != "download" && direction != "upload" {
            out.push(ConfigProblem::field(
                "direction",
                "Direction must be one of: download, upload.",
            ));
        }
        let sources = self.sources();
        if direction == "upload" && self.generated != Some(true) {
            for src in &sources {
                if let Err(e) = std::fs::metadata(src) {
                    out.push(ConfigProblem::field(
                        if self.sources.is_some() {
                            "sources"
                        } else {
                            "source"
                        },
                        format!(
                            "Bad source '{src}': {}",
                            go_error::path_error("stat", src, &e)
                        ),
                    ));
                }
            }
        }
        if !sources.is_empty() && self.content().is_some() {
            out.push(ConfigProblem::field(
                "content",
                "source(s) conflicts with content.",
            ));
        }
        if sources.is_empty() && self.content().is_none() {
            out.push(ConfigProblem::block("Source must be specified."));
        }
        if self.content().is_some() && direction == "download" {
            out.push(ConfigProblem::field(
                "content",
                "content can only be uploaded: it does not go with direction = \"download\".",
            ));
        }
        if self.destination().is_empty() {
            out.push(ConfigProblem::block("Destination must be specified."));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(c: &FileConfig) -> Vec<String> {
        c.validate().into_iter().map(|p| p.message).collect()
    }

    #[test]
    fn packers_messages() {
        assert_eq!(
            messages(&FileConfig::default()),
            [
                "Source must be specified.",
                "Destination must be specified."
            ]
        );
        let c = FileConfig {
            source: Some("/nonexistent/a".into()),
            direction: Some("sideways".into()),
            destination: Some("/tmp/x".into()),
            ..FileConfig::default()
        };
        assert_eq!(
            messages(&c),
            ["Direction must be one of: download, upload."]
        );
        let c = FileConfig {
            direction: None,
            ..c
        };
        assert_eq!(
            messages(&c),
            ["Bad source '/nonexistent/a': stat /nonexistent/a: no such file or directory"]
        );
        let generated = FileConfig {
            generated: Some(true),
            ..c.clone()
        };
        assert!(messages(&generated).is_empty());
        let download = FileConfig {
            direction: Some("download".into()),
            ..c
        };
        assert!(messages(&download).is_empty());
    }

    #[test]
    fn content_instead_of_sources() {
        let c = FileConfig {
            content: Some("hello".into()),
            destination: Some("/tmp/x".into()),
            ..FileConfig::default()
        };
        assert!(messages(&c).is_empty());
        let both = FileConfig {
            source: Some("/etc/hostname".into()),
            ..c
        };
        assert_eq!(messages(&both), ["source(s) conflicts with content."]);
    }

    #[test]
    fn source_comes_after_sources() {
        let c = FileConfig {
            source: Some("c".into()),
            sources: Some(vec!["a".into(), "b".into()]),
            ..FileConfig::default()
        };
        assert_eq!(c.sources(), ["a", "b", "c"]);
        assert_eq!(c.direction(), Direction::Upload);
    }
}
