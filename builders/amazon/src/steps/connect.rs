//! Connect to the instance over SSH (or not, for `communicator =
//! "none"`): the address comes from `ssh_host` or from the instance by
//! `ssh_interface`, the key from the key pair step.

use crate::error::{report, AmazonError};
use crate::state::State;
use kiln_communicator_ssh::{SshSettings, StepConnectSsh};
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};

pub struct StepConnect {
    /// `None` for `communicator = "none"`.
    pub settings: Option<SshSettings>,
    /// `ssh_host` given in the config: no address lookup.
    pub fixed_host: bool,
    pub interface: Option<String>,
    inner: Option<StepConnectSsh>,
}

impl StepConnect {
    pub fn new(
        settings: Option<SshSettings>,
        fixed_host: bool,
        interface: Option<String>,
    ) -> StepConnect {
        StepConnect {
            settings,
            fixed_host,
            interface,
            inner: None,
        }
    }
}

/// Packer's `SSHHost`: the named interface, else (in a VPC) the public IP
/// or the private one, else the public DNS name.
pub fn ssh_host(i: &aws_sdk_ec2::types::Instance, interface: Option<&str>) -> Option<String> {
    let non_empty = |v: Option<&str>| v.filter(|s| !s.is_empty()).map(str::to_owned);
    match interface.unwrap_or("") {
        "public_ip" => non_empty(i.public_ip_address()),
        "private_ip" => non_empty(i.private_ip_address()),
        "public_dns" => non_empty(i.public_dns_name()),
        "private_dns" => non_empty(i.private_dns_name()),
        _ if non_empty(i.vpc_id()).is_some() => {
            non_empty(i.public_ip_address()).or(non_empty(i.private_ip_address()))
        }
        _ => non_empty(i.public_dns_name()),
    }
}

impl Step<State> for StepConnect {
    fn name(&self) -> &str {
        "StepConnect"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let Some(mut settings) = self.settings.clone() else {
            return Ok(());
        };
        if !self.fixed_host {
            let host = state
                .instance
                .as_ref()
                .and_then(|i| ssh_host(i, self.interface.as_deref()));
            let Some(host) = host else {
                return Err(report(ctx, AmazonError::NoSshAddress));
            };
            settings.host = host;
        }
        if settings.private_key_file.is_none() && !settings.agent_auth {
            settings.private_key = state.private_key.clone();
        }
        let g = kiln_communicator_ssh::step::generated(&settings, None);
        for (k, v) in g {
            state.generated.insert(k, v);
        }
        if let Some(key) = &state.private_key {
            state
                .generated
                .insert("SSHPrivateKey".to_owned(), key.clone());
        }
        let mut inner = StepConnectSsh::new(settings);
        let r = inner.run(state, ctx);
        self.inner = Some(inner);
        r
    }

    fn cleanup(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        match &mut self.inner {
            Some(inner) => inner.cleanup(state, ctx),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::Instance;

    #[test]
    fn packers_address_choice() {
        let vpc = Instance::builder()
            .vpc_id("vpc-1")
            .private_ip_address("10.0.0.5")
            .public_dns_name("ec2-1.example")
            .build();
        assert_eq!(ssh_host(&vpc, None).as_deref(), Some("10.0.0.5"));
        let public = Instance::builder()
            .vpc_id("vpc-1")
            .private_ip_address("10.0.0.5")
            .public_ip_address("3.3.3.3")
            .build();
        assert_eq!(ssh_host(&public, None).as_deref(), Some("3.3.3.3"));
        assert_eq!(
            ssh_host(&public, Some("private_ip")).as_deref(),
            Some("10.0.0.5")
        );
        let classic = Instance::builder().public_dns_name("ec2-1.example").build();
        assert_eq!(ssh_host(&classic, None).as_deref(), Some("ec2-1.example"));
        assert_eq!(ssh_host(&classic, Some("private_dns")), None);
    }
}
