//! Launch the source instance (tagged at launch), wait until it runs;
//! cleanup terminates it and waits until it is gone. With
//! `spot_instance_types` the types are tried in order until EC2 has
//! capacity for one.

use crate::config::BlockDevice;
use crate::error::{fail, report, AmazonError, AwsError};
use crate::poll::{Poll, Polling};
use crate::state::State;
use crate::steps::launch_options::LaunchOptions;
use crate::steps::{ec2_tags, named, report_tags};
use aws_sdk_ec2::types::{
    IamInstanceProfileSpecification, Instance, InstanceNetworkInterfaceSpecification,
    InstanceStateName, InstanceType, ResourceType, ShutdownBehavior, TagSpecification,
};
use base64::Engine;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};
use std::collections::BTreeMap;

/// Error codes after which the next of `spot_instance_types` is tried.
const NO_CAPACITY: &[&str] = &[
    "InsufficientInstanceCapacity",
    "SpotMaxPriceTooLow",
    "MaxSpotInstanceCountExceeded",
    "Unsupported",
];

pub struct StepRunSourceInstance {
    /// `instance_type`, or the `spot_instance_types` in order.
    pub instance_types: Vec<String>,
    pub user_data: Option<String>,
    pub user_data_file: Option<String>,
    pub iam_instance_profile: Option<String>,
    pub launch_mappings: Vec<BlockDevice>,
    pub associate_public_ip_address: Option<bool>,
    pub ebs_optimized: bool,
    pub shutdown_behavior: String,
    pub options: LaunchOptions,
    /// `run_tags` (already rendered), with Packer's default `Name`.
    pub tags: BTreeMap<String, String>,
    pub volume_tags: BTreeMap<String, String>,
    pub polling: Polling,
    /// Packer's check that the source is EBS-backed (amazon-ebs snapshots
    /// its root volume); the test stage launches any AMI it is given.
    pub require_ebs_root: bool,
    launched: Option<String>,
}

impl StepRunSourceInstance {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        instance_types: Vec<String>,
        user_data: Option<String>,
        user_data_file: Option<String>,
        iam_instance_profile: Option<String>,
        launch_mappings: Vec<BlockDevice>,
        associate_public_ip_address: Option<bool>,
        ebs_optimized: bool,
        shutdown_behavior: String,
        options: LaunchOptions,
        mut tags: BTreeMap<String, String>,
        volume_tags: BTreeMap<String, String>,
        polling: Polling,
    ) -> StepRunSourceInstance {
        tags.entry("Name".to_owned())
            .or_insert_with(|| "Packer Builder".to_owned());
        StepRunSourceInstance {
            instance_types,
            user_data,
            user_data_file,
            iam_instance_profile,
            launch_mappings,
            associate_public_ip_address,
            ebs_optimized,
            shutdown_behavior,
            options,
            tags,
            volume_tags,
            polling,
            require_ebs_root: true,
            launched: None,
        }
    }

    pub fn user_data(&self) -> Result<Option<String>, AwsError> {
        let raw = match (&self.user_data, &self.user_data_file) {
            (Some(d), _) => d.clone().into_bytes(),
            (None, Some(f)) => std::fs::read(f).map_err(|e| AwsError::UserData(e.to_string()))?,
            (None, None) => return Ok(None),
        };
        Ok(Some(base64::engine::general_purpose::STANDARD.encode(raw)))
    }
}

