//! kiln's step cache on a store that CI runners share, in the manner of
//! BuildKit's registry cache: `KILN_CACHE=oci://REGISTRY/PREFIX` (a
//! registry: the entries live in the repository `PREFIX/steps`) or
//! `KILN_CACHE=dir:PATH` (a shared disk, as an OCI image layout).
//!
//! The local store stays the working copy: builders restore from and
//! save into `KILN_CACHE_DIR`. This crate is the tier behind it:
//! - [`Remote::fetch`] pulls the longest chain of entries the remote has
//!   and the local store lacks, oldest first, each through the local
//!   store's staging directory (so a pull cut short leaves nothing that
//!   restores);
//! - [`Remote::push`] uploads an entry the build just saved.
//!
//! An entry is one OCI artifact ([`artifact`]) tagged `step-KEY`; the
//! keys' secret is shared through the store as well ([`secret`]).

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod artifact;
pub mod error;
mod remote;
pub mod secret;

pub use error::RemoteError;
pub use remote::{Pushed, Remote, ENV};
