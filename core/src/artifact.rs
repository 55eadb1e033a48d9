//! What a build produces and post-processors transform: Packer's
//! `packer.Artifact` as a plain value.

use crate::error::BuildError;
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// The `state` key of [`Artifact::set_base_image`].
pub const BASE_IMAGE: &str = "base_image";

/// Why an artifact's default `destroy` failed.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    #[error("removing {}: {source}", .path.display())]
    Remove {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Deletes what an artifact stands for (files, cloud images), for
/// post-processor chains that do not keep their input.
pub trait Destroy: Send + Sync {
    fn destroy(&self, artifact: &Artifact) -> Result<(), BuildError>;
}

#[derive(Clone, Default)]
pub struct Artifact {
    /// Packer's builder id, e.g. `fnoeding.null`, `transcend.qemu`.
    pub builder_id: String,
    /// `artifact_id` in the manifest.
    pub id: String,
    /// One human line, printed in the final summary.
    pub description: String,
    pub files: Vec<PathBuf>,
    /// sha256 (hex) of files, when the producer already computed it.
    pub sha256: BTreeMap<PathBuf, String>,
    /// Extra facts for post-processors and the manifest (image digest,
    /// repository and tags, AMI ids by region, …).
    pub state: BTreeMap<String, serde_json::Value>,
    destroyer: Option<Arc<dyn Destroy>>,
}

impl fmt::Debug for Artifact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Artifact")
            .field("builder_id", &self.builder_id)
            .field("id", &self.id)
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

impl Artifact {
    pub fn new(
        builder_id: impl Into<String>,
        id: impl Into<String>,
        description: impl Into<String>,
    ) -> Artifact {
        Artifact {
            builder_id: builder_id.into(),
            id: id.into(),
            description: description.into(),
            ..Artifact::default()
        }
    }

    pub fn with_files(mut self, files: Vec<PathBuf>) -> Artifact {
        self.files = files;
        self
    }

    /// Record what the artifact was built from (an ISO or cloud image, a
    /// base image, a source AMI) for its provenance: `uri` as the user
    /// named it, `sha256` (hex) when the base has one.
    pub fn set_base_image(&mut self, uri: impl Into<String>, sha256: Option<String>) {
        let mut v = serde_json::json!({ "uri": uri.into() });
        if let Some(d) = sha256 {
            v["digest"] = serde_json::json!({ "sha256": d });
        }
        self.state.insert(BASE_IMAGE.into(), v);
    }

    pub fn with_destroyer(mut self, d: Arc<dyn Destroy>) -> Artifact {
        self.destroyer = Some(d);
        self
    }

    /// Remove what the artifact stands for: its own destroyer if it has
    /// one, else its files.
    pub fn destroy(&self) -> Result<(), BuildError> {
        if let Some(d) = &self.destroyer {
            return d.destroy(self);
        }
        for f in &self.files {
            let r = if f.is_dir() {
                std::fs::remove_dir_all(f)
            } else {
                std::fs::remove_file(f)
            };
            match r {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => {
                    return Err(BuildError::failed(ArtifactError::Remove {
                        path: f.clone(),
                        source,
                    }))
                }
            }
        }
        Ok(())
    }
}
