//! The `file` builder: an artifact made of one local file, written from
//! `content` or copied from `source`. No machine, so it is quick, and
//! useful to test post-processor chains.
//!
//! As Packer 1.6.6's file builder:
//! - it runs the build's provisioners after writing the file (Packer calls
//!   its provision hook with a mock communicator). kiln hands them the
//!   `none` communicator instead, so `shell-local` and `breakpoint` work
//!   and a remote provisioner fails with a clear error rather than
//!   silently doing nothing;
//! - an existing target is replaced whether or not `-force` is given
//!   (Packer's builder never looks at it), keeping the old file's
//!   permissions as Packer's in-place truncation does;
//! - the artifact's id is `File` and its description `Stored file: TARGET`.

mod config;
mod error;
mod write;

pub use config::FileConfig;
pub use error::FileError;

use kiln_core::step::{run_steps, Provisionable, Step, StepProvision};
use kiln_core::{Artifact, BuildCtx, BuildError, Builder, Communicator, Generated, NoneComm};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use write::Pending;

/// Packer's builder id for the file builder.
pub const BUILDER_ID: &str = "packer.file";

/// Copy chunk size; the token is checked between chunks.
const CHUNK: usize = 1 << 20;

pub struct FileBuilder {
    config: FileConfig,
}

impl From<FileConfig> for FileBuilder {
    fn from(config: FileConfig) -> FileBuilder {
        FileBuilder { config }
    }
}

struct State {
    comm: NoneComm,
}

impl Provisionable for State {
    fn communicator(&self) -> &dyn Communicator {
        &self.comm
    }
    /// Packer's file builder passes no generated data to its hook.
    fn generated(&self) -> Generated {
        Generated::new()
    }
}

impl Builder for FileBuilder {
    fn run(&mut self, ctx: &BuildCtx<'_>) -> Result<Option<Artifact>, BuildError> {
        let target = self.config.target().to_owned();
        let mut steps: Vec<Box<dyn Step<State>>> = vec![
            Box::new(StepWriteTarget {
                config: self.config.clone(),
            }),
            Box::new(StepProvision::default()),
        ];
        run_steps(&mut steps, &mut State { comm: NoneComm }, ctx)?;
        Ok(Some(
            Artifact::new(BUILDER_ID, "File", format!("Stored file: {target}"))
                .with_files(vec![PathBuf::from(target)]),
        ))
    }
}

/// Writes `content` to, or copies `source` over, the target. No cleanup:
/// like Packer, a later failure leaves the written file in place.
struct StepWriteTarget {
    config: FileConfig,
}

impl Step<State> for StepWriteTarget {
    fn name(&self) -> &str {
        "write target"
    }

    fn run(&mut self, _: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let target = Path::new(self.config.target());
        match self.config.source() {
            Some(source) => copy(source, target, ctx),
            None => {
                // Packer writes content with mode 0600.
                let mut out = Pending::create(target, 0o600).map_err(BuildError::failed)?;
                out.write_all(self.config.content().as_bytes())
                    .map_err(BuildError::failed)?;
                ctx.check_cancel()?;
                out.commit().map_err(BuildError::failed)
            }
        }
    }
}

fn copy(source: &str, target: &Path, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
    let mut input = File::open(source).map_err(|cause| {
        BuildError::failed(FileError::Open {
            path: source.to_owned(),
            cause,
        })
    })?;
    // 0666 less the umask: Go's `os.Create`, which Packer uses.
    let mut out = Pending::create(target, 0o666).map_err(BuildError::failed)?;
    ctx.ui
        .say(&format!("Copying {source} to {}", target.display()));
    let mut buf = vec![0u8; CHUNK];
    let mut copied: u64 = 0;
    loop {
        ctx.check_cancel()?;
        let n = input.read(&mut buf).map_err(|cause| {
            BuildError::failed(FileError::Read {
                path: source.to_owned(),
                cause,
            })
        })?;
        let Some(chunk) = buf.get(..n).filter(|c| !c.is_empty()) else {
            break;
        };
        out.write_all(chunk).map_err(BuildError::failed)?;
        copied += n as u64;
    }
    out.commit().map_err(BuildError::failed)?;
    ctx.ui.say(&format!("Copied {copied} bytes"));
    Ok(())
}

#[cfg(test)]
mod tests;
