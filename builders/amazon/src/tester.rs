//! The test stage for AMIs: an instance launched from the new AMI, as a
//! consumer launches it (the AMI's own block devices, no user data),
//! with a temporary key pair and security group of its own (or the
//! template's key pair and groups, when it names them); terminated, and
//! every temporary resource deleted, afterwards.

use crate::launch::{Launch, Purpose};
use crate::poll::Polling;
use crate::session::Session;
use crate::state::State;
use crate::AmazonConfig;
use kiln_core::cloud_init::StepWaitCloudInit;
use kiln_core::step::Provisionable;
use kiln_core::tester::{boot_then, Checks, TestCtx, Tester};
use kiln_core::{Artifact, BuildError};
use std::sync::Arc;

pub struct AmazonTester {
    pub config: AmazonConfig,
    pub session: Arc<Session>,
    pub region: String,
    pub polling: Polling,
}

#[derive(Debug, thiserror::Error)]
#[error("the artifact has no AMI in {0} to test")]
pub struct NoAmi(String);

impl AmazonTester {
    /// The AMI the artifact holds in the build region.
    fn ami(&self, artifact: &Artifact) -> Option<String> {
        artifact
            .state
            .get(&format!("region.{}", self.region))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    }
}

impl Tester for AmazonTester {
    fn with_machine(
        &self,
        artifact: &Artifact,
        ctx: &TestCtx<'_>,
        checks: &mut Checks<'_>,
    ) -> Result<(), BuildError> {
        let Some(ami) = self.ami(artifact) else {
            return Err(BuildError::failed(NoAmi(self.region.clone())));
        };
        let launch = Launch {
            config: &self.config,
            session: Arc::clone(&self.session),
            polling: self.polling,
        };
        let ssh = launch.ssh().is_some();
        ctx.ui
            .say(&format!("Launching a test instance from {ami}..."));
        let mut steps = launch.steps(
            ctx.info,
            &Purpose::Test {
                ami,
                boot_timeout: ctx.boot_timeout,
            },
        );
        if ssh {
            steps.push(Box::new(StepWaitCloudInit { required: false }));
        }
        let mut state = State::new(self.session.ec2(&self.region));
        boot_then(steps, &mut state, &ctx.build_ctx(), |state| {
            let mut generated = state.template_data();
            generated.extend(state.generated.clone());
            checks(state.communicator(), &generated)
        })
    }
}
