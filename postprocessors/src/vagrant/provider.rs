//! Which Vagrant provider a box is made for: `provider_override`, else
//! the artifact's builder (Packer's `builtins` table), else, for an
//! artifice artifact, libvirt when one of its files is a qcow2 disk.

use kiln_core::Artifact;
use std::path::Path;

use super::disk;
use super::error::VagrantError;

/// The providers kiln makes boxes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Libvirt,
    Docker,
    File,
}

/// Packer's providers kiln has no builder for, with why.
const UNSUPPORTED: &[(&str, &str)] = &[
    ("aws", AWS),
    ("azure", NO_BUILDER),
    ("digitalocean", NO_BUILDER),
    ("google", NO_BUILDER),
    ("hyperv", NO_BUILDER),
    ("lxc", NO_BUILDER),
    ("parallels", NO_BUILDER),
    ("scaleway", NO_BUILDER),
    ("virtualbox", NO_BUILDER),
    ("vmware", NO_BUILDER),
];
const NO_BUILDER: &str =
    "kiln has no builder for it; kiln makes libvirt (qemu), docker and file boxes";
const AWS: &str = "kiln makes libvirt (qemu), docker and file boxes only";

/// Packer's builder ids whose provider kiln lacks (kiln builds AMIs).
const UNSUPPORTED_BUILDERS: &[(&str, &str)] = &[
    ("mitchellh.amazonebs", "aws"),
    ("mitchellh.amazon.instance", "aws"),
];

/// Artifice's builder id: its files are whatever the user listed.
const ARTIFICE: &str = crate::artifice::BUILDER_ID;

impl Provider {
    pub fn name(self) -> &'static str {
        match self {
            Provider::Libvirt => "libvirt",
            Provider::Docker => "docker",
            Provider::File => "file",
        }
    }

    /// Whether the box only names the input, which must then stay. The
    /// plugin drops a docker box's input image too, but there that only
    /// removes a tag; kiln's image is a layout directory the builder's
    /// artifact shares, so dropping it would leave the box naming nothing.
    /// A libvirt or file box holds its input's files.
    pub fn box_needs_input(self) -> bool {
        matches!(self, Provider::Docker)
    }

    /// A `provider_override` value.
    pub fn from_name(name: &str) -> Result<Provider, VagrantError> {
        match name {
            "libvirt" => Ok(Provider::Libvirt),
            "docker" => Ok(Provider::Docker),
            "file" => Ok(Provider::File),
            _ => match UNSUPPORTED.iter().find(|(n, _)| *n == name) {
                Some((_, why)) => Err(VagrantError::UnsupportedProvider {
                    name: name.to_owned(),
                    why,
                }),
                None => {
                    let mut all: Vec<&str> = UNSUPPORTED.iter().map(|(n, _)| *n).collect();
                    all.extend(["docker", "file", "libvirt"]);
                    all.sort_unstable();
                    Err(VagrantError::InvalidProvider {
                        name: name.to_owned(),
                        choices: all.join(", "),
                    })
                }
            },
        }
    }

    /// The provider for `artifact` when the user did not name one.
    pub fn for_artifact(artifact: &Artifact) -> Result<Provider, VagrantError> {
        match artifact.builder_id.as_str() {
            kiln_builder_ids::QEMU => Ok(Provider::Libvirt),
            kiln_builder_ids::FILE => Ok(Provider::File),
            kiln_builder_ids::DOCKER_IMPORT
            | kiln_builder_ids::DOCKER_TAG
            | kiln_builder_ids::DOCKER_PUSH => Ok(Provider::Docker),
            ARTIFICE => match disk::find_qcow2(&artifact.files)? {
                Some(_) => Ok(Provider::Libvirt),
                None => Err(VagrantError::ArtificeWithoutDisk {
                    files: joined(&artifact.files),
                }),
            },
            id => match UNSUPPORTED_BUILDERS.iter().find(|(b, _)| *b == id) {
                Some((_, provider)) => Err(VagrantError::UnsupportedArtifact {
                    builder_id: id.to_owned(),
                    provider,
                    why: AWS,
                }),
                None => Err(VagrantError::UnknownArtifact {
                    builder_id: id.to_owned(),
                }),
            },
        }
    }
}

/// Builder ids of the artifacts Packer's table maps, as kiln's components
/// set them (spelled out: the builder crates sit beside this one, not
/// below it).
mod kiln_builder_ids {
    pub const QEMU: &str = "transcend.qemu";
    pub const FILE: &str = "packer.file";
    pub const DOCKER_IMPORT: &str = "packer.post-processor.docker-import";
    pub const DOCKER_TAG: &str = "packer.post-processor.docker-tag";
    pub const DOCKER_PUSH: &str = "packer.post-processor.docker-push";
}

pub(super) fn joined(files: &[impl AsRef<Path>]) -> String {
    if files.is_empty() {
        return "none".to_owned();
    }
    files
        .iter()
        .map(|f| f.as_ref().display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
