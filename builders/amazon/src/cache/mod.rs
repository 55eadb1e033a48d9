//! The step cache for amazon-ebs, with `cache = true` on the source (off
//! by default): a running instance cannot be snapshotted cheaply, so the
//! machine after the longest stable prefix of provisioners (every one but
//! the last, up to the first that is not cached) is saved as an
//! intermediate AMI, tagged with its step cache key. The next build whose
//! steps up to there are unchanged launches from that AMI and runs only
//! the steps after it. Saving a new intermediate AMI deletes the ones it
//! supersedes (those of the same build and region).
//!
//! - `inputs.rs`: what the boot (step 0) is keyed by;
//! - `resume.rs`: the step before the launch that picks the AMI;
//! - `intermediate.rs`: making, finding and deleting intermediate AMIs;
//! - `provision.rs`: provisioning from the first step not restored, and
//!   saving at the end of the stable prefix.

mod inputs;
mod intermediate;
mod provision;
mod resume;

pub use provision::StepProvisionCached;
pub use resume::StepResumeFromCache;
