//! A spot build's source instance (Packer's `StepRunSpotInstance`): a
//! temporary launch template holding everything RunInstances would get
//! (spot market options included), then an `instant` EC2 Fleet of one
//! spot instance, with `spot_instance_types` as the template's overrides
//! and `spot_allocation_strategy` as the fleet's. The instance is waited
//! on and tagged as an on-demand one. Cleanup terminates the instance and
//! deletes the launch template (an instant fleet is only a record).

use crate::devices::launch_device;
use crate::error::{fail, report, AmazonError};
use crate::state::State;
use crate::steps::launch_options::Spot;
use crate::steps::run_instance::{describe, terminate, wait_running, StepRunSourceInstance};
use crate::steps::{ec2_tags, report_tags};
use aws_sdk_ec2::types::{
    BlockDeviceMapping, CreditSpecificationRequest, DefaultTargetCapacityType,
    FleetLaunchTemplateConfigRequest, FleetLaunchTemplateOverridesRequest,
    FleetLaunchTemplateSpecificationRequest, FleetType, InstanceType,
    LaunchTemplateBlockDeviceMappingRequest, LaunchTemplateEbsBlockDeviceRequest,
    LaunchTemplateHttpTokensState, LaunchTemplateIamInstanceProfileSpecificationRequest,
    LaunchTemplateInstanceMarketOptionsRequest, LaunchTemplateInstanceMetadataEndpointState,
    LaunchTemplateInstanceMetadataOptionsRequest, LaunchTemplateInstanceMetadataTagsState,
    LaunchTemplateInstanceNetworkInterfaceSpecificationRequest, LaunchTemplatePlacementRequest,
    LaunchTemplateSpotMarketOptionsRequest, LaunchTemplateTagSpecificationRequest, MarketType,
    RequestLaunchTemplateData, ResourceType, SpotAllocationStrategy, SpotOptionsRequest,
    TagSpecification, TargetCapacitySpecificationRequest,
};
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};
use std::collections::BTreeMap;

pub struct StepRunSpotInstance {
    /// What the launch template carries: the same fields as an on-demand
    /// launch (`instance_types` are the fleet's overrides).
    pub launch: StepRunSourceInstance,
    pub spot: Spot,
    pub allocation_strategy: Option<String>,
    pub fleet_tags: BTreeMap<String, String>,
    /// `packer-fleet-launch-template-<7 random>` by default.
    pub template_name: String,
    template: Option<String>,
    launched: Option<String>,
}

impl StepRunSpotInstance {
    pub fn new(
        launch: StepRunSourceInstance,
        spot: Spot,
        allocation_strategy: Option<String>,
        fleet_tags: BTreeMap<String, String>,
    ) -> StepRunSpotInstance {
        let suffix: String = uuid::Uuid::new_v4()
            .simple()
            .to_string()
            .chars()
            .take(7)
            .collect();
        StepRunSpotInstance {
            launch,
            spot,
            allocation_strategy,
            fleet_tags,
            template_name: format!("packer-fleet-launch-template-{suffix}"),
            template: None,
            launched: None,
        }
    }

