//! kiln's image catalog: buckets (image lines), immutable versions,
//! channels with an append-only history, revocation and ancestry, stored
//! as OCI content either in a local directory of OCI image layouts or in
//! an OCI registry. See the README's "Image catalog" section for the model
//! and `ARCHITECTURE.md` for the mapping onto OCI.

pub mod backend;
pub mod digest;
pub mod error;
pub mod oci;

pub use error::CatalogError;
pub mod attach;
pub mod catalog;
mod channel_tag;
pub mod datasource;
pub mod fingerprint;
pub mod identity;
pub mod lineage;
pub mod locate;
pub mod model;
pub mod names;
pub mod ops;
pub mod register;
pub mod resolve;
pub mod state;
pub mod stream;
pub mod sync;
