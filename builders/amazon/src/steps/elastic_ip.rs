//! `elastic_ip_allocation_id`: associate the given Elastic IP with the
//! source instance once it runs (the address kiln then connects to);
//! cleanup disassociates it again, the address itself stays the user's.

use crate::error::{fail, AmazonError};
use crate::state::State;
use crate::steps::run_instance::describe;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};

pub struct StepAssociateElasticIp {
    pub allocation_id: String,
    association: Option<String>,
}

impl StepAssociateElasticIp {
    pub fn new(allocation_id: String) -> StepAssociateElasticIp {
        StepAssociateElasticIp {
            allocation_id,
            association: None,
        }
    }
}

impl Step<State> for StepAssociateElasticIp {
    fn name(&self) -> &str {
        "StepAssociateElasticIp"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let Some(id) = state.instance_id().map(str::to_owned) else {
            return Err(AmazonError::MissingState {
                step: "StepAssociateElasticIp",
                what: "instance",
            }
            .into());
        };
        ctx.ui.say(&format!(
            "Associating Elastic IP {} with instance {id}",
            self.allocation_id
        ));
        let ec2 = state.ec2.clone();
        let out = ec2
            .create(
                "AssociateAddress",
                ec2.client
                    .associate_address()
                    .allocation_id(&self.allocation_id)
                    .instance_id(&id)
                    .send(),
            )
            .map_err(|e| fail(ctx, "Error associating Elastic IP", e))?;
        self.association = out.association_id().map(str::to_owned);
        // The instance's public address changed: read it again.
        if let Some(i) =
            describe(&ec2, ctx, &id).map_err(|e| fail(ctx, "Error associating Elastic IP", e))?
        {
            state.instance = Some(i);
        }
        Ok(())
    }

    fn cleanup(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let Some(assoc) = self.association.take() else {
            return Ok(());
        };
        let ec2 = &state.ec2;
        if let Err(e) = ec2.call(
            ctx.cancel,
            "DisassociateAddress",
            ec2.client
                .disassociate_address()
                .association_id(&assoc)
                .send(),
        ) {
            if !e.is_not_found() {
                ctx.ui
                    .error(&format!("Error disassociating Elastic IP {assoc}: {e}"));
            }
        }
        Ok(())
    }
}
