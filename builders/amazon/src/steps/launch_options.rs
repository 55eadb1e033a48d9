//! The RunInstances options newer Packer amazon-ebs added: instance
//! metadata, CPU credits, placement on hosts, licenses, capacity
//! reservations, Nitro Enclaves, the spot market and `no_ephemeral`.

use crate::config::{BlockDevice, MetadataOptions, PlacementBlock};
use aws_sdk_ec2::operation::run_instances::builders::RunInstancesFluentBuilder;
use aws_sdk_ec2::types::{
    BlockDeviceMapping, CapacityReservationPreference, CapacityReservationSpecification,
    CapacityReservationTarget, CreditSpecificationRequest, EnclaveOptionsRequest, HttpTokensState,
    InstanceInterruptionBehavior, InstanceMarketOptionsRequest, InstanceMetadataEndpointState,
    InstanceMetadataOptionsRequest, InstanceMetadataTagsState, LicenseConfigurationRequest,
    MarketType, Placement, ResourceType, SpotInstanceType, SpotMarketOptions, TagSpecification,
    Tenancy,
};
use std::collections::BTreeMap;

/// A spot request: RunInstances with spot market options.
#[derive(Debug, Clone, Default)]
pub struct Spot {
    /// `None` for `spot_price = "auto"`: EC2 caps at the on-demand price.
    pub max_price: Option<String>,
    pub block_duration_minutes: Option<i32>,
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default)]
pub struct LaunchOptions {
    pub metadata: Option<MetadataOptions>,
    pub unlimited_credits: bool,
    pub placement: Option<PlacementBlock>,
    pub tenancy: Option<String>,
    pub licenses: Vec<String>,
    pub capacity_preference: Option<String>,
    pub capacity_reservation_id: Option<String>,
    pub capacity_reservation_group_arn: Option<String>,
    pub nitro_enclave: bool,
    pub spot: Option<Spot>,
    pub no_ephemeral: bool,
}

fn set(v: &Option<String>) -> Option<String> {
    v.clone().filter(|s| !s.is_empty())
}

impl LaunchOptions {
    /// Packer's `MetadataOptions` with its defaults for the unset values
    /// (`enabled`, `optional`, hop limit 1, tags `disabled`).
    pub fn metadata_request(m: &MetadataOptions) -> InstanceMetadataOptionsRequest {
        let or = |v: &Option<String>, d: &str| set(v).unwrap_or_else(|| d.to_owned());
        let hops = m
            .http_put_response_hop_limit
            .filter(|h| *h != 0)
            .and_then(|h| i32::try_from(h).ok())
            .unwrap_or(1);
        InstanceMetadataOptionsRequest::builder()
            .http_endpoint(InstanceMetadataEndpointState::from(
                or(&m.http_endpoint, "enabled").as_str(),
            ))
            .http_tokens(HttpTokensState::from(
                or(&m.http_tokens, "optional").as_str(),
            ))
            .http_put_response_hop_limit(hops)
            .instance_metadata_tags(InstanceMetadataTagsState::from(
                or(&m.instance_metadata_tags, "disabled").as_str(),
            ))
            .build()
    }

    /// Zone, tenancy, and the host fields of `placement`, when any is set.
    pub fn placement(&self, zone: Option<String>) -> Option<Placement> {
        let p = self.placement.clone().unwrap_or_default();
        let host_id = set(&p.host_id);
        let group = set(&p.host_resource_group_arn);
        if zone.is_none() && self.tenancy.is_none() && host_id.is_none() && group.is_none() {
            return None;
        }
        Some(
            Placement::builder()
                .set_availability_zone(zone)
                .set_tenancy(self.tenancy.as_deref().map(Tenancy::from))
                .set_host_id(host_id)
                .set_host_resource_group_arn(group)
                .build(),
        )
    }

    /// `no_ephemeral`: Packer maps xvdca..xvdcz, where EC2 puts instance
    /// store drives, to no device.
    pub fn ephemeral_mappings(&self) -> Vec<BlockDeviceMapping> {
        if !self.no_ephemeral {
            return Vec::new();
        }
        ('a'..='z')
            .map(|c| {
                crate::devices::launch_device(&BlockDevice {
                    device_name: Some(format!("xvdc{c}")),
                    no_device: Some(true),
                    ..BlockDevice::default()
                })
            })
            .collect()
    }

