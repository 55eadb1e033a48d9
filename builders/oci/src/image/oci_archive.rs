//! oci-archive: a tar of an OCI layout (what `skopeo copy … oci-archive:`
//! and `podman save --format oci-archive` write), read in place.

use super::layout::{self, Members};
use super::platform::Platform;
use super::{tar_index, Image};
use crate::error::OciError;
use std::path::Path;

pub fn load(path: &Path, tag: Option<&str>, platform: &Platform) -> Result<Image, OciError> {
    let store = Members {
        archive: path.to_path_buf(),
        members: tar_index::index(path)?,
    };
    layout::load(&store, tag, platform)
}