    fn template_data(
        &self,
        state: &State,
        user_data: Option<String>,
        image: &str,
    ) -> RequestLaunchTemplateData {
        let l = &self.launch;
        let o = &l.options;
        let mut mappings: Vec<BlockDeviceMapping> =
            l.launch_mappings.iter().map(launch_device).collect();
        mappings.extend(o.ephemeral_mappings());
        let mut d = RequestLaunchTemplateData::builder()
            .image_id(image)
            .ebs_optimized(l.ebs_optimized)
            .disable_api_termination(false)
            .set_user_data(user_data)
            .set_key_name(state.key_name.clone())
            .set_block_device_mappings(
                (!mappings.is_empty()).then(|| mappings.iter().map(template_device).collect()),
            )
            .instance_market_options(
                LaunchTemplateInstanceMarketOptionsRequest::builder()
                    .market_type(MarketType::Spot)
                    .spot_options(
                        LaunchTemplateSpotMarketOptionsRequest::builder()
                            .set_max_price(self.spot.max_price.clone())
                            .set_block_duration_minutes(self.spot.block_duration_minutes)
                            .build(),
                    )
                    .build(),
            );
        if let Some(p) = state
            .iam_instance_profile
            .as_ref()
            .or(l.iam_instance_profile.as_ref())
        {
            d = d.iam_instance_profile(
                LaunchTemplateIamInstanceProfileSpecificationRequest::builder()
                    .name(p)
                    .build(),
            );
        }
        if let Some(p) = o.placement(state.availability_zone.clone()) {
            d = d.placement(
                LaunchTemplatePlacementRequest::builder()
                    .set_availability_zone(p.availability_zone().map(str::to_owned))
                    .set_tenancy(p.tenancy().cloned())
                    .set_host_id(p.host_id().map(str::to_owned))
                    .set_host_resource_group_arn(p.host_resource_group_arn().map(str::to_owned))
                    .build(),
            );
        }
        match &state.subnet_id {
            Some(subnet) => {
                d = d.network_interfaces(
                    LaunchTemplateInstanceNetworkInterfaceSpecificationRequest::builder()
                        .device_index(0)
                        .subnet_id(subnet)
                        .delete_on_termination(true)
                        .set_associate_public_ip_address(l.associate_public_ip_address)
                        .set_groups(Some(state.security_group_ids.clone()))
                        .build(),
                );
            }
            None => {
                d = d.set_security_group_ids(Some(state.security_group_ids.clone()));
            }
        }
        if o.unlimited_credits {
            d = d.credit_specification(
                CreditSpecificationRequest::builder()
                    .cpu_credits("unlimited")
                    .build(),
            );
        }
        if let Some(m) = &o.metadata {
            let r = crate::steps::launch_options::LaunchOptions::metadata_request(m);
            d = d.metadata_options(
                LaunchTemplateInstanceMetadataOptionsRequest::builder()
                    .set_http_endpoint(
                        r.http_endpoint()
                            .map(|v| LaunchTemplateInstanceMetadataEndpointState::from(v.as_str())),
                    )
                    .set_http_tokens(
                        r.http_tokens()
                            .map(|v| LaunchTemplateHttpTokensState::from(v.as_str())),
                    )
                    .set_http_put_response_hop_limit(r.http_put_response_hop_limit())
                    .set_instance_metadata_tags(
                        r.instance_metadata_tags()
                            .map(|v| LaunchTemplateInstanceMetadataTagsState::from(v.as_str())),
                    )
                    .build(),
            );
        }
        // With one type, the template names it; several are overrides.
        if let [only] = l.instance_types.as_slice() {
            d = d.instance_type(InstanceType::from(only.as_str()));
        }
        let tag_spec = |kind: ResourceType, tags: &BTreeMap<String, String>| {
            LaunchTemplateTagSpecificationRequest::builder()
                .resource_type(kind)
                .set_tags(Some(ec2_tags(tags)))
                .build()
        };
        if !l.tags.is_empty() {
            d = d
                .tag_specifications(tag_spec(ResourceType::Instance, &l.tags))
                .tag_specifications(tag_spec(ResourceType::NetworkInterface, &l.tags));
        }
        if !l.volume_tags.is_empty() {
            d = d.tag_specifications(tag_spec(ResourceType::Volume, &l.volume_tags));
        }
        d.build()
    }
}

/// A launch device as a launch template's (the same fields, other types).
fn template_device(m: &BlockDeviceMapping) -> LaunchTemplateBlockDeviceMappingRequest {
    let ebs = m.ebs().map(|e| {
        LaunchTemplateEbsBlockDeviceRequest::builder()
            .set_delete_on_termination(e.delete_on_termination())
            .set_encrypted(e.encrypted())
            .set_iops(e.iops())
            .set_kms_key_id(e.kms_key_id().map(str::to_owned))
            .set_snapshot_id(e.snapshot_id().map(str::to_owned))
            .set_throughput(e.throughput())
            .set_volume_size(e.volume_size())
            .set_volume_type(e.volume_type().cloned())
            .build()
    });
    LaunchTemplateBlockDeviceMappingRequest::builder()
        .set_device_name(m.device_name().map(str::to_owned))
        .set_virtual_name(m.virtual_name().map(str::to_owned))
        .set_no_device(m.no_device().map(str::to_owned))
        .set_ebs(ebs)
        .build()
}

