//! What can go wrong talking to the shared store. None of it fails a
//! build: the engine warns and goes on with the local cache alone.

#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("invalid KILN_CACHE {0:?}: use oci://REGISTRY/PREFIX or dir:PATH")]
    BadLocation(String),
    #[error("step cache at {location}: {}", describe(source))]
    Store {
        location: String,
        #[source]
        source: Box<kiln_catalog::CatalogError>,
    },
    #[error("step cache at {location}: entry {key} is not a kiln step cache entry: {why}")]
    Corrupt {
        location: String,
        key: String,
        why: String,
    },
    #[error("step cache at {location}: reading {path}: {source}")]
    Io {
        location: String,
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("step cache at {location}: making the shared secret: {0}", location = .1)]
    Secret(String, String),
    #[error(transparent)]
    Local(#[from] kiln_step_cache::CacheError),
}

/// The store's failure in the cache's words: the catalog's errors name
/// "the catalog" and its location, which the message gives already.
fn describe(e: &kiln_catalog::CatalogError) -> String {
    use kiln_catalog::CatalogError as C;
    match e {
        C::Unreachable { why, .. } => format!("unreachable: {why}"),
        C::Denied { why, .. } => format!("access refused: {why}"),
        C::Registry { why, .. } => why.clone(),
        C::Corrupt { what, why } => format!("damaged content {what}: {why}"),
        other => other.to_string(),
    }
}
