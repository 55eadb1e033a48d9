//! kiln's step cache store (the keys are kiln-core's `step_cache`): one
//! directory per key holding a builder's snapshot of the machine after
//! that step, and `meta.json` saying what the step was and what it cost.
//!
//! - [`dir`]: the local store (`KILN_CACHE_DIR`, default
//!   `~/.cache/kiln/steps`), size-limited (`KILN_CACHE_MAX`), evicting
//!   the least recently used entries;
//! - [`meta`]: what an entry records;
//! - `transfer`: `export`/`import` of one build's chain as a tarball;
//! - [`error`]: what can go wrong.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod dir;
pub mod error;
pub mod meta;
mod transfer;

pub use dir::{DirStore, Entry, Staging};
pub use error::CacheError;
pub use meta::Meta;
