//! The steps that prepare what the VM boots with besides its disk: the
//! temporary key pair, the `cd_files`/`cd_content` CD or the NoCloud seed.

use crate::cd::{make_iso, CdSpec};
use crate::config::Settings;
use crate::error::QemuError;
use crate::state::State;
use kiln_communicator_ssh::KeyPair;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};

/// Generates the build's temporary key pair; its cleanup forgets it (it
/// only ever lives in memory).
pub struct StepTemporaryKey;

impl Step<State> for StepTemporaryKey {
    fn name(&self) -> &str {
        "StepSSHKeyGen"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        // A build resuming from a cached snapshot has its key already.
        if state.key_pair.is_some() {
            return Ok(());
        }
        ctx.ui
            .say("Creating temporary ed25519 SSH key for this build...");
        state.key_pair = Some(KeyPair::generate().map_err(QemuError::from)?);
        Ok(())
    }

    fn cleanup(&mut self, state: &mut State, _ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        state.key_pair = None;
        Ok(())
    }
}

/// What the CD step puts on its CD.
pub enum CdKind {
    /// `cd_files`/`cd_content`/`cd_label`.
    User(CdSpec),
    /// kiln's NoCloud seed for `ssh_username`; `instance` is its
    /// instance id (a new one makes cloud-init run its per-instance work).
    Seed { username: String, instance: String },
}

pub struct StepCreateCd {
    pub kind: CdKind,
    pub settings: Settings,
}

impl Step<State> for StepCreateCd {
    fn name(&self) -> &str {
        "StepCreateCD"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let (spec, file) = match &self.kind {
            CdKind::User(spec) => {
                ctx.ui.say("Creating CD disk...");
                (spec.clone(), "cd.iso")
            }
            CdKind::Seed { username, instance } => {
                let Some(key) = &state.key_pair else {
                    return Err(QemuError::MissingState {
                        step: "StepCreateCd",
                        what: "temporary key for the seed",
                    }
                    .into());
                };
                ctx.ui.say(&format!(
                    "Creating NoCloud seed (cidata) for user '{username}' with the temporary SSH key..."
                ));
                (
                    crate::seed::cd_spec(
                        username,
                        key.public_line(),
                        &self.settings.vm_name,
                        instance,
                    ),
                    "cidata.iso",
                )
            }
        };
        let iso = state.work_dir.join(file);
        // Registered before it exists: the work directory's cleanup
        // removes it with everything else.
        state.cd_path = Some(iso.clone());
        make_iso(&spec, &state.work_dir.join("cd-staging"), &iso, ctx.cancel).map_err(|e| {
            ctx.ui.error(&format!("Error creating CD: {e}"));
            BuildError::from(e)
        })
    }

    fn cleanup(&mut self, state: &mut State, _ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if let Some(p) = state.cd_path.take() {
            let _ = std::fs::remove_file(p);
        }
        Ok(())
    }

    fn left_behind(&self, state: &State) -> Vec<String> {
        state
            .cd_path
            .iter()
            .map(|p| format!("CD image {}", p.display()))
            .collect()
    }
}
