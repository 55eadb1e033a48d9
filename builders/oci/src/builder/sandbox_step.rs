//! The provisioning sandbox over the unpacked root filesystem: the base
//! image's environment, working directory and user (or `exec_user`), the
//! build's network, volumes and privileges.

use super::state::State;
use crate::config::RunConfig;
use crate::error::OciError;
use kiln_communicator_sandbox::{Network, SandboxComm, SandboxConfig, Volume};
use kiln_core::{BuildCtx, BuildError, Step};
use std::path::Path;

pub struct StepSandbox;

impl Step<State> for StepSandbox {
    fn name(&self) -> &str {
        "sandbox"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let rootfs = state.rootfs().ok_or(OciError::MissingState {
            step: "sandbox",
            what: "work directory",
        })?;
        let base = state.base.as_ref().ok_or(OciError::MissingState {
            step: "sandbox",
            what: "base image",
        })?;
        let rc = RunConfig::from_oci(base.config.config().as_ref());
        let s = &state.settings;
        let mut cfg = SandboxConfig::new(&rootfs);
        if let Some(n) = &s.network {
            cfg.network = n.parse::<Network>().map_err(BuildError::failed)?;
        }
        cfg.workdir = rc
            .working_dir
            .clone()
            .filter(|w| w.starts_with('/'))
            .unwrap_or_else(|| "/".into());
        cfg.user = s
            .exec_user
            .clone()
            .or(rc.user.clone())
            .filter(|u| !u.is_empty());
        cfg.env = rc
            .env
            .iter()
            .map(|e| match e.split_once('=') {
                Some((k, v)) => (k.to_owned(), v.to_owned()),
                None => (e.clone(), String::new()),
            })
            .collect();
        for (host, container) in &s.volumes {
            let host = std::path::absolute(Path::new(host))
                .map_err(|e| OciError::io(format!("volume {host}"), e))?;
            cfg.volumes.push(Volume {
                host,
                container: container.clone(),
                read_only: false,
            });
        }
        cfg.privileged = s.privileged;
        ctx.ui.say("Starting the provisioning sandbox...");
        state.sandbox = Some(SandboxComm::new(cfg).map_err(BuildError::failed)?);
        state.generated.insert("ConnType".into(), "sandbox".into());
        Ok(())
    }

    fn cleanup(&mut self, state: &mut State, _ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if let Some(s) = state.sandbox.take() {
            s.remove_created_paths().map_err(BuildError::failed)?;
        }
        Ok(())
    }
}
