//! What EC2 says an AMI is, for `kiln verify REGION:ami-…`: whether it
//! exists and which EBS snapshots it is made of, so that the record the
//! build signed can be checked against the account rather than only
//! against its own signature.

use crate::error::AwsError;
use crate::session::{Access, Session};
use crate::steps::amis::{describe_image, snapshots_of};
use kiln_core::Cancel;

/// An AMI as EC2 describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmiFacts {
    /// `available`, `pending`, `deregistered`, …
    pub state: String,
    /// Sorted, as in the build's record.
    pub snapshots: Vec<String>,
}

/// Describe `ami` in `region` with the SDK's default credentials chain
/// and endpoint (`AWS_ENDPOINT_URL_EC2` / `AWS_ENDPOINT_URL` for an
/// emulator); `None` when EC2 does not know it.
pub fn describe(region: &str, ami: &str, cancel: &Cancel) -> Result<Option<AmiFacts>, AwsError> {
    let session = Session::open(&Access {
        region: Some(region.to_owned()),
        ..Access::default()
    })?;
    let ec2 = session.ec2(region);
    Ok(describe_image(&ec2, cancel, ami)?.map(|image| {
        let mut snapshots = snapshots_of(&image);
        snapshots.sort();
        AmiFacts {
            state: image
                .state()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            snapshots,
        }
    }))
}
