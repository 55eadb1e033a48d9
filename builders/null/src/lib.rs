//! The `null` builder: creates no machine. With `communicator = "none"` it
//! only runs local steps; with SSH settings it connects to an existing
//! host and provisions it over SSH.

use kiln_communicator_ssh::{CommKind, SshComm, StepConnectSsh};
use kiln_core::component::{ConfigProblem, Validate};
use kiln_core::step::{run_steps, Step, StepProvision};
use kiln_core::tester::{Checks, TestCtx, Tester};
use kiln_core::{Artifact, BuildCtx, BuildError, Builder, Generated};
use serde::Deserialize;

kiln_communicator_ssh::communicator_config! {
    /// `source "null" "NAME" { … }`: nothing but the communicator fields.
    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct NullConfig {}
}

impl Validate for NullConfig {
    /// Packer's communicator checks, then the null builder's own.
    fn validate(&self) -> Vec<ConfigProblem> {
        let comm = self.communicator_config();
        let mut out = comm.problems();
        // WinRM already has its one error; the SSH checks would be noise.
        if comm.kind_name() == "none" || comm.winrm_problem().is_some() {
            return out;
        }
        if comm.ssh_host.as_deref().unwrap_or("").is_empty() {
            out.push(ConfigProblem::block(
                "a Host must be specified, please reference your communicator documentation",
            ));
        }
        if comm.ssh_username.as_deref().unwrap_or("").is_empty() {
            out.push(ConfigProblem::block(
                "a Username must be specified, please reference your communicator documentation",
            ));
        }
        let agent = comm.ssh_agent_auth == Some(true);
        let password = !comm.ssh_password.as_deref().unwrap_or("").is_empty();
        let key = !comm
            .ssh_private_key_file
            .as_deref()
            .unwrap_or("")
            .is_empty();
        if !agent && !password && !key {
            out.push(ConfigProblem::block(
                "one authentication method must be specified, please reference your communicator documentation",
            ));
        }
        if (agent && (password || key)) || (password && key) {
            out.push(ConfigProblem::block(
                "only one of ssh_agent_auth, ssh_password, and ssh_private_key_file must be specified",
            ));
        }
        out
    }

    fn resolve_settings(&self) {
        let _ = self.communicator_config().ssh_settings();
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
    ssh: Option<SshComm>,
    generated: Generated,
}

kiln_communicator_ssh::ssh_provisionable!(State);

impl Builder for NullBuilder {
    fn run(&mut self, ctx: &BuildCtx<'_>) -> Result<Option<Artifact>, BuildError> {
        let comm = self.config.communicator_config();
        let mut steps: Vec<Box<dyn Step<State>>> = Vec::new();
        let mut generated = Generated::new();
        if comm.kind() == Some(CommKind::Ssh) {
            let settings = comm.ssh_settings();
            generated.extend(kiln_communicator_ssh::step::generated(&settings, None));
            steps.push(Box::new(StepConnectSsh::new(settings)));
        } else {
            generated.insert("ConnType".into(), comm.kind_name().to_owned());
        }
        generated.insert("ID".into(), "Null".into());
        steps.push(Box::new(StepProvision::default()));
        let mut state = State {
            ssh: None,
            generated,
        };
        run_steps(&mut steps, &mut state, ctx)?;
        Ok(Some(Artifact::new(
            BUILDER_ID,
            "Null",
            "Did not export anything. This is the null builder",
        )))
    }

    fn tester(&self) -> Option<&dyn Tester> {
        Some(self)
    }

    /// Nothing is ever built: the host itself is what is tested.
    fn existing_artifact(
        &mut self,
        _info: &kiln_core::BuildInfo,
    ) -> Result<Option<Artifact>, BuildError> {
        Ok(Some(Artifact::new(
            BUILDER_ID,
            "Null",
            "the null builder's host",
        )))
    }
}

/// The null builder makes no image, so its "fresh machine" is the host it
/// points at, reached with a connection of the test's own (or none:
/// `communicator = "none"` leaves local checks such as `shell-local`).
impl Tester for NullBuilder {
    fn with_machine(
        &self,
        _artifact: &Artifact,
        ctx: &TestCtx<'_>,
        checks: &mut Checks<'_>,
    ) -> Result<(), BuildError> {
        let comm = self.config.communicator_config();
        let mut generated = Generated::new();
        generated.insert("ID".into(), "Null".into());
        if comm.kind() != Some(CommKind::Ssh) {
            generated.insert("ConnType".into(), comm.kind_name().to_owned());
            return checks(&kiln_core::NoneComm, &generated);
        }
        let mut settings = comm.ssh_settings();
        if let Some(t) = ctx.boot_timeout {
            settings.timeout = t;
        }
        generated.extend(kiln_communicator_ssh::step::generated(&settings, None));
        let ssh = SshComm::connect(settings, ctx.cancel).map_err(BuildError::failed)?;
        checks(&ssh, &generated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(c: &NullConfig) -> Vec<String> {
        c.validate().into_iter().map(|p| p.message).collect()
    }

    #[test]
    fn none_needs_nothing_and_ssh_needs_host_user_auth() {
        let none = NullConfig {
            communicator: Some("none".into()),
            ..NullConfig::default()
        };
        assert!(none.validate().is_empty());
        // As Packer 1.6.6 reports `source "null" "x" { ssh_username = "u" }`.
        let user_only = NullConfig {
            ssh_username: Some("u".into()),
            ..NullConfig::default()
        };
        assert_eq!(
            messages(&user_only),
            [
                "a Host must be specified, please reference your communicator documentation",
                "one authentication method must be specified, please reference your communicator documentation",
            ]
        );
        assert_eq!(messages(&NullConfig::default()).len(), 4);
    }

    #[test]
    fn one_authentication_method_and_known_communicators() {
        let two = NullConfig {
            ssh_host: Some("h".into()),
            ssh_username: Some("u".into()),
            ssh_password: Some("p".into()),
            ssh_agent_auth: Some(true),
            ..NullConfig::default()
        };
        assert_eq!(
            messages(&two),
            ["only one of ssh_agent_auth, ssh_password, and ssh_private_key_file must be specified"]
        );
        let foo = NullConfig {
            communicator: Some("foo".into()),
            ..NullConfig::default()
        };
        assert_eq!(messages(&foo)[0], "Communicator type foo is invalid");
        assert_eq!(foo.validate()[0].field, Some("communicator"));
    }
}
