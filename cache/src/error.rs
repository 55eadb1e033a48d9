//! The store's failures, each naming the path involved.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("step cache: {what} {path}: {source}")]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("step cache: no home directory for the default cache (set KILN_CACHE_DIR)")]
    NoHome,
    #[error(
        "step cache: KILN_CACHE_MAX={0:?} is not a size (say 50GB, 500MB or a number of bytes)"
    )]
    BadSize(String),
    #[error("step cache: making the cache's secret: {0}")]
    Secret(String),
    #[error("step cache: {0} holds entries made with another secret: import into an empty cache (KILN_CACHE_DIR=…)")]
    OtherSecret(PathBuf),
    #[error("step cache: saving the snapshot: {0}")]
    Fill(String),
}

impl CacheError {
    pub fn io(what: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> CacheError {
        CacheError::Io {
            what,
            path: path.into(),
            source,
        }
    }
}
