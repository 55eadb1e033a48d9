//! `kiln verify REGION:ami-…` against the account: the signed record says
//! which snapshots the AMI is made of; EC2 must still have that AMI, made
//! of exactly those. The record's signature alone proves what the build
//! made, not that it is still there to launch: a deregistered AMI's
//! record verifies as well as a live one's.

use super::verify::VerifyError;

/// One AMI of a build's record (`ami-….ami.json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedAmi {
    pub region: String,
    pub id: String,
    pub snapshots: Vec<String>,
}

const OFFLINE: &str = "pass -offline to check the signed record alone";

#[cfg(feature = "amazon")]
pub fn check(ami: &RecordedAmi) -> Result<String, VerifyError> {
    let (id, region) = (&ami.id, &ami.region);
    let facts = kiln_builder_amazon::lookup_ami::describe(region, id, &kiln_core::Cancel::new())
        .map_err(|e| {
            VerifyError::Ec2(format!("cannot describe {id} in {region}: {e} ({OFFLINE})"))
        })?;
    match facts {
        Some(f) if f.state != "deregistered" && f.snapshots == ami.snapshots => Ok(format!(
            "ec2: {id} is in {region} ({}), made of the recorded snapshots ({})",
            f.state,
            list(&f.snapshots)
        )),
        Some(f) if f.state != "deregistered" => Err(VerifyError::Ec2(format!(
            "{id} in {region} is made of {}, but the signed record says {}",
            list(&f.snapshots),
            list(&ami.snapshots)
        ))),
        _ => Err(VerifyError::Ec2(format!(
            "{id} does not exist in {region}: deregistered, or not visible to these credentials"
        ))),
    }
}

#[cfg(not(feature = "amazon"))]
pub fn check(ami: &RecordedAmi) -> Result<String, VerifyError> {
    Err(VerifyError::Ec2(format!(
        "this kiln was built without the amazon feature and cannot ask EC2 about {}: {OFFLINE}",
        ami.id
    )))
}

#[cfg_attr(not(feature = "amazon"), allow(dead_code))]
fn list(snapshots: &[String]) -> String {
    if snapshots.is_empty() {
        "no snapshots".to_owned()
    } else {
        snapshots.join(", ")
    }
}
