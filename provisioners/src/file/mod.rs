//! `provisioner "file"`: copy files and directories to or from the
//! machine through any [`Communicator`].

mod config;
mod download;
mod error;
mod upload;

pub use config::FileConfig;
pub use error::FileError;

use crate::temp_script::TempScript;
use config::Direction;
use kiln_core::{BuildError, Communicator, ProvisionCtx, Provisioner};
use kiln_template::legacy;

pub struct File {
    config: FileConfig,
}

impl From<FileConfig> for File {
    fn from(config: FileConfig) -> File {
        File { config }
    }
}

impl Provisioner for File {
    /// An upload reads its sources; a download changes this machine, not
    /// the image, so it always runs.
    fn cache_inputs(&self) -> Option<Vec<std::path::PathBuf>> {
        match self.config.direction() {
            config::Direction::Upload => Some(
                self.config
                    .sources()
                    .into_iter()
                    .map(std::path::PathBuf::from)
                    .collect(),
            ),
            config::Direction::Download => None,
        }
    }

    fn provision(&self, ctx: &ProvisionCtx<'_>, comm: &dyn Communicator) -> Result<(), BuildError> {
        self.run(ctx, comm).map_err(|e| match ctx.cancel.reason() {
            Some(reason) => BuildError::from_reason(reason, None),
            None => BuildError::failed(e),
        })
    }
}

impl File {
    fn run(&self, ctx: &ProvisionCtx<'_>, comm: &dyn Communicator) -> Result<(), FileError> {
        let template = crate::legacy_data::context(ctx.info, ctx.generated, &[]);
        let mut sources = self.config.sources();
        // `content` travels as a temporary file, as in later Packers
        // (`pkr-file-content…`, readable by its owner only); dropping it
        // removes it on every way out.
        let mut _content = None;
        if let Some(text) = self.config.content() {
            let file = TempScript::create_with_mode(
                &std::env::temp_dir(),
                "pkr-file-content",
                "",
                text.as_bytes(),
                0o600,
            )
            .map_err(|e| FileError::Local(e.to_string()))?;
            sources.push(file.path().display().to_string());
            _content = Some(file);
        }
        let dst =
            legacy::render(self.config.destination(), &template).map_err(FileError::Destination)?;
        for src in &sources {
            if ctx.cancel.is_cancelled() {
                return Err(FileError::Cancelled);
            }
            let src = legacy::render(src, &template).map_err(FileError::Source)?;
            match self.config.direction() {
                Direction::Upload => upload::upload(comm, ctx.ui, &src, &dst)?,
                Direction::Download => download::download(comm, ctx.ui, &src, &dst)?,
            }
        }
        Ok(())
    }
}
