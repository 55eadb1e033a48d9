//! kiln's data sources, one module per type. Amazon's live with the
//! Amazon builder (they share its SDK and credentials).

pub mod http;
