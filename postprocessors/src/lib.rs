//! kiln-postprocessors: what happens to an artifact after its build, as
//! Packer's post-processors do it. One module per post-processor
//! (`manifest`, `checksum`, `compress`, `artifice`, `vagrant`); the rest is what they share:
//! locked, atomic file updates, streaming digests and the legacy
//! `{{ .BuildName }}` output templates.

// Tests unwrap: a failing test should stop at the line that failed.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod artifice;
pub mod checksum;
pub mod compress;
mod digest;
mod error;
mod go_json;
mod lock;
pub mod manifest;
mod output_template;
pub mod vagrant;
mod watch;

pub use artifice::{Artifice, ArtificeConfig};
pub use checksum::{Checksum, ChecksumConfig};
pub use compress::{Compress, CompressConfig};
pub use error::PostProcessError;
pub use manifest::{Manifest, ManifestConfig};
pub use vagrant::{Vagrant, VagrantConfig};
