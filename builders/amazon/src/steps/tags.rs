//! `tags` on every AMI (and its snapshots), `snapshot_tags` on the
//! snapshots, rendered with the source AMI's values.

use crate::error::{fail, AmazonError};
use crate::names;
use crate::state::State;
use crate::steps::{ec2_tags, report_tags};
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};
use std::collections::BTreeMap;

pub struct StepCreateTags {
    pub tags: BTreeMap<String, String>,
    pub snapshot_tags: BTreeMap<String, String>,
}

impl Step<State> for StepCreateTags {
    fn name(&self) -> &str {
        "StepCreateTags"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if self.tags.is_empty() && self.snapshot_tags.is_empty() {
            return Ok(());
        }
        let amis: Vec<(String, String)> = state.amis.clone().into_iter().collect();
        for (region, ami) in amis {
            ctx.ui.say(&format!("Adding tags to AMI ({ami})..."));
            let mut data = state.template_data();
            data.insert("BuildRegion".to_owned(), region.clone());
            let tctx = names::context(ctx.info, &data);
            let render = |m: &BTreeMap<String, String>| {
                names::render_tags(m, &tctx)
                    .map_err(|e| BuildError::from(AmazonError::Tags(e.to_string())))
            };
            let tags = render(&self.tags)?;
            let snapshot_tags = render(&self.snapshot_tags)?;
            let snapshots = state.snapshots.get(&region).cloned().unwrap_or_default();
            for s in &snapshots {
                ctx.ui.say(&format!("Tagging snapshot: {s}"));
            }
            let ec2 = state.ec2.session.ec2(&region);
            if !tags.is_empty() {
                ctx.ui.say("Creating AMI tags");
                report_tags(ctx.ui, &tags);
                let mut ids = vec![ami.clone()];
                ids.extend(snapshots.iter().cloned());
                ec2.call(
                    ctx.cancel,
                    "CreateTags",
                    ec2.client
                        .create_tags()
                        .set_resources(Some(ids))
                        .set_tags(Some(ec2_tags(&tags)))
                        .send(),
                )
                .map_err(|e| fail(ctx, "Error adding tags to Resources", e))?;
            }
            if !snapshot_tags.is_empty() && !snapshots.is_empty() {
                ctx.ui.say("Creating snapshot tags");
                report_tags(ctx.ui, &snapshot_tags);
                ec2.call(
                    ctx.cancel,
                    "CreateTags",
                    ec2.client
                        .create_tags()
                        .set_resources(Some(snapshots))
                        .set_tags(Some(ec2_tags(&snapshot_tags)))
                        .send(),
                )
                .map_err(|e| fail(ctx, "Error adding tags to Resources", e))?;
            }
        }
        Ok(())
    }
}
