//! Data sources: `data "TYPE" "NAME"` blocks, run before any build to
//! fetch values the template uses (`data.TYPE.NAME.ATTR`).
//!
//! A data source's config is decoded with serde and checked with
//! [`Validate`](crate::component::Validate) like any component. `validate`
//! only checks it and leaves its outputs unknown, typed by
//! [`DataSource::outputs`]; `build` (and `validate -evaluate-datasources`)
//! runs [`DataSource::execute`].

use crate::Cancel;

/// The type of one output attribute, so that references to it can be
/// type-checked while its value is still unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputType {
    String,
    Number,
    Bool,
    /// A map of strings (`map(string)`).
    StringMap,
}

/// What a data source produces: attribute name → JSON value.
pub type Outputs = serde_json::Map<String, serde_json::Value>;

#[derive(Debug, thiserror::Error)]
pub enum DataSourceError {
    /// The data source ran and could not produce its outputs.
    #[error("{0}")]
    Failed(String),
    #[error("cancelled")]
    Cancelled,
}

pub trait DataSource: Send + Sync {
    /// Every attribute [`execute`](DataSource::execute) returns, with its
    /// type.
    fn outputs(&self) -> &'static [(&'static str, OutputType)];

    /// Fetch the outputs.
    fn execute(&self, cancel: &Cancel) -> Result<Outputs, DataSourceError>;
}
