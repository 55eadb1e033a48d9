//! What kiln says about the artifacts it builds, so that someone who
//! deploys one can check it: SLSA provenance v1 ([`provenance`]) as an
//! in-toto [`statement`] in a [`dsse`] envelope, signed with an ECDSA
//! P-256 key in cosign's file formats ([`keys`]), plus cosign-compatible
//! detached signatures of artifact digests.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod dsse;
pub mod error;
pub mod keys;
pub mod provenance;
pub mod statement;

pub use dsse::Envelope;
pub use error::AttestError;
pub use keys::{PublicKey, SigningKey};
pub use statement::{ResourceDescriptor, Statement};
