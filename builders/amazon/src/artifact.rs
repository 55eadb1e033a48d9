//! The artifact: Packer's `region:ami-id,…` id (sorted), its "AMIs were
//! created" description, and a `destroy` that deregisters every AMI and
//! deletes its snapshots.

use crate::session::Session;
use crate::steps::amis::destroy_ami;
use kiln_core::artifact::Destroy;
use kiln_core::{Artifact, BuildError, Cancel};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Packer's builder id for amazon-ebs.
pub const BUILDER_ID: &str = "mitchellh.amazonebs";

pub fn artifact_id(amis: &BTreeMap<String, String>) -> String {
    let mut parts: Vec<String> = amis.iter().map(|(r, a)| format!("{r}:{a}")).collect();
    parts.sort();
    parts.join(",")
}

pub fn description(amis: &BTreeMap<String, String>) -> String {
    let mut lines: Vec<String> = amis.iter().map(|(r, a)| format!("{r}: {a}")).collect();
    lines.sort();
    format!("AMIs were created:\n{}\n", lines.join("\n"))
}

pub fn artifact(session: Arc<Session>, amis: BTreeMap<String, String>) -> Artifact {
    let mut a = Artifact::new(BUILDER_ID, artifact_id(&amis), description(&amis));
    for (region, ami) in &amis {
        a.state.insert(
            format!("region.{region}"),
            serde_json::Value::String(ami.clone()),
        );
    }
    a.with_destroyer(Arc::new(Amis { session, amis }))
}

/// `snapshots.REGION`: each AMI's EBS snapshots, which its provenance
/// subject names with it.
pub fn record_snapshots(a: &mut Artifact, snapshots: &BTreeMap<String, Vec<String>>) {
    for (region, ids) in snapshots {
        a.state
            .insert(format!("snapshots.{region}"), serde_json::json!(ids));
    }
}

struct Amis {
    session: Arc<Session>,
    amis: BTreeMap<String, String>,
}

impl Destroy for Amis {
    fn destroy(&self, _artifact: &Artifact) -> Result<(), BuildError> {
        let mut errors = Vec::new();
        for (region, ami) in &self.amis {
            let ec2 = self.session.ec2(region);
            if let Err(e) = destroy_ami(&ec2, &Cancel::new(), ami) {
                errors.push(format!("{region}: {ami}: {e}"));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(crate::error::AmazonError::Destroy(errors).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packers_id_and_description() {
        let amis: BTreeMap<String, String> = [
            ("us-west-2".to_owned(), "ami-b".to_owned()),
            ("eu-west-1".to_owned(), "ami-c".to_owned()),
            ("us-east-1".to_owned(), "ami-a".to_owned()),
        ]
        .into();
        assert_eq!(
            artifact_id(&amis),
            "eu-west-1:ami-c,us-east-1:ami-a,us-west-2:ami-b"
        );
        assert_eq!(
            description(&amis),
            "AMIs were created:\neu-west-1: ami-c\nus-east-1: ami-a\nus-west-2: ami-b\n"
        );
    }

    /// Against moto: an AMI made from an instance, then the artifact's
    /// destroy.
    #[test]
    fn destroy_deregisters_the_amis_and_deletes_their_snapshots() {
        let m = crate::testing::Moto::start().expect("moto_server (run scripts/setup.sh)");
        let ec2 = m.ec2("us-east-1").unwrap();
        let run = ec2
            .create(
                "RunInstances",
                ec2.client
                    .run_instances()
                    .image_id("ami-1e749f67")
                    .min_count(1)
                    .max_count(1)
                    .send(),
            )
            .unwrap();
        let instance = run.instances()[0].instance_id().unwrap().to_owned();
        let ami = ec2
            .create(
                "CreateImage",
                ec2.client
                    .create_image()
                    .instance_id(&instance)
                    .name("to-destroy")
                    .send(),
            )
            .unwrap()
            .image_id()
            .unwrap()
            .to_owned();
        let before = m.inventory("us-east-1").unwrap();
        assert_eq!((before.images.len(), before.snapshots.len()), (1, 1));

        let a = artifact(
            Arc::clone(&ec2.session),
            [("us-east-1".to_owned(), ami.clone())].into(),
        );
        assert_eq!(a.id, format!("us-east-1:{ami}"));
        assert_eq!(a.builder_id, "mitchellh.amazonebs");
        a.destroy().unwrap();
        let after = m.inventory("us-east-1").unwrap();
        assert!(
            after.images.is_empty() && after.snapshots.is_empty(),
            "{after:?}"
        );
    }
}
