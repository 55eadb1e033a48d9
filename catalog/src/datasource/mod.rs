//! The catalog's data sources, with HCP Packer's names and fields:
//! `hcp-packer-version` (a channel's version) and `hcp-packer-artifact`
//! (one build's artifact in a version). They read the catalog
//! `KILN_CATALOG` names, refuse revoked versions (also through an
//! ancestor), and note each version they resolve as a parent of the run.

pub mod artifact;
pub mod version;

use crate::model::VersionRef;
use std::sync::Mutex;

/// The versions this process's data sources resolved. A `kiln build`
/// process is one run, and data sources are built from their config alone
/// (no context to hand them), so the run's parents are gathered here and
/// taken once by the registration.
static PARENTS: Mutex<Vec<VersionRef>> = Mutex::new(Vec::new());

fn note_parent(v: VersionRef) {
    if let Ok(mut p) = PARENTS.lock() {
        if !p.contains(&v) {
            p.push(v);
        }
    }
}

/// Every version resolved so far, in the order first resolved.
pub fn parents() -> Vec<VersionRef> {
    PARENTS.lock().map(|p| p.clone()).unwrap_or_default()
}

/// HCP Packer's status names.
fn status(revoked: Option<&crate::state::Revocation>) -> &'static str {
    match revoked {
        Some(r) if r.pending => "REVOCATION_SCHEDULED",
        Some(_) => "REVOKED",
        None => "ACTIVE",
    }
}

fn failed(e: crate::error::CatalogError) -> kiln_core::datasource::DataSourceError {
    kiln_core::datasource::DataSourceError::Failed(format!(
        "error retrieving from the kiln catalog: {e}"
    ))
}
