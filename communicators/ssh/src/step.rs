//! The connect step every SSH builder runs before provisioning, with
//! Packer's messages, and the `build.*` values a connection provides.

use crate::comm::SshComm;
use crate::config::SshSettings;
use crate::error::SshError;
use crate::keypair::KeyPair;
use kiln_core::duration::go_duration;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError, Generated};

/// Where the step leaves the connection.
pub trait SshState: Send {
    fn set_ssh(&mut self, comm: Option<SshComm>);
}

/// Implements [`kiln_core::step::Provisionable`] and [`SshState`] for a
/// builder's state that has the fields `ssh: Option<SshComm>` and
/// `generated: Generated`: every SSH builder provisions through the
/// connection the connect step left, or through no communicator.
#[macro_export]
macro_rules! ssh_provisionable {
    ($state:ty) => {
        impl $crate::__core::step::Provisionable for $state {
            fn communicator(&self) -> &dyn $crate::__core::Communicator {
                match &self.ssh {
                    Some(c) => c,
                    None => &$crate::__core::NoneComm,
                }
            }
            fn generated(&self) -> $crate::__core::Generated {
                self.generated.clone()
            }
        }

        impl $crate::SshState for $state {
            fn set_ssh(&mut self, comm: Option<$crate::SshComm>) {
                self.ssh = comm;
            }
        }
    };
}

/// Wait for SSH, connect (again after `pause_before_connecting`); the
/// cleanup disconnects.
pub struct StepConnectSsh {
    settings: SshSettings,
}

impl StepConnectSsh {
    pub fn new(settings: SshSettings) -> StepConnectSsh {
        StepConnectSsh { settings }
    }

    fn wait(&self, ctx: &BuildCtx<'_>) -> Result<SshComm, BuildError> {
        ctx.ui.say("Waiting for SSH to become available...");
        match SshComm::connect(self.settings.clone(), ctx.cancel) {
            Ok(comm) => {
                ctx.ui.say("Connected to SSH!");
                Ok(comm)
            }
            Err(SshError::Cancelled) => Err(BuildError::Cancelled),
            // The build's own cancel token never times out here: a timeout
            // is ssh_timeout's.
            Err(SshError::TimedOut) if ctx.cancel.is_cancelled() => Err(BuildError::Cancelled),
            Err(SshError::TimedOut) => {
                let e = SshError::WaitTimedOut;
                ctx.ui.error(&e.to_string());
                Err(BuildError::failed(e))
            }
            Err(e) => {
                ctx.ui.error(&format!("Error waiting for SSH: {e}"));
                Err(BuildError::failed(e))
            }
        }
    }
}

impl<S: SshState> Step<S> for StepConnectSsh {
    fn name(&self) -> &str {
        "StepConnect"
    }

    fn run(&mut self, state: &mut S, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        ctx.ui.say(&format!(
            "Using ssh communicator to connect: {}",
            self.settings.host
        ));
        let mut comm = self.wait(ctx)?;
        if let Some(pause) = self.settings.pause_before_connecting {
            drop(comm);
            ctx.ui.say(&format!(
                "Pausing {} before connecting...",
                go_duration(pause)
            ));
            ctx.cancel
                .sleep(pause)
                .map_err(|r| BuildError::from_reason(r, None))?;
            comm = self.wait(ctx)?;
        }
        state.set_ssh(Some(comm));
        Ok(())
    }

    fn cleanup(&mut self, state: &mut S, _ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        state.set_ssh(None);
        Ok(())
    }
}

/// The `build.*` values of an SSH connection (Packer's
/// `PopulateProvisionHookData`): `Host`, `Port`, `User`, `Password`,
/// `ConnType`, and the temporary key pair when the build made one.
pub fn generated(settings: &SshSettings, temporary: Option<&KeyPair>) -> Generated {
    let mut g = Generated::new();
    g.insert("Host".into(), settings.host.clone());
    g.insert("Port".into(), settings.port.to_string());
    g.insert("User".into(), settings.username.clone());
    g.insert(
        "Password".into(),
        settings.password.clone().unwrap_or_default(),
    );
    g.insert("ConnType".into(), "ssh".into());
    // What the ansible provisioner's direct connection uses (Packer's
    // `PopulateProvisionHookData` sets both).
    g.insert(
        "SSHPrivateKeyFile".into(),
        settings
            .private_key_file
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
    );
    g.insert("SSHAgentAuth".into(), settings.agent_auth.to_string());
    g.insert(
        "SSHPublicKey".into(),
        temporary
            .map(|k| k.public_line().to_owned())
            .unwrap_or_default(),
    );
    g.insert(
        "SSHPrivateKey".into(),
        temporary
            .map(|k| k.private_openssh().to_owned())
            .unwrap_or_default(),
    );
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_values_name_the_connection() {
        let s = SshSettings {
            host: "10.0.2.15".into(),
            port: 2222,
            username: "debian".into(),
            ..SshSettings::default()
        };
        let key = KeyPair::generate().unwrap();
        let g = generated(&s, Some(&key));
        assert_eq!(g["Host"], "10.0.2.15");
        assert_eq!(g["Port"], "2222");
        assert_eq!(g["User"], "debian");
        assert_eq!(g["Password"], "");
        assert_eq!(g["ConnType"], "ssh");
        assert_eq!(g["SSHPublicKey"], key.public_line());
        assert!(g["SSHPrivateKey"].starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"));
        assert_eq!(generated(&s, None)["SSHPublicKey"], "");
    }
}
