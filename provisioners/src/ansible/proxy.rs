//! The SSH adapter ansible connects to when it does not connect to the
//! machine itself.

use super::config::AnsibleConfig;
use super::error::AnsibleError;
use kiln_core::{BuildError, Communicator, ProvisionCtx};

/// Serve `comm` on a loopback SSH port while `f` runs ansible against it
/// (`f` gets the port and the one-time key's file).
pub fn serve<R>(
    _config: &AnsibleConfig,
    _user: &str,
    _comm: &dyn Communicator,
    _ctx: &ProvisionCtx<'_>,
    _f: impl FnOnce(u16, Option<&str>) -> R,
) -> Result<R, BuildError> {
    Err(BuildError::failed(AnsibleError::Adapter(
        "the SSH adapter is not available yet: set use_proxy = false for an SSH machine".into(),
    )))
}