    pub fn apply(&self, mut req: RunInstancesFluentBuilder) -> RunInstancesFluentBuilder {
        if let Some(m) = &self.metadata {
            req = req.metadata_options(Self::metadata_request(m));
        }
        if self.unlimited_credits {
            req = req.credit_specification(
                CreditSpecificationRequest::builder()
                    .cpu_credits("unlimited")
                    .build(),
            );
        }
        for arn in &self.licenses {
            req = req.license_specifications(
                LicenseConfigurationRequest::builder()
                    .license_configuration_arn(arn)
                    .build(),
            );
        }
        let target = (self.capacity_reservation_id.is_some()
            || self.capacity_reservation_group_arn.is_some())
        .then(|| {
            CapacityReservationTarget::builder()
                .set_capacity_reservation_id(self.capacity_reservation_id.clone())
                .set_capacity_reservation_resource_group_arn(
                    self.capacity_reservation_group_arn.clone(),
                )
                .build()
        });
        if target.is_some() || self.capacity_preference.is_some() {
            let mut spec = CapacityReservationSpecification::builder();
            if let Some(t) = target {
                spec = spec.capacity_reservation_target(t);
            } else if let Some(p) = &self.capacity_preference {
                spec = spec.capacity_reservation_preference(CapacityReservationPreference::from(
                    p.as_str(),
                ));
            }
            req = req.capacity_reservation_specification(spec.build());
        }
        if self.nitro_enclave {
            req = req.enclave_options(EnclaveOptionsRequest::builder().enabled(true).build());
        }
        if let Some(s) = &self.spot {
            req = req.instance_market_options(
                InstanceMarketOptionsRequest::builder()
                    .market_type(MarketType::Spot)
                    .spot_options(
                        SpotMarketOptions::builder()
                            .set_max_price(s.max_price.clone())
                            .spot_instance_type(SpotInstanceType::OneTime)
                            .instance_interruption_behavior(InstanceInterruptionBehavior::Terminate)
                            .set_block_duration_minutes(s.block_duration_minutes)
                            .build(),
                    )
                    .build(),
            );
            if !s.tags.is_empty() {
                req = req.tag_specifications(
                    TagSpecification::builder()
                        .resource_type(ResourceType::SpotInstancesRequest)
                        .set_tags(Some(crate::steps::ec2_tags(&s.tags)))
                        .build(),
                );
            }
        }
        req
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_defaults_are_packers() {
        let r = LaunchOptions::metadata_request(&MetadataOptions {
            http_tokens: Some("required".into()),
            ..MetadataOptions::default()
        });
        assert_eq!(r.http_tokens(), Some(&HttpTokensState::Required));
        assert_eq!(
            r.http_endpoint(),
            Some(&InstanceMetadataEndpointState::Enabled)
        );
        assert_eq!(r.http_put_response_hop_limit(), Some(1));
        assert_eq!(
            r.instance_metadata_tags(),
            Some(&InstanceMetadataTagsState::Disabled)
        );
    }

    #[test]
    fn no_ephemeral_maps_the_instance_store_names_to_nothing() {
        let o = LaunchOptions {
            no_ephemeral: true,
            ..LaunchOptions::default()
        };
        let m = o.ephemeral_mappings();
        assert_eq!(m.len(), 26);
        assert_eq!(m[0].device_name(), Some("xvdca"));
        assert!(m.iter().all(|d| d.no_device().is_some()));
        assert!(LaunchOptions::default().ephemeral_mappings().is_empty());
    }

    #[test]
    fn placement_only_when_something_is_set() {
        assert!(LaunchOptions::default().placement(None).is_none());
        let o = LaunchOptions {
            placement: Some(PlacementBlock {
                host_id: Some("h-1".into()),
                ..PlacementBlock::default()
            }),
            ..LaunchOptions::default()
        };
        assert_eq!(
            o.placement(None)
                .and_then(|p| p.host_id().map(str::to_owned))
                .as_deref(),
            Some("h-1")
        );
    }
}
