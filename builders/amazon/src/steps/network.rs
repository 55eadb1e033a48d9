//! Where the instance goes: `subnet_id`, or the subnet `subnet_filter`
//! finds (`most_free` / `random` to choose among several); the VPC and
//! availability zone follow from the subnet. `vpc_filter` finds the VPC
//! when no `vpc_id` is given.

use crate::config::SubnetFilter;
use crate::error::{fail, report, AmazonError};
use crate::state::State;
use crate::steps::filters;
use aws_sdk_ec2::types::{Filter, Subnet};
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};

pub struct StepNetworkInfo {
    pub vpc_id: Option<String>,
    pub subnet_id: Option<String>,
    pub subnet_filter: Option<SubnetFilter>,
    pub availability_zone: Option<String>,
    /// `vpc_filter`, filters and filter blocks merged.
    pub vpc_filter: std::collections::BTreeMap<String, String>,
}

impl Step<State> for StepNetworkInfo {
    fn name(&self) -> &str {
        "StepNetworkInfo"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        state.vpc_id = self.vpc_id.clone();
        state.subnet_id = self.subnet_id.clone();
        state.availability_zone = self.availability_zone.clone();
        if state.vpc_id.is_none() && !self.vpc_filter.is_empty() {
            let ec2 = &state.ec2;
            let out = ec2
                .call(
                    ctx.cancel,
                    "DescribeVpcs",
                    ec2.client
                        .describe_vpcs()
                        .set_filters(Some(filters(&self.vpc_filter)))
                        .send(),
                )
                .map_err(|e| fail(ctx, "Error querying VPCs", e))?;
            match out.vpcs() {
                [one] => {
                    let id = one.vpc_id().unwrap_or_default().to_owned();
                    ctx.ui.message(&format!("Found VPC ID: {id}"));
                    state.vpc_id = Some(id);
                }
                many => {
                    return Err(report(
                        ctx,
                        AmazonError::VpcFilter {
                            count: many.len(),
                            filters: format!("{:?}", self.vpc_filter),
                        },
                    ))
                }
            }
        }
        let filter = self.subnet_filter.clone().unwrap_or_default();
        let map = crate::config::merge_filters(filter.filters.as_ref(), filter.filter.as_deref());
        if state.subnet_id.is_none() && !map.is_empty() {
            let ec2 = &state.ec2;
            let mut f = filters(&map);
            if let Some(vpc) = &state.vpc_id {
                f.push(Filter::builder().name("vpc-id").values(vpc).build());
            }
            if let Some(az) = &state.availability_zone {
                f.push(
                    Filter::builder()
                        .name("availability-zone")
                        .values(az)
                        .build(),
                );
            }
            let out = ec2
                .call(
                    ctx.cancel,
                    "DescribeSubnets",
                    ec2.client.describe_subnets().set_filters(Some(f)).send(),
                )
                .map_err(|e| fail(ctx, "Error querying Subnets", e))?;
            let subnets = out.subnets();
            let chosen =
                choose(subnets, &filter).map_err(|msg| report(ctx, AmazonError::Subnet(msg)))?;
            let id = chosen.subnet_id().unwrap_or_default().to_owned();
            ctx.ui.message(&format!("Found Subnet ID: {id}"));
            state.subnet_id = Some(id);
            state.vpc_id = chosen.vpc_id().map(str::to_owned).or(state.vpc_id.take());
            state.availability_zone = chosen.availability_zone().map(str::to_owned);
            return Ok(());
        }
        if let (Some(subnet), None) = (state.subnet_id.clone(), state.vpc_id.clone()) {
            let ec2 = &state.ec2;
            let out = ec2
                .call(
                    ctx.cancel,
                    "DescribeSubnets",
                    ec2.client.describe_subnets().subnet_ids(&subnet).send(),
                )
                .map_err(|e| fail(ctx, "Describing the subnet failed", e))?;
            if let Some(s) = out.subnets().first() {
                state.vpc_id = s.vpc_id().map(str::to_owned);
                if state.availability_zone.is_none() {
                    state.availability_zone = s.availability_zone().map(str::to_owned);
                }
            }
        }
        Ok(())
    }
}

fn choose<'a>(subnets: &'a [Subnet], f: &SubnetFilter) -> Result<&'a Subnet, String> {
    if subnets.is_empty() {
        return Err("No subnets found matching filters".to_owned());
    }
    if subnets.len() > 1 && f.random != Some(true) && f.most_free != Some(true) {
        return Err(format!(
            "Your filter matched {} Subnets. Please try a more specific search, or set random or most_free to true.",
            subnets.len()
        ));
    }
    if f.most_free == Some(true) {
        // `max_by_key` keeps the last of equals; reversed, that is the
        // first, as Packer keeps it.
        return subnets
            .iter()
            .rev()
            .max_by_key(|s| s.available_ip_address_count())
            .ok_or_else(|| "No subnets found matching filters".to_owned());
    }
    if f.random == Some(true) {
        let n = uuid::Uuid::new_v4().as_u128() as usize % subnets.len();
        return subnets
            .get(n)
            .ok_or_else(|| "No subnets found matching filters".to_owned());
    }
    subnets
        .first()
        .ok_or_else(|| "No subnets found matching filters".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_free_and_ambiguity() {
        let s = |id: &str, free: i32| {
            Subnet::builder()
                .subnet_id(id)
                .available_ip_address_count(free)
                .build()
        };
        let subnets = [s("a", 10), s("b", 250), s("c", 250)];
        let most_free = SubnetFilter {
            most_free: Some(true),
            ..SubnetFilter::default()
        };
        assert_eq!(choose(&subnets, &most_free).unwrap().subnet_id(), Some("b"));
        assert_eq!(
            choose(&subnets, &SubnetFilter::default()).expect_err("an error"),
            "Your filter matched 3 Subnets. Please try a more specific search, or set random or most_free to true."
        );
        assert!(choose(&[], &most_free).is_err());
    }
}
