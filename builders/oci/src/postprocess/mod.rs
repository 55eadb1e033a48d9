//! Packer's docker post-processors over OCI layouts: `docker-tag`,
//! `docker-save`, `docker-import`.

pub mod docker_import;
pub mod docker_push;
pub mod docker_save;
pub mod docker_tag;
pub mod input;
