//! kiln's cloud-init helpers, steps for any builder whose state reaches
//! the machine (qemu, amazon-ebs; and the test stage's boots):
//! `wait_for_cloud_init` holds provisioning until cloud-init has finished
//! (its package runs race apt and dpkg locks otherwise),
//! `cloud_init_clean` forgets this boot's instance before the shutdown,
//! so every machine started from the image runs cloud-init afresh with a
//! machine-id of its own.

use crate::build::BuildCtx;
use crate::communicator::{CommError, UiLines};
use crate::error::BuildError;
use crate::step::{Provisionable, Step};

/// As root: directly when the login is root, else through `sudo -n`.
const AS_ROOT: &str = r#"as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }"#;

#[derive(Debug, thiserror::Error)]
pub enum CloudInitError {
    #[error("cloud-init did not finish cleanly (cloud-init status --wait exited {0})")]
    Failed(i32),
    #[error("cloud-init is not installed in the guest (wait_for_cloud_init needs it)")]
    Missing,
    #[error("cloud_init_clean failed (exit status {0})")]
    Clean(i32),
    #[error("{0}")]
    Comm(#[from] CommError),
}

fn run<S: Provisionable>(state: &S, ctx: &BuildCtx<'_>, command: &str) -> Result<i32, BuildError> {
    let mut out = UiLines::new(ctx.ui);
    let r = state.communicator().exec(command, &mut out, ctx.cancel);
    out.flush();
    match r {
        Ok(code) => Ok(code),
        Err(CommError::Cancelled) => Err(BuildError::Cancelled),
        Err(e) => Err(BuildError::failed(CloudInitError::Comm(e))),
    }
}

pub struct StepWaitCloudInit {
    /// Whether an image without cloud-init is an error
    /// (`wait_for_cloud_init`) or just nothing to wait for (a test boot).
    pub required: bool,
}

impl<S: Provisionable> Step<S> for StepWaitCloudInit {
    fn name(&self) -> &str {
        "wait for cloud-init"
    }
    fn run(&mut self, state: &mut S, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        ctx.ui.say("Waiting for cloud-init to finish...");
        match run(
            state,
            ctx,
            "command -v cloud-init >/dev/null || exit 127; cloud-init status --wait",
        )? {
            // 2: done, with recoverable errors (cloud-init ≥ 23.4).
            0 => Ok(()),
            2 => {
                ctx.ui.error(
                    "cloud-init finished with recoverable errors (see cloud-init status --long)",
                );
                Ok(())
            }
            127 if self.required => Err(BuildError::failed(CloudInitError::Missing)),
            127 => {
                ctx.ui
                    .message("cloud-init is not installed: nothing to wait for");
                Ok(())
            }
            code => Err(BuildError::failed(CloudInitError::Failed(code))),
        }
    }
}

pub struct StepCloudInitClean;

impl<S: Provisionable> Step<S> for StepCloudInitClean {
    fn name(&self) -> &str {
        "clean cloud-init"
    }
    fn run(&mut self, state: &mut S, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        ctx.ui
            .say("Cleaning cloud-init's state and the machine-id for the next boot...");
        let command = format!(
            "{AS_ROOT}; if command -v cloud-init >/dev/null; then as_root cloud-init clean --logs || exit 1; fi; as_root truncate -s 0 /etc/machine-id && as_root rm -f /var/lib/dbus/machine-id"
        );
        match run(state, ctx, &command)? {
            0 => Ok(()),
            code => Err(BuildError::failed(CloudInitError::Clean(code))),
        }
    }
}
