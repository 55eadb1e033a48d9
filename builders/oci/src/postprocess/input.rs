//! The image an artifact stands for, from the state the OCI builder and
//! these post-processors record: an OCI layout, an oci-archive or a
//! docker-archive. Anything else gets an error naming the artifact and
//! saying why it holds no image.

use crate::error::OciError;
use crate::image::reload::Stored;
use kiln_core::{Artifact, BuildError};

/// Where an image artifact's image is, its tag and repository.
pub struct ImageInput {
    pub stored: Stored,
    pub tag: Option<String>,
    pub repository: String,
}

impl ImageInput {
    /// The layout directory, for `docker-tag`, which names the image in
    /// its `index.json`; an archive is a file written once.
    pub fn layout(&self, a: &Artifact) -> Result<&std::path::Path, BuildError> {
        match &self.stored {
            Stored::Layout(dir) => Ok(dir),
            Stored::OciArchive(p) | Stored::DockerArchive(p) => Err(OciError::TagArchive {
                artifact: a.id.clone(),
                path: p.clone(),
            }
            .into()),
        }
    }
}

/// `what`: the post-processor's verb, for the error ("push", "save").
pub fn image(a: &Artifact, what: &'static str) -> Result<ImageInput, BuildError> {
    let path = |key: &str| a.state.get(key).and_then(|v| v.as_str()).map(Into::into);
    let stored = if let Some(p) = path("oci_layout") {
        Stored::Layout(p)
    } else if let Some(p) = path("oci_archive") {
        Stored::OciArchive(p)
    } else if let Some(p) = path("docker_archive") {
        Stored::DockerArchive(p)
    } else if let Some(p) = a.state.get("export_path").and_then(|v| v.as_str()) {
        return Err(OciError::ExportIsNotImage {
            verb: what,
            path: p.to_owned(),
        }
        .into());
    } else {
        return Err(OciError::NotAnImage {
            verb: what,
            artifact: a.id.clone(),
            builder: a.builder_id.clone(),
        }
        .into());
    };
    Ok(ImageInput {
        stored,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(key: &str, path: &str) -> Artifact {
        let mut a = Artifact::new("kiln.oci", "sha256:abc", "an image");
        a.state.insert(key.into(), path.into());
        a.state
            .insert("repository".into(), "localhost:5000/app".into());
        a
    }

    #[test]
    fn every_output_form_is_an_image() {
        for (key, want) in [
            ("oci_layout", Stored::Layout("out".into())),
            ("oci_archive", Stored::OciArchive("out".into())),
            ("docker_archive", Stored::DockerArchive("out".into())),
        ] {
            let img = image(&artifact(key, "out"), "push").unwrap();
            assert_eq!(img.stored, want);
            assert_eq!(img.repository, "localhost:5000/app");
        }
    }

    #[test]
    fn what_holds_no_image_says_which_artifact_and_why() {
        let err = image(&artifact("export_path", "flat.tar"), "push")
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("cannot push artifact \"flat.tar\""), "{err}");
        assert!(err.contains("file system export"), "{err}");
        assert!(err.contains("commit = true"), "{err}");

        let mut other = Artifact::new("transcend.qemu", "disk.qcow2", "a disk");
        other.files.push("disk.qcow2".into());
        let err = image(&other, "push").err().unwrap().to_string();
        assert!(
            err.contains("cannot push artifact \"disk.qcow2\" of transcend.qemu"),
            "{err}"
        );
        assert!(err.contains("not a container image"), "{err}");
        assert!(!err.contains("Can only push"), "{err}");
    }

    #[test]
    fn docker_tag_needs_a_layout_and_says_so_for_archives() {
        let a = artifact("oci_archive", "app.tar");
        let img = image(&a, "tag").unwrap();
        let err = img.layout(&a).err().unwrap().to_string();
        assert!(err.contains("it is an archive (app.tar)"), "{err}");
        assert!(err.contains("oci-push's repository and tags"), "{err}");
    }
}
