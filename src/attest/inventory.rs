//! The image's package inventory at the end of provisioning, read
//! through the build's communicator: in place when it works on a root
//! filesystem on this host (a container), else by asking the machine once
//! which databases it has and downloading those (SSH).

use kiln_core::communicator::Output;
use kiln_core::{Cancel, Communicator};
use kiln_sbom::{DirSource, FileSource, Inventory, SbomError};
use std::collections::BTreeSet;

/// Collects a command's standard output.
#[derive(Default)]
struct Collect(Vec<u8>);

impl Output for Collect {
    fn stdout(&mut self, chunk: &[u8]) {
        self.0.extend_from_slice(chunk);
    }
    fn stderr(&mut self, _chunk: &[u8]) {}
}

struct CommSource<'a> {
    comm: &'a dyn Communicator,
    present: BTreeSet<String>,
}

impl FileSource for CommSource<'_> {
    fn read(&self, path: &str) -> std::io::Result<Option<Vec<u8>>> {
        if !self.present.contains(path) {
            return Ok(None);
        }
        let mut out = Vec::new();
        self.comm
            .download(path, &mut out)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok(Some(out))
    }

    fn exists(&self, path: &str) -> std::io::Result<bool> {
        Ok(self.present.contains(path))
    }
}

/// The paths (from the fixed list `kiln_sbom::paths`, so no quoting
/// question arises) that are regular files on the machine, following
/// links as the downloads will.
fn present(comm: &dyn Communicator, cancel: &Cancel) -> Result<BTreeSet<String>, SbomError> {
    let all = kiln_sbom::paths();
    let script = format!(
        "for f in {}; do [ -f \"$f\" ] && echo \"$f\"; done; true",
        all.join(" ")
    );
    let mut out = Collect::default();
    let code = comm
        .exec(&script, &mut out, cancel)
        .map_err(|e| SbomError::Read {
            path: "the package databases".into(),
            source: std::io::Error::other(e.to_string()),
        })?;
    if code != 0 {
        return Err(SbomError::Read {
            path: "the package databases".into(),
            source: std::io::Error::other(format!("listing them exited with {code}")),
        });
    }
    Ok(String::from_utf8_lossy(&out.0)
        .lines()
        .map(str::trim)
        .filter(|l| all.contains(l))
        .map(str::to_owned)
        .collect())
}

pub fn read(comm: &dyn Communicator, cancel: &Cancel) -> Result<Inventory, SbomError> {
    if let Some(root) = comm.root_dir() {
        return kiln_sbom::inventory(&DirSource {
            root: root.to_path_buf(),
        });
    }
    let src = CommSource {
        comm,
        present: present(comm, cancel)?,
    };
    kiln_sbom::inventory(&src)
}
