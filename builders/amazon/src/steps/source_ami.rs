//! Find the source AMI: `source_ami`, or `source_ami_filter` (its filters
//! and owners; `most_recent` picks the newest of several), through the
//! lookup the `amazon-ami` data source shares.

use crate::ami_lookup::find_image;
use crate::config::AmiFilter;
use crate::error::report;
use crate::state::State;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};

pub struct StepSourceAmiInfo {
    pub source_ami: Option<String>,
    pub filter: Option<AmiFilter>,
}

impl Step<State> for StepSourceAmiInfo {
    fn name(&self) -> &str {
        "StepSourceAMIInfo"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let filter = self.filter.clone().unwrap_or_default();
        let image = find_image(&state.ec2, ctx.cancel, self.source_ami.as_deref(), &filter)
            .map_err(|e| report(ctx, e))?;
        ctx.ui.message(&format!(
            "Found Image ID: {}",
            image.image_id().unwrap_or_default()
        ));
        state.source_image = Some(image);
        let data = state.template_data();
        state.generated.extend(data);
        Ok(())
    }
}
