//! Which store `KILN_CATALOG` names: `dir:PATH`, `oci://REGISTRY/PREFIX`,
//! else the default directory `$XDG_DATA_HOME/kiln/catalog`
//! (`~/.local/share/kiln/catalog`).

use crate::backend::dir::DirBackend;
use crate::backend::Backend;
use crate::catalog::Catalog;
use crate::error::CatalogError;
use std::path::PathBuf;

pub const ENV: &str = "KILN_CATALOG";

pub fn from_env() -> Result<Catalog, CatalogError> {
    let spec = std::env::var(ENV).ok().filter(|s| !s.is_empty());
    open(spec.as_deref())
}

pub fn open(spec: Option<&str>) -> Result<Catalog, CatalogError> {
    let backend: Box<dyn Backend> = match spec {
        None => Box::new(DirBackend::new(default_dir())),
        Some(s) => {
            if let Some(path) = s.strip_prefix("dir:") {
                if path.is_empty() {
                    return Err(CatalogError::BadLocation(s.to_owned()));
                }
                Box::new(DirBackend::new(path))
            } else if let Some(rest) = s.strip_prefix("oci://") {
                registry(rest)?
            } else {
                return Err(CatalogError::BadLocation(s.to_owned()));
            }
        }
    };
    Ok(Catalog::new(backend))
}

fn default_dir() -> PathBuf {
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from(".kiln"));
    data.join("kiln/catalog")
}

fn registry(location: &str) -> Result<Box<dyn Backend>, CatalogError> {
    Ok(Box::new(crate::backend::registry::RegistryBackend::new(
        location,
    )?))
}

/// What `KILN_CATALOG` names, for messages (the default directory when unset).
pub fn describe_env() -> String {
    match std::env::var(ENV).ok().filter(|s| !s.is_empty()) {
        Some(s) => s,
        None => format!("dir:{}", default_dir().display()),
    }
}
