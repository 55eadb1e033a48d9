//! Writing a finished image: an OCI layout directory (tagged), an
//! oci-archive or a docker-archive, each staged under a temporary name in
//! the destination's folder and renamed into place when complete.

pub mod compose;
pub mod docker_archive;
pub mod layout;
pub mod oci_archive;
pub mod stage;

use crate::error::OciError;
use compose::Built;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Layout,
    OciArchive,
    DockerArchive,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s {
            "oci" | "oci-layout" => Format::Layout,
            "oci-archive" => Format::OciArchive,
            "docker-archive" => Format::DockerArchive,
            _ => return None,
        })
    }
}

/// Names the image gets: `repository` and its tags.
#[derive(Debug, Clone)]
pub struct Names {
    pub repository: String,
    pub tags: Vec<String>,
}

pub struct WriteOptions {
    pub force: bool,
    /// mtime of archive members.
    pub epoch: i64,
}

pub fn write(
    built: &Built,
    format: Format,
    dest: &Path,
    names: &Names,
    opts: &WriteOptions,
) -> Result<(), OciError> {
    match format {
        Format::Layout => layout::write(built, dest, &names.tags, opts.force),
        Format::OciArchive => oci_archive::write(built, dest, &names.tags, opts),
        Format::DockerArchive => docker_archive::write(built, dest, names, opts),
    }
}
