//! `shell-local`: run commands on the machine running kiln, as a
//! provisioner or as a post-processor (one configuration, one runner).

mod config;
mod error;
mod run;

#[cfg(test)]
mod tests;

pub use config::ShellLocalConfig;
pub use error::ShellLocalError;

use kiln_core::{
    Artifact, BuildError, Communicator, PostProcessCtx, PostProcessed, PostProcessor, ProvisionCtx,
    Provisioner,
};
use run::Local;

/// Runs the commands on the machine running kiln.
pub struct ShellLocal {
    pub config: ShellLocalConfig,
}

impl From<ShellLocalConfig> for ShellLocal {
    fn from(config: ShellLocalConfig) -> ShellLocal {
        ShellLocal { config }
    }
}

impl Provisioner for ShellLocal {
    fn provision(
        &self,
        ctx: &ProvisionCtx<'_>,
        _comm: &dyn Communicator,
    ) -> Result<(), BuildError> {
        let local = Local {
            info: ctx.info,
            ui: ctx.ui,
            cancel: ctx.cancel,
            generated: ctx.generated,
        };
        run::run(&self.config, &self.config.execute_command(), &local)
    }
}

impl PostProcessor for ShellLocal {
    fn post_process(
        &self,
        ctx: &PostProcessCtx<'_>,
        input: &Artifact,
    ) -> Result<PostProcessed, BuildError> {
        let local = Local {
            info: ctx.info,
            ui: ctx.ui,
            cancel: ctx.cancel,
            generated: ctx.generated,
        };
        run::run(&self.config, &post_processor_command(&self.config), &local)?;
        // Packer returns `(artifact, true, true, nil)`: the input passes
        // through and is always kept, whatever `keep_input_artifact` says.
        Ok(PostProcessed::passthrough(input))
    }
}

/// The post-processor once took `execute_command` as one string run by
/// `sh -c`; Packer still reads a one-element list that way.
fn post_processor_command(config: &ShellLocalConfig) -> Vec<String> {
    let command = config.execute_command();
    match command.as_slice() {
        [only] => vec!["sh".to_owned(), "-c".to_owned(), only.clone()],
        _ => command,
    }
}
