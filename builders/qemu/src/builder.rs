//! The builder: Packer's qemu step sequence over the build's typed state,
//! and the artifact.

use crate::boot::{StepCreateFloppy, StepHttpServer, StepTypeBootCommand};
use crate::cd::CdSpec;
use crate::config::{QemuConfig, Settings};
use crate::connect::StepConnect;
use crate::disk::StepDisks;
use crate::finalize::StepFinalizeDisk;
use crate::media::{CdKind, StepCreateCd, StepTemporaryKey};
use crate::output::StepPrepareOutputDir;
use crate::shutdown::StepShutdown;
use crate::source::StepDownload;
use crate::state::State;
use crate::timing::Timed;
use crate::vm::StepRun;
use crate::workdir::StepWorkDir;
use kiln_communicator_ssh::CommKind;
use kiln_core::step::{run_steps, Step};
use kiln_core::{Artifact, BuildCtx, BuildError, Builder};

/// Packer's builder id for qemu images; the manifest records it.
pub const BUILDER_ID: &str = "transcend.qemu";

pub struct QemuBuilder {
    pub(crate) config: QemuConfig,
}

impl From<QemuConfig> for QemuBuilder {
    fn from(config: QemuConfig) -> QemuBuilder {
        QemuBuilder { config }
    }
}

impl QemuBuilder {
    fn steps(&self, s: &Settings, ctx: &BuildCtx<'_>) -> Vec<Box<dyn Step<State>>> {
        let comm = self.config.communicator_config();
        let ssh = comm.kind() == Some(CommKind::Ssh);
        let mut steps: Vec<Box<dyn Step<State>>> = vec![Box::new(StepWorkDir)];
        if s.accelerator.is_none() {
            steps.push(Box::new(crate::accel::StepProbeAccelerator {
                qemu_binary: s.qemu_binary.clone(),
            }));
        }
        steps.push(Box::new(StepPrepareOutputDir {
            dir: s.output_dir.clone(),
        }));
        steps.push(Box::new(StepDownload {
            source: s.source.clone(),
        }));
        if ssh {
            steps.push(Box::new(crate::snapshot::StepPlanCache {
                settings: s.clone(),
                ssh_username: comm.ssh_username.clone().unwrap_or_default(),
                temporary_key: crate::seed::needs_temporary_key(&self.config),
            }));
        }
        if ssh && crate::seed::needs_temporary_key(&self.config) {
            steps.push(Box::new(StepTemporaryKey));
        }
        let floppy = s.floppy_spec();
        if !floppy.is_empty() {
            steps.push(Box::new(StepCreateFloppy { spec: floppy }));
        }
        if s.has_cd() {
            steps.push(Box::new(StepCreateCd {
                kind: CdKind::User(CdSpec {
                    files: s.cd_files.clone(),
                    content: s.cd_content.clone(),
                    label: s.cd_label.clone(),
                }),
                settings: s.clone(),
            }));
        } else if crate::seed::wanted(&self.config, s) {
            steps.push(Box::new(StepCreateCd {
                kind: CdKind::Seed {
                    username: comm.ssh_username.clone().unwrap_or_default(),
                    instance: format!("kiln-{}", ctx.info.run_uuid),
                },
                settings: s.clone(),
            }));
        }
        steps.push(Timed::boxed(
            "disk",
            StepDisks {
                settings: s.clone(),
            },
        ));
        steps.push(Box::new(StepHttpServer::new(s)));
        if s.vtpm {
            steps.push(Box::new(crate::vtpm::StepCreateVtpm::new(s.use_tpm1)));
        }
        steps.push(Timed::boxed(
            "start",
            StepRun {
                settings: s.clone(),
                forward_ssh: ssh && !s.skip_nat_mapping && s.net_bridge.is_none(),
                guest_port: comm.ssh_port.filter(|p| *p != 0).unwrap_or(22),
            },
        ));
        steps.push(Timed::boxed(
            "boot-command",
            StepTypeBootCommand {
                commands: s.boot_command.clone(),
                steps: s.boot_steps.clone(),
                wait: s.boot_wait,
                key_interval: s.boot_key_interval,
                vm_name: s.vm_name.clone(),
            },
        ));
        if ssh {
            steps.push(Timed::boxed(
                "boot-to-ssh",
                StepConnect::new(comm.clone(), s.skip_nat_mapping),
            ));
        }
        if ssh && s.wait_for_cloud_init {
            steps.push(Timed::boxed(
                "cloud-init",
                kiln_core::cloud_init::StepWaitCloudInit { required: true },
            ));
        }
        steps.push(Timed::boxed(
            "provisioning",
            crate::snapshot::StepProvisionSnapshots::default(),
        ));
        if ssh && s.cloud_init_clean {
            steps.push(Timed::boxed(
                "cloud-init-clean",
                kiln_core::cloud_init::StepCloudInitClean,
            ));
        }
        steps.push(Timed::boxed(
            "shutdown",
            StepShutdown {
                command: if ssh {
                    s.shutdown_command.clone()
                } else {
                    None
                },
                timeout: s.shutdown_timeout,
            },
        ));
        steps.push(Timed::boxed(
            "compaction",
            StepFinalizeDisk {
                settings: s.clone(),
            },
        ));
        steps
    }
}

impl Builder for QemuBuilder {
    fn run(&mut self, ctx: &BuildCtx<'_>) -> Result<Option<Artifact>, BuildError> {
        let s = self.config.settings(&ctx.info.source_name);
        let mut steps = self.steps(&s, ctx);
        let mut state = State::default();
        run_steps(&mut steps, &mut state, ctx)?;
        let Some((image, sha256)) = state.image.clone() else {
            return Ok(None);
        };
        let mut files = vec![image.clone()];
        files.extend(state.additional_disks.iter().cloned());
        let mut artifact = crate::artifact::vm_artifact(&s.output_dir, files);
        artifact.sha256.insert(image, sha256);
        if let Some(p) = &state.source_path {
            let uri = s
                .source
                .urls
                .first()
                .cloned()
                .unwrap_or_else(|| p.display().to_string());
            artifact.set_base_image(uri, kiln_core::step_cache::digest_path(p).ok());
        }
        artifact
            .state
            .insert("diskName".into(), serde_json::json!(s.vm_name));
        artifact
            .state
            .insert("diskType".into(), serde_json::json!(s.format));
        artifact
            .state
            .insert("diskSize".into(), serde_json::json!(s.disk_size));
        artifact
            .state
            .insert("domainType".into(), serde_json::json!(state.accelerator));
        Ok(Some(artifact))
    }

    fn tester(&self) -> Option<&dyn kiln_core::tester::Tester> {
        Some(self)
    }

    fn existing_artifact(
        &mut self,
        info: &kiln_core::BuildInfo,
    ) -> Result<Option<Artifact>, BuildError> {
        Ok(crate::tester::existing(self, info))
    }
}
