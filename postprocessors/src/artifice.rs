//! `post-processor "artifice"`: replace the artifact with the files the
//! user lists, so later post-processors (checksum, compress, manifest)
//! work on files a provisioner produced (Packer's artifice).
//!
//! Every file must exist when the post-processor runs; the input artifact
//! is kept unless `keep_input_artifact = false` (Packer's `keep` is true,
//! not forced).

use kiln_core::component::{ConfigProblem, Validate};
use kiln_core::{Artifact, BuildError, PostProcessCtx, PostProcessed, PostProcessor};
use serde::Deserialize;
use std::path::PathBuf;

pub const BUILDER_ID: &str = "packer.post-processor.artifice";

/// Packer's artifice fields (`keep_input_artifact` is a meta-argument the
/// plan takes).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArtificeConfig {
    pub files: Option<Vec<String>>,
}

impl Validate for ArtificeConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        if self.files.as_ref().is_none_or(Vec::is_empty) {
            return vec![ConfigProblem::field(
                "files",
                "No files specified in artifice configuration",
            )];
        }
        Vec::new()
    }
}

/// A listed file that is not there when the chain reaches artifice.
#[derive(Debug, thiserror::Error)]
#[error("artifice: stat {}: {source}", path.display())]
pub struct MissingFile {
    path: PathBuf,
    source: std::io::Error,
}

pub struct Artifice {
    pub config: ArtificeConfig,
}

impl From<ArtificeConfig> for Artifice {
    fn from(config: ArtificeConfig) -> Artifice {
        Artifice { config }
    }
}

impl Artifice {
    fn artifact(&self) -> Result<Artifact, MissingFile> {
        let files: Vec<PathBuf> = self
            .config
            .files
            .iter()
            .flatten()
            .map(PathBuf::from)
            .collect();
        for path in &files {
            if let Err(source) = std::fs::metadata(path) {
                return Err(MissingFile {
                    path: path.clone(),
                    source,
                });
            }
        }
        Ok(Artifact::new(
            BUILDER_ID,
            "",
            format!("Created artifact from files: {}", joined(&files)),
        )
        .with_files(files))
    }
}

fn joined(files: &[PathBuf]) -> String {
    files
        .iter()
        .map(|f| f.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

impl PostProcessor for Artifice {
    fn post_process(
        &self,
        ctx: &PostProcessCtx<'_>,
        input: &Artifact,
    ) -> Result<PostProcessed, BuildError> {
        if !input.files.is_empty() {
            ctx.ui.say(&format!(
                "Discarding files from artifact: {}",
                joined(&input.files)
            ));
        }
        let artifact = self.artifact().map_err(BuildError::failed)?;
        ctx.ui.say(&format!(
            "Using these artifact files: {}",
            joined(&artifact.files)
        ));
        Ok(PostProcessed {
            artifact: Some(artifact),
            keep_input: true,
            force_keep: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifice(files: &[&str]) -> Artifice {
        Artifice::from(ArtificeConfig {
            files: Some(files.iter().map(|f| (*f).to_owned()).collect()),
        })
    }

    #[test]
    fn no_files_is_the_one_problem() {
        for config in [
            ArtificeConfig { files: None },
            ArtificeConfig {
                files: Some(Vec::new()),
            },
        ] {
            let problems = config.validate();
            assert_eq!(problems.len(), 1);
            assert_eq!(problems[0].field, Some("files"));
        }
        assert!(ArtificeConfig {
            files: Some(vec!["a".into()])
        }
        .validate()
        .is_empty());
    }

    #[test]
    fn the_artifact_is_the_listed_files() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.txt");
        let b = dir.path().join("b.bin");
        std::fs::write(&a, "a").unwrap();
        std::fs::write(&b, "b").unwrap();
        let art = artifice(&[a.to_str().unwrap(), b.to_str().unwrap()])
            .artifact()
            .unwrap();
        assert_eq!(art.builder_id, BUILDER_ID);
        assert_eq!(art.files, vec![a.clone(), b.clone()]);
        assert_eq!(
            art.description,
            format!(
                "Created artifact from files: {}, {}",
                a.display(),
                b.display()
            )
        );
    }

    #[test]
    fn a_missing_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let gone = dir.path().join("gone");
        let e = artifice(&[gone.to_str().unwrap()]).artifact().unwrap_err();
        assert!(e.to_string().contains("gone"), "{e}");
    }
}