impl Step<State> for StepRunSourceInstance {
    fn name(&self) -> &str {
        "StepRunSourceInstance"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        ctx.ui.say("Launching a source AWS instance...");
        let Some(image) = state.image_to_launch().cloned() else {
            return Err(AmazonError::MissingState {
                step: "StepRunSourceInstance",
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
        if self.require_ebs_root && root != "ebs" {
            return Err(report(ctx, AmazonError::RootDeviceType(root.to_owned())));
        }
        let user_data = self.user_data().map_err(|e| fail(ctx, "Error", e))?;
        let ec2 = state.ec2.clone();
        ctx.ui.say("Adding tags to source instance");
        report_tags(ctx.ui, &self.tags);
        let mut out = None;
        for (n, instance_type) in self.instance_types.iter().enumerate() {
            let mut req = ec2
                .client
                .run_instances()
                .image_id(image.image_id().unwrap_or_default())
                .instance_type(InstanceType::from(instance_type.as_str()))
                .min_count(1)
                .max_count(1)
                .ebs_optimized(self.ebs_optimized)
                .instance_initiated_shutdown_behavior(ShutdownBehavior::from(
                    self.shutdown_behavior.as_str(),
                ))
                // Retries of the same launch (by the SDK) start one instance.
                .client_token(uuid::Uuid::new_v4().to_string())
                .set_user_data(user_data.clone())
                .set_key_name(state.key_name.clone());
            if let Some(p) = state
                .iam_instance_profile
                .as_ref()
                .or(self.iam_instance_profile.as_ref())
            {
                req = req.iam_instance_profile(
                    IamInstanceProfileSpecification::builder().name(p).build(),
                );
            }
            let mut mappings: Vec<_> = self
                .launch_mappings
                .iter()
                .map(crate::devices::launch_device)
                .collect();
            mappings.extend(self.options.ephemeral_mappings());
            if !mappings.is_empty() {
                req = req.set_block_device_mappings(Some(mappings));
            }
            req = req.set_placement(self.options.placement(state.availability_zone.clone()));
            req = self.options.apply(req);
            match (&state.subnet_id, self.associate_public_ip_address) {
                (Some(subnet), Some(public)) => {
                    req = req.network_interfaces(
                        InstanceNetworkInterfaceSpecification::builder()
                            .device_index(0)
                            .subnet_id(subnet)
                            .associate_public_ip_address(public)
                            .delete_on_termination(true)
                            .set_groups(Some(state.security_group_ids.clone()))
                            .build(),
                    );
                }
                (subnet, _) => {
                    req = req
                        .set_subnet_id(subnet.clone())
                        .set_security_group_ids(Some(state.security_group_ids.clone()));
                }
            }
            req = req.tag_specifications(
                TagSpecification::builder()
                    .resource_type(ResourceType::Instance)
                    .set_tags(Some(ec2_tags(&self.tags)))
                    .build(),
            );
            if !self.volume_tags.is_empty() {
                req = req.tag_specifications(
                    TagSpecification::builder()
                        .resource_type(ResourceType::Volume)
                        .set_tags(Some(ec2_tags(&self.volume_tags)))
                        .build(),
                );
            }
            match launch_retrying_profile(&ec2, ctx, req) {
                Ok(o) => {
                    out = Some(o);
                    break;
                }
                Err(e)
                    if n + 1 < self.instance_types.len()
                        && e.code().is_some_and(|c| NO_CAPACITY.contains(&c)) =>
                {
                    ctx.ui.message(&format!(
                        "No capacity for {instance_type} ({e}), trying the next instance type"
                    ));
                }
                Err(e) => return Err(fail(ctx, "Error launching source instance", e)),
            }
        }
        let Some(out) = out else {
            return Err(fail(
                ctx,
                "Error launching source instance",
                AwsError::Missing {
                    op: "RunInstances",
                    field: "Instances",
                },
            ));
        };
        let Some(instance) = out.instances().first().cloned() else {
            return Err(fail(
                ctx,
                "Error launching source instance",
                AwsError::Missing {
                    op: "RunInstances",
                    field: "Instances",
                },
            ));
        };
        let id = instance.instance_id().unwrap_or_default().to_owned();
        self.launched = Some(id.clone());
        state.instance = Some(instance);
        ctx.ui.message(&format!("Instance ID: {id}"));

        let running = wait_running(&ec2, ctx, &self.polling, &id)?;
        state.instance = Some(running);
        state.generated.insert("ID".to_owned(), id);
        Ok(())
    }

    fn cleanup(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let Some(id) = self.launched.take() else {
            return Ok(());
        };
        terminate(&state.ec2, ctx, &self.polling, &id);
        Ok(())
    }

    fn left_behind(&self, state: &State) -> Vec<String> {
        self.launched
            .iter()
            .map(|i| format!("EC2 instance {i} ({})", state.ec2.region))
            .collect()
    }
}

/// Packer's wait for a launched instance: running, else the state it
/// ended in; with `-debug`, its addresses.
pub fn wait_running(
    ec2: &crate::session::Ec2,
    ctx: &BuildCtx<'_>,
    polling: &Polling,
    id: &str,
) -> Result<Instance, BuildError> {
    ctx.ui
        .say(&format!("Waiting for instance ({id}) to become ready..."));
    let running = polling
        .wait(ctx.cancel, &named("instance", id), || {
            describe(ec2, ctx, id).map(|i| match i.as_ref().and_then(state_name) {
                Some(InstanceStateName::Running) => i.map_or(Poll::Pending, Poll::Ready),
                Some(
                    s @ (InstanceStateName::Terminated
                    | InstanceStateName::ShuttingDown
                    | InstanceStateName::Stopped
                    | InstanceStateName::Stopping),
                ) => Poll::Failed {
                    state: s.as_str().to_owned(),
                    reason: String::new(),
                },
                _ => Poll::Pending,
            })
        })
        .map_err(|e| {
            fail(
                ctx,
                &format!("Error waiting for instance ({id}) to become ready"),
                e,
            )
        })?;
    if ctx.info.debug {
        for (label, v) in [
            ("Public DNS", running.public_dns_name()),
            ("Public IP", running.public_ip_address()),
            ("Private IP", running.private_ip_address()),
        ] {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                ctx.ui.message(&format!("{label}: {v}"));
            }
        }
    }
    Ok(running)
}

/// Terminate the instance and wait until it is gone; errors are shown,
/// not returned (cleanup goes on).
pub fn terminate(ec2: &crate::session::Ec2, ctx: &BuildCtx<'_>, polling: &Polling, id: &str) {
    ctx.ui.say("Terminating the source AWS instance...");
    if let Err(e) = ec2.call(
        ctx.cancel,
        "TerminateInstances",
        ec2.client.terminate_instances().instance_ids(id).send(),
    ) {
        ctx.ui.error(&format!(
            "Error terminating instance, may still be around: {e}"
        ));
        return;
    }
    let r = polling.wait(ctx.cancel, &named("instance", id), || {
        match describe(ec2, ctx, id) {
            Ok(i) => Ok(match i.as_ref().and_then(state_name) {
                Some(InstanceStateName::Terminated) | None => Poll::Ready(()),
                _ => Poll::Pending,
            }),
            Err(e) if e.is_not_found() => Ok(Poll::Ready(())),
            Err(e) => Err(e),
        }
    });
    if let Err(e) = r {
        ctx.ui.error(&format!(
            "Error terminating instance, may still be around: {e}"
        ));
    }
}

/// RunInstances, again (up to ten times, with a growing pause) while EC2
/// does not know the instance profile yet: a new profile takes a while
/// to reach EC2 (Packer retries the same way).
fn launch_retrying_profile(
    ec2: &crate::session::Ec2,
    ctx: &BuildCtx<'_>,
    req: aws_sdk_ec2::operation::run_instances::builders::RunInstancesFluentBuilder,
) -> Result<aws_sdk_ec2::operation::run_instances::RunInstancesOutput, AwsError> {
    let mut pause = std::time::Duration::from_millis(500);
    for _ in 0..10 {
        match ec2.create("RunInstances", req.clone().send()) {
            Err(e) if e.to_string().contains("Invalid IAM Instance Profile") => {
                ctx.ui.message(&format!("{e}; retrying in {pause:?}"));
                if ctx.cancel.sleep(pause).is_err() {
                    return Err(AwsError::Cancelled);
                }
                pause = (pause * 2).min(std::time::Duration::from_secs(30));
            }
            other => return other,
        }
    }
    ec2.create("RunInstances", req.send())
}

pub fn state_name(i: &Instance) -> Option<InstanceStateName> {
    i.state().and_then(|s| s.name()).cloned()
}

pub fn describe(
    ec2: &crate::session::Ec2,
    ctx: &BuildCtx<'_>,
    id: &str,
) -> Result<Option<Instance>, AwsError> {
    let out = ec2.call(
        ctx.cancel,
        "DescribeInstances",
        ec2.client.describe_instances().instance_ids(id).send(),
    )?;
    Ok(out
        .reservations()
        .iter()
        .flat_map(|r| r.instances())
        .find(|i| i.instance_id() == Some(id))
        .cloned())
}