impl Step<State> for StepRunSpotInstance {
    fn name(&self) -> &str {
        "StepRunSpotInstance"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        ctx.ui.say("Launching a spot AWS instance...");
        let Some(image) = state.image_to_launch().cloned() else {
            return Err(AmazonError::MissingState {
                step: "StepRunSpotInstance",
                what: "source AMI",
            }
            .into());
        };
        // The source's root is what the check is about; an intermediate
        // AMI of the step cache was made from an instance of it.
        let root = state
            .source_image
            .as_ref()
            .unwrap_or(&image)
            .root_device_type()
            .map(|t| t.as_str())
            .unwrap_or("");
        if self.launch.require_ebs_root && root != "ebs" {
            return Err(report(ctx, AmazonError::RootDeviceType(root.to_owned())));
        }
        let ec2 = state.ec2.clone();
        ctx.ui.say("Interpolating tags for spot instance...");
        report_tags(ctx.ui, &self.launch.tags);
        report_tags(ctx.ui, &self.launch.volume_tags);
        ctx.ui.message("Loading User Data File...");
        let user_data = self.launch.user_data().map_err(|e| fail(ctx, "Error", e))?;
        ctx.ui.message("Creating Spot Fleet launch template...");
        let data = self.template_data(state, user_data, image.image_id().unwrap_or_default());
        let mut req = ec2
            .client
            .create_launch_template()
            .launch_template_name(&self.template_name)
            .version_description("template generated by packer for launching spot instances")
            .launch_template_data(data);
        if !self.spot.tags.is_empty() {
            req = req.tag_specifications(
                TagSpecification::builder()
                    .resource_type(ResourceType::LaunchTemplate)
                    .set_tags(Some(ec2_tags(&self.spot.tags)))
                    .build(),
            );
        }
        let out = ec2
            .create("CreateLaunchTemplate", req.send())
            .map_err(|e| fail(ctx, "Error creating launch template for spot instance", e))?;
        let template_id = out
            .launch_template()
            .and_then(|t| t.launch_template_id())
            .unwrap_or_default()
            .to_owned();
        self.template = Some(self.template_name.clone());
        ctx.ui.message(&format!(
            "Created Spot Fleet launch template: {template_id}"
        ));

        let overrides: Vec<_> = if self.launch.instance_types.len() > 1 {
            self.launch
                .instance_types
                .iter()
                .map(|t| {
                    FleetLaunchTemplateOverridesRequest::builder()
                        .instance_type(InstanceType::from(t.as_str()))
                        .build()
                })
                .collect()
        } else {
            Vec::new()
        };
        let mut fleet = ec2
            .client
            .create_fleet()
            .launch_template_configs(
                FleetLaunchTemplateConfigRequest::builder()
                    .launch_template_specification(
                        FleetLaunchTemplateSpecificationRequest::builder()
                            .launch_template_name(&self.template_name)
                            .version("1")
                            .build(),
                    )
                    .set_overrides((!overrides.is_empty()).then_some(overrides))
                    .build(),
            )
            .replace_unhealthy_instances(false)
            .target_capacity_specification(
                TargetCapacitySpecificationRequest::builder()
                    .total_target_capacity(1)
                    .default_target_capacity_type(DefaultTargetCapacityType::Spot)
                    .build(),
            )
            .r#type(FleetType::Instant);
        if let Some(s) = &self.allocation_strategy {
            fleet = fleet.spot_options(
                SpotOptionsRequest::builder()
                    .allocation_strategy(SpotAllocationStrategy::from(s.as_str()))
                    .build(),
            );
        }
        report_tags(ctx.ui, &self.fleet_tags);
        if !self.fleet_tags.is_empty() {
            fleet = fleet.tag_specifications(
                TagSpecification::builder()
                    .resource_type(ResourceType::Fleet)
                    .set_tags(Some(ec2_tags(&self.fleet_tags)))
                    .build(),
            );
        }
        let out = ec2
            .create("CreateFleet", fleet.send())
            .map_err(|e| fail(ctx, "Error launching spot fleet", e))?;
        let id = out
            .instances()
            .iter()
            .flat_map(|i| i.instance_ids())
            .next()
            .cloned();
        let Some(id) = id else {
            let fleet_id = out.fleet_id().unwrap_or_default();
            let why: Vec<String> = out
                .errors()
                .iter()
                .map(|e| {
                    format!(
                        "{}: {}",
                        e.error_code().unwrap_or_default(),
                        e.error_message().unwrap_or_default()
                    )
                })
                .collect();
            return Err(report(
                ctx,
                AmazonError::Fleet(format!(
                    "Error waiting for fleet request ({fleet_id}) to become ready: {}",
                    if why.is_empty() {
                        "no instance was launched".to_owned()
                    } else {
                        why.join("; ")
                    }
                )),
            ));
        };
        self.launched = Some(id.clone());
        ctx.ui.message(&format!("Instance ID: {id}"));
        let running = wait_running(&ec2, ctx, &self.launch.polling, &id)?;

        // The spot request carries the spot tags, the instance (already
        // tagged through the template) and its volumes are tagged again
        // as Packer does, for the copies of EC2 that skip template tags.
        if !self.spot.tags.is_empty() {
            if let Some(sir) = running.spot_instance_request_id().filter(|s| !s.is_empty()) {
                report_tags(ctx.ui, &self.spot.tags);
                let mut req = ec2.client.create_tags().resources(sir);
                for t in ec2_tags(&self.spot.tags) {
                    req = req.tags(t);
                }
                ec2.call(ctx.cancel, "CreateTags", req.send())
                    .map_err(|e| fail(ctx, "Error tagging spot request", e))?;
            }
        }
        if !self.launch.tags.is_empty() {
            let mut req = ec2.client.create_tags().resources(&id);
            for t in ec2_tags(&self.launch.tags) {
                req = req.tags(t);
            }
            ec2.call(ctx.cancel, "CreateTags", req.send())
                .map_err(|e| fail(ctx, "Error tagging source instance", e))?;
        }
        let volumes: Vec<String> = running
            .block_device_mappings()
            .iter()
            .filter_map(|m| m.ebs().and_then(|e| e.volume_id()).map(str::to_owned))
            .collect();
        if !volumes.is_empty() && !self.launch.volume_tags.is_empty() {
            ctx.ui.say("Adding tags to source EBS Volumes");
            let mut req = ec2.client.create_tags().set_resources(Some(volumes));
            for t in ec2_tags(&self.launch.volume_tags) {
                req = req.tags(t);
            }
            ec2.call(ctx.cancel, "CreateTags", req.send())
                .map_err(|e| fail(ctx, &format!("Error tagging source EBS Volumes on {id}"), e))?;
        }
        let running = describe(&ec2, ctx, &id)
            .map_err(|e| fail(ctx, "Error finding source instance", e))?
            .unwrap_or(running);
        state.instance = Some(running);
        state.generated.insert("ID".to_owned(), id);
        Ok(())
    }

    fn cleanup(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if let Some(id) = self.launched.take() {
            terminate(&state.ec2, ctx, &self.launch.polling, &id);
        }
        if let Some(name) = self.template.take() {
            let ec2 = &state.ec2;
            if let Err(e) = ec2.call(
                ctx.cancel,
                "DeleteLaunchTemplate",
                ec2.client
                    .delete_launch_template()
                    .launch_template_name(&name)
                    .send(),
            ) {
                ctx.ui.error(&e.to_string());
            }
        }
        Ok(())
    }

    fn left_behind(&self, state: &State) -> Vec<String> {
        let mut out: Vec<String> = self
            .launched
            .iter()
            .map(|i| format!("EC2 instance {i} ({})", state.ec2.region))
            .collect();
        if let Some(t) = &self.template {
            out.push(format!("EC2 launch template {t} ({})", state.ec2.region));
        }
        out
    }
}
