//! The two builders over one set of steps: `source "oci"` and Packer's
//! `source "docker"`.

mod base_tree;
pub mod common;
pub mod docker_config;
mod layer_cache;
pub mod oci_config;
pub mod provision_step;
pub mod sandbox_step;
pub mod settings;
pub mod state;
pub mod steps;
pub mod tester;

use kiln_core::{run_steps, Artifact, BuildCtx, BuildError, Builder, Step};
use provision_step::StepProvisionLayers;
use settings::Settings;
use state::State;

pub use docker_config::DockerConfig;
pub use oci_config::OciConfig;

/// The `build.*` names both builders add to the ones every builder has:
/// `Rootfs`, the unpacked root filesystem being provisioned (for local
/// steps that edit it directly), and the base image's `SourceImageDigest`.
const GENERATED: &[&str] = &["Rootfs", "SourceImageDigest"];

pub struct OciBuilder {
    config: OciConfig,
    /// Set by a run: how its output is started for `test` blocks.
    tester: Option<tester::OciTester>,
}

impl OciBuilder {
    pub const GENERATED: &'static [&'static str] = GENERATED;
}

impl From<OciConfig> for OciBuilder {
    fn from(config: OciConfig) -> OciBuilder {
        OciBuilder {
            config,
            tester: None,
        }
    }
}

impl Builder for OciBuilder {
    fn run(&mut self, ctx: &BuildCtx<'_>) -> Result<Option<Artifact>, BuildError> {
        let settings = self.config.settings(&ctx.info.source_name);
        run_testable(&mut self.tester, settings, ctx)
    }

    fn tester(&self) -> Option<&dyn kiln_core::tester::Tester> {
        self.tester.as_ref().map(|t| t as _)
    }

    fn existing_artifact(
        &mut self,
        info: &kiln_core::BuildInfo,
    ) -> Result<Option<Artifact>, BuildError> {
        Ok(existing(
            &mut self.tester,
            self.config.settings(&info.source_name),
            info.artifact.as_deref(),
        ))
    }
}

pub struct DockerBuilder {
    config: DockerConfig,
    tester: Option<tester::OciTester>,
}

impl DockerBuilder {
    pub const GENERATED: &'static [&'static str] = GENERATED;
}

impl From<DockerConfig> for DockerBuilder {
    fn from(config: DockerConfig) -> DockerBuilder {
        DockerBuilder {
            config,
            tester: None,
        }
    }
}

impl Builder for DockerBuilder {
    fn run(&mut self, ctx: &BuildCtx<'_>) -> Result<Option<Artifact>, BuildError> {
        for field in self.config.ignored() {
            ctx.ui.error(&format!(
                "Warning: {field} is ignored: kiln provisions the image without a Docker daemon"
            ));
        }
        let settings = self.config.settings(&ctx.info.source_name);
        run_testable(&mut self.tester, settings, ctx)
    }

    fn tester(&self) -> Option<&dyn kiln_core::tester::Tester> {
        self.tester.as_ref().map(|t| t as _)
    }

    fn existing_artifact(
        &mut self,
        info: &kiln_core::BuildInfo,
    ) -> Result<Option<Artifact>, BuildError> {
        Ok(existing(
            &mut self.tester,
            self.config.settings(&info.source_name),
            info.artifact.as_deref(),
        ))
    }
}

/// Run the build, keeping in `slot` how its output is tested.
fn run_testable(
    slot: &mut Option<tester::OciTester>,
    settings: Settings,
    ctx: &BuildCtx<'_>,
) -> Result<Option<Artifact>, BuildError> {
    *slot = Some(tester::OciTester {
        settings: settings.clone(),
    });
    run(settings, ctx)
}

/// `kiln test`: the output an earlier build left, its tester in `slot`.
fn existing(
    slot: &mut Option<tester::OciTester>,
    mut settings: Settings,
    given: Option<&str>,
) -> Option<Artifact> {
    if let Some(path) = given {
        settings.output = tester::given_output(&settings.output, std::path::Path::new(path));
    }
    let t = slot.insert(tester::OciTester { settings });
    t.existing()
}

fn run(settings: Settings, ctx: &BuildCtx<'_>) -> Result<Option<Artifact>, BuildError> {
    let provision: Box<dyn Step<State>> =
        Box::new(StepProvisionLayers::new(settings.layer_per_provisioner));
    let mut steps: Vec<Box<dyn Step<State>>> = vec![
        Box::new(steps::StepWorkDir),
        Box::new(steps::StepBase),
        Box::new(steps::StepUnpack),
        Box::new(sandbox_step::StepSandbox),
        provision,
        Box::new(steps::StepCommit),
    ];
    let mut state = State::new(settings);
    run_steps(&mut steps, &mut state, ctx)?;
    Ok(state.artifact.take())
}
