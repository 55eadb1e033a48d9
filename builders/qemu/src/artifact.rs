//! The VM artifact: the disks in `output_directory`. Destroying it removes
//! the whole directory, as Packer's qemu artifact does.

use crate::builder::BUILDER_ID;
use crate::error::QemuError;
use kiln_core::artifact::Destroy;
use kiln_core::{Artifact, BuildError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

struct OutputDir(PathBuf);

impl Destroy for OutputDir {
    fn destroy(&self, _artifact: &Artifact) -> Result<(), BuildError> {
        match std::fs::remove_dir_all(&self.0) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(QemuError::io(format!("removing {}", self.0.display()), e).into()),
        }
    }
}

/// The artifact for `files` (the first disk, then the others) in `dir`.
pub fn vm_artifact(dir: &Path, files: Vec<PathBuf>) -> Artifact {
    Artifact::new(
        BUILDER_ID,
        "VM",
        format!("VM files in directory: {}", dir.display()),
    )
    .with_files(files)
    .with_destroyer(Arc::new(OutputDir(dir.to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destroying_removes_the_output_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("disk.qcow2"), "x").unwrap();
        std::fs::write(dir.join("notes.txt"), "x").unwrap();
        let a = vm_artifact(&dir, vec![dir.join("disk.qcow2")]);
        a.destroy().unwrap();
        assert!(!dir.exists());
        a.destroy().unwrap();
    }
}
