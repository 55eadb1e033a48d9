//! The `null` builder: creates no machine. With `communicator = "none"` it
//! only runs local steps; with SSH settings it provisions an existing host.

use kiln_core::component::{ConfigProblem, Validate};
use kiln_core::step::{run_steps, Provisionable, Step, StepProvision};
use kiln_core::{Artifact, BuildCtx, BuildError, Builder, Communicator, Generated, NoneComm};
use serde::Deserialize;

/// `source "null" "NAME" { … }`, with Packer's field names.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NullConfig {
    /// `ssh` (Packer's default) or `none`.
    pub communicator: Option<String>,
    pub ssh_host: Option<String>,
    pub ssh_port: Option<u16>,
    pub ssh_username: Option<String>,
    pub ssh_password: Option<String>,
    pub ssh_private_key_file: Option<String>,
    pub ssh_agent_auth: Option<bool>,
    pub ssh_timeout: Option<String>,
    pub ssh_handshake_attempts: Option<u32>,
    pub ssh_keep_alive_interval: Option<String>,
    pub ssh_pty: Option<bool>,
    pub ssh_bastion_host: Option<String>,
    pub ssh_bastion_port: Option<u16>,
    pub ssh_bastion_username: Option<String>,
    pub ssh_bastion_password: Option<String>,
    pub ssh_bastion_private_key_file: Option<String>,
    pub pause_before_connecting: Option<String>,
}

impl NullConfig {
    pub fn communicator(&self) -> &str {
        self.communicator.as_deref().unwrap_or("ssh")
    }
}

impl Validate for NullConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        match self.communicator() {
            "none" => {}
            "ssh" => {
                if self.ssh_host.as_deref().unwrap_or("").is_empty() {
                    out.push(ConfigProblem::block(
                        "a Host must be specified, please reference your communicator documentation",
                    ));
                }
                if self.ssh_username.as_deref().unwrap_or("").is_empty() {
                    out.push(ConfigProblem::block("an ssh_username must be specified"));
                }
                let has_auth = self.ssh_password.is_some()
                    || self.ssh_private_key_file.is_some()
                    || self.ssh_agent_auth == Some(true);
                if !has_auth {
                    out.push(ConfigProblem::block(
                        "one authentication method must be specified: ssh_password, ssh_private_key_file or ssh_agent_auth",
                    ));
                }
            }
            other => out.push(ConfigProblem::field(
                "communicator",
                format!("unsupported communicator {other:?}: use \"ssh\" or \"none\""),
            )),
        }
        out
    }
}

/// Packer's builder id for the null builder; the manifest records it.
pub const BUILDER_ID: &str = "fnoeding.null";

pub struct NullBuilder {
    config: NullConfig,
}

impl From<NullConfig> for NullBuilder {
    fn from(config: NullConfig) -> NullBuilder {
        NullBuilder { config }
    }
}

struct State {
    comm: Box<dyn Communicator>,
    generated: Generated,
}

impl Provisionable for State {
    fn communicator(&self) -> &dyn Communicator {
        self.comm.as_ref()
    }
    fn generated(&self) -> Generated {
        self.generated.clone()
    }
}

impl Builder for NullBuilder {
    fn run(&mut self, ctx: &BuildCtx<'_>) -> Result<Option<Artifact>, BuildError> {
        let mut generated = Generated::new();
        generated.insert("ConnType".into(), self.config.communicator().to_owned());
        let comm: Box<dyn Communicator> = match self.config.communicator() {
            "none" => Box::new(NoneComm),
            _ => {
                // The SSH communicator arrives with the QEMU builder (issue 4).
                return Err(BuildError::msg(
                    "the ssh communicator is not available in this version of kiln; use communicator = \"none\"",
                ));
            }
        };
        let mut state = State { comm, generated };
        let mut steps: Vec<Box<dyn Step<State>>> = vec![Box::new(StepProvision::default())];
        run_steps(&mut steps, &mut state, ctx)?;
        Ok(Some(Artifact::new(
            BUILDER_ID,
            "Null",
            "Did not export anything. This is the null builder",
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_needs_nothing_and_ssh_needs_host_user_auth() {
        let none = NullConfig {
            communicator: Some("none".into()),
            ..NullConfig::default()
        };
        assert!(none.validate().is_empty());
        assert_eq!(NullConfig::default().validate().len(), 3);
        let winrm = NullConfig {
            communicator: Some("winrm".into()),
            ..NullConfig::default()
        };
        assert_eq!(winrm.validate()[0].field, Some("communicator"));
    }
}
