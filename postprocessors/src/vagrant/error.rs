//! What the vagrant post-processor fails with; Packer's wording where the
//! plugin has one.

use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum VagrantError {
    /// No provider for this builder (Packer's message, plus what kiln takes).
    #[error("Unknown artifact type, can't build box: {builder_id} (kiln makes Vagrant boxes from the artifacts of qemu, file, docker-import, docker-tag, docker-push and of artifice holding a qcow2 disk; set provider_override for others)")]
    UnknownArtifact { builder_id: String },
    #[error("Unknown provider type: When using an artifact created by the artifice post-processor, you need to set the provider_override option (no file of it is a qcow2 disk: {files})")]
    ArtificeWithoutDisk { files: String },
    #[error(
        "The given provider_override {name} is not valid. Please choose from one of {choices}"
    )]
    InvalidProvider { name: String, choices: String },
    /// A provider Packer has and kiln does not make boxes for.
    #[error("the {name} Vagrant provider is not supported by kiln: {why}")]
    UnsupportedProvider { name: String, why: &'static str },
    /// The builder of this artifact is known to need a provider kiln lacks.
    #[error("the artifact of {builder_id} needs the {provider} Vagrant provider, which kiln does not support: {why}")]
    UnsupportedArtifact {
        builder_id: String,
        provider: &'static str,
        why: &'static str,
    },
    #[error("Error interpolating output value: {0}")]
    Output(kiln_template::legacy::LegacyError),
    #[error("Error reading vagrantfile_template {}: {source}", path.display())]
    ReadVagrantfile { path: PathBuf, source: io::Error },
    #[error("Error interpolating vagrantfile_template {}: {source}", path.display())]
    RenderVagrantfile {
        path: PathBuf,
        source: kiln_template::legacy::LegacyError,
    },
    #[error("Error copying include file: {}\n\n{source}", path.display())]
    Include { path: PathBuf, source: io::Error },
    #[error("Error copying include file: {}\n\n{message}", path.display())]
    IncludeNotFile {
        path: PathBuf,
        message: &'static str,
    },
    /// The libvirt provider found no disk to put in the box.
    #[error("libvirt box: no file of the artifact is its disk {wanted:?} (files: {files})")]
    NoDisk { wanted: String, files: String },
    #[error("libvirt box: more than one file of the artifact is a qcow2 disk ({files}); a box holds one")]
    SeveralDisks { files: String },
    #[error("libvirt box: cannot read the disk {}: {source}", path.display())]
    ReadDisk { path: PathBuf, source: io::Error },
    #[error("libvirt box: the artifact's diskSize {0:?} is not a size (a number with an optional B, K, M, G, T, P or E suffix)")]
    DiskSize(String),
    #[error("Unknown libvirt domain type: {0}")]
    DomainType(String),
    #[error("docker box: the artifact has no image id to put in the Vagrantfile")]
    NoImageId,
    #[error("Error creating box {}: {source}", path.display())]
    Create { path: PathBuf, source: io::Error },
    #[error("Error writing box {}: {entry}: {source}", path.display())]
    Write {
        path: PathBuf,
        entry: String,
        source: io::Error,
    },
    #[error("Error writing box {}: {} changed size while it was archived ({expected} bytes, then {got})", path.display(), file.display())]
    Changed {
        path: PathBuf,
        file: PathBuf,
        expected: u64,
        got: u64,
    },
}

impl From<VagrantError> for kiln_core::BuildError {
    fn from(e: VagrantError) -> kiln_core::BuildError {
        kiln_core::BuildError::failed(e)
    }
}
