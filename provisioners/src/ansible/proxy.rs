//! The SSH adapter ansible connects to when it does not connect to the
//! machine itself (kiln-communicator-adapter): any communicator, a
//! one-time key pair unless the template brings its own keys.

use super::config::{non_empty, AnsibleConfig};
use super::error::AnsibleError;
use kiln_communicator_adapter::{AdapterConfig, Serving};
use kiln_core::{BuildError, Communicator, ProvisionCtx};

/// What the adapter is set up with, from the provisioner's fields.
fn adapter_config(config: &AnsibleConfig, user: &str) -> AdapterConfig {
    AdapterConfig {
        user: user.to_owned(),
        port: config
            .local_port
            .and_then(|p| u16::try_from(p).ok())
            .filter(|p| *p != 0),
        host_key_file: non_empty(&config.ssh_host_key_file).map(Into::into),
        authorized_key_file: non_empty(&config.ssh_authorized_key_file).map(Into::into),
        key_type: config.key_type().unwrap_or_default(),
        sftp_command: non_empty(&config.sftp_command).map(str::to_owned),
    }
}

/// Serve `comm` on a loopback SSH port while `f` runs ansible against it
/// (`f` gets the port and the one-time key's file).
pub fn serve<R>(
    config: &AnsibleConfig,
    user: &str,
    comm: &dyn Communicator,
    ctx: &ProvisionCtx<'_>,
    f: impl FnOnce(u16, Option<&str>) -> R,
) -> Result<R, BuildError> {
    ctx.ui.message("Setting up proxy adapter for Ansible....");
    let cfg = adapter_config(config, user);
    kiln_communicator_adapter::serve(comm, &cfg, ctx.cancel, |s: Serving<'_>| {
        tracing::debug!(port = s.port, "SSH proxy: serving on 127.0.0.1");
        let key = s.private_key_file.map(|p| p.display().to_string());
        f(s.port, key.as_deref())
    })
    .map_err(|e| BuildError::failed(AnsibleError::Adapter(e.to_string())))
}
