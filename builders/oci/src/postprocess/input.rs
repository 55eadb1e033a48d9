//! The image an artifact stands for, from the state the OCI builder and
//! these post-processors record.

use kiln_core::{Artifact, BuildError};
use std::path::PathBuf;

/// Layout directory, tag and repository of an image artifact.
pub struct ImageInput {
    pub layout: PathBuf,
    pub tag: Option<String>,
    pub repository: String,
}

pub fn image(a: &Artifact, what: &str) -> Result<ImageInput, BuildError> {
    let layout = a.state.get("oci_layout").and_then(|v| v.as_str());
    let Some(layout) = layout else {
        return Err(BuildError::msg(format!(
            "Unknown artifact type: {}\nCan only {what} from Docker builder artifacts.",
            a.builder_id
        )));
    };
    Ok(ImageInput {
        layout: layout.into(),
        tag: a
            .state
            .get("oci_ref")
            .and_then(|v| v.as_str())
            .map(str::to_owned),
        repository: a
            .state
            .get("repository")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned(),
    })
}
