//! The key pair the instance launches with: the private key file given,
//! an existing `ssh_keypair_name` with the agent, or a temporary key pair
//! created with CreateKeyPair (EC2 keeps the public half and hands back
//! the private one) and deleted in cleanup.

use crate::error::{fail, AmazonError};
use crate::state::State;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};

pub struct StepKeyPair {
    pub private_key_file: Option<String>,
    pub agent_auth: bool,
    pub keypair_name: Option<String>,
    /// Set when the build should create a temporary key pair.
    pub temporary_name: Option<String>,
    /// `-debug`: write the temporary private key here.
    pub debug_key_path: Option<String>,
    created: Option<String>,
}

impl StepKeyPair {
    pub fn new(
        private_key_file: Option<String>,
        agent_auth: bool,
        keypair_name: Option<String>,
        temporary_name: Option<String>,
        debug_key_path: Option<String>,
    ) -> StepKeyPair {
        StepKeyPair {
            private_key_file,
            agent_auth,
            keypair_name,
            temporary_name,
            debug_key_path,
            created: None,
        }
    }
}

impl Step<State> for StepKeyPair {
    fn name(&self) -> &str {
        "StepKeyPair"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if let Some(file) = &self.private_key_file {
            ctx.ui.say("Using existing SSH private key");
            state.key_name = self.keypair_name.clone();
            let path = kiln_communicator_ssh::config::expand_user(file);
            let key = std::fs::read_to_string(&path).map_err(|source| AmazonError::ReadKey {
                file: file.clone(),
                source,
            })?;
            state.private_key = Some(key);
            return Ok(());
        }
        if self.agent_auth {
            match &self.keypair_name {
                None => ctx.ui.say("Using SSH Agent with key pair in Source AMI"),
                Some(k) => ctx
                    .ui
                    .say(&format!("Using SSH Agent for existing key pair {k}")),
            }
            state.key_name = self.keypair_name.clone();
            return Ok(());
        }
        let Some(name) = self.temporary_name.clone() else {
            ctx.ui.say("Not using temporary keypair");
            return Ok(());
        };
        ctx.ui.say(&format!("Creating temporary keypair: {name}"));
        let ec2 = &state.ec2;
        let out = ec2
            .create(
                "CreateKeyPair",
                ec2.client.create_key_pair().key_name(&name).send(),
            )
            .map_err(|e| fail(ctx, "Error creating temporary keypair", e))?;
        self.created = Some(name.clone());
        state.key_name = Some(name);
        state.private_key = out.key_material().map(str::to_owned);
        if let (Some(path), Some(key)) = (&self.debug_key_path, &state.private_key) {
            ctx.ui
                .message(&format!("Saving key for debug purposes: {path}"));
            write_private(path, key).map_err(AmazonError::DebugKey)?;
        }
        Ok(())
    }

    fn cleanup(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let Some(name) = self.created.take() else {
            return Ok(());
        };
        ctx.ui.say("Deleting temporary keypair...");
        let ec2 = &state.ec2;
        if ec2
            .call(
                ctx.cancel,
                "DeleteKeyPair",
                ec2.client.delete_key_pair().key_name(&name).send(),
            )
            .is_err()
        {
            ctx.ui.error(&format!(
                "Error cleaning up keypair. Please delete the key manually: {name}"
            ));
        }
        if let Some(path) = &self.debug_key_path {
            if let Err(e) = std::fs::remove_file(path) {
                ctx.ui
                    .error(&format!("Error removing debug key '{path}': {e}"));
            }
        }
        Ok(())
    }

    fn left_behind(&self, state: &State) -> Vec<String> {
        self.created
            .iter()
            .map(|k| format!("EC2 key pair {k} ({})", state.ec2.region))
            .collect()
    }
}

fn write_private(path: &str, key: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(key.as_bytes())
}
