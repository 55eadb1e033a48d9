//! The image config of the result: the base's, with `changes` and the
//! builder's native fields applied, one more diff id and history entry per
//! new layer.

pub mod changes;
pub mod run_config;
pub mod words;

pub use run_config::RunConfig;
