//! What the steps of one build learn and hand on. Every resource a step
//! creates is recorded here by that step right after the call that
//! created it, before any other call, so cleanup can always find it.

use crate::session::Ec2;
use aws_sdk_ec2::types::{Image, Instance};
use kiln_communicator_ssh::SshComm;
use kiln_core::step_cache::StepCache;
use kiln_core::Generated;
use std::collections::BTreeMap;

pub struct State {
    pub ec2: Ec2,
    pub source_image: Option<Image>,
    /// The image the instance launches from when it is not the source:
    /// the step cache's intermediate AMI.
    pub launch_image: Option<Image>,
    /// The build's step cache (`cache = true`), from the step before the
    /// launch on.
    pub cache: Option<Box<dyn StepCache>>,
    /// How many provisioners the launch image has run already.
    pub resumed: usize,
    pub vpc_id: Option<String>,
    pub subnet_id: Option<String>,
    pub availability_zone: Option<String>,
    /// The key pair the instance launches with, and its private half when
    /// kiln holds it in memory (a temporary key pair).
    pub key_name: Option<String>,
    pub private_key: Option<String>,
    pub security_group_ids: Vec<String>,
    /// The instance profile the instance launches with: `iam_instance_profile`
    /// or the temporary one.
    pub iam_instance_profile: Option<String>,
    pub instance: Option<Instance>,
    /// Region → AMI id, in creation order of regions.
    pub amis: BTreeMap<String, String>,
    pub snapshots: BTreeMap<String, Vec<String>>,
    pub ssh: Option<SshComm>,
    pub generated: Generated,
    /// Set by the last step: cleanups keep the AMIs.
    pub complete: bool,
    /// Set when a test failed: the test stage has deleted (or kept) the
    /// AMIs, and cleanups leave them alone.
    pub amis_settled: bool,
}

impl State {
    pub fn new(ec2: Ec2) -> State {
        State {
            ec2,
            source_image: None,
            launch_image: None,
            cache: None,
            resumed: 0,
            vpc_id: None,
            subnet_id: None,
            availability_zone: None,
            key_name: None,
            private_key: None,
            security_group_ids: Vec::new(),
            iam_instance_profile: None,
            instance: None,
            amis: BTreeMap::new(),
            snapshots: BTreeMap::new(),
            ssh: None,
            generated: Generated::new(),
            complete: false,
            amis_settled: false,
        }
    }

    /// What the instance launches from.
    pub fn image_to_launch(&self) -> Option<&Image> {
        self.launch_image.as_ref().or(self.source_image.as_ref())
    }

    pub fn instance_id(&self) -> Option<&str> {
        self.instance.as_ref().and_then(|i| i.instance_id())
    }

    /// The `{{ .SourceAMI }}`-style values of Packer's AMI templates, also
    /// `build.*` values.
    pub fn template_data(&self) -> BTreeMap<String, String> {
        let mut d = BTreeMap::new();
        d.insert("BuildRegion".to_owned(), self.ec2.region.clone());
        if let Some(i) = &self.source_image {
            let s = |v: Option<&str>| v.unwrap_or_default().to_owned();
            d.insert("SourceAMI".to_owned(), s(i.image_id()));
            d.insert("SourceAMIName".to_owned(), s(i.name()));
            d.insert("SourceAMICreationDate".to_owned(), s(i.creation_date()));
            d.insert("SourceAMIOwner".to_owned(), s(i.owner_id()));
            d.insert("SourceAMIOwnerName".to_owned(), s(i.image_owner_alias()));
        }
        d
    }
}

kiln_communicator_ssh::ssh_provisionable!(State);
