//! `RegistryBackend::new` reads its credentials from the process
//! environment. Its own test binary with one test: changing the
//! environment is only sound while no other thread reads it.

// Tests may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used)]

mod support {
    pub mod registry;
}

use kiln_catalog::backend::registry::{RegistryBackend, PASSWORD_VAR, USERNAME_VAR};
use kiln_catalog::backend::Backend;
use kiln_catalog::CatalogError;
use support::registry::Registry;

#[test]
fn new_takes_credentials_from_the_environment() {
    let reg = Registry::start_with_users(&[("bob", "hunter2")]);
    // No auth file of the machine's may answer for this registry.
    let home = tempfile::tempdir().unwrap();
    std::env::set_var("HOME", home.path());
    std::env::remove_var("DOCKER_CONFIG");
    std::env::remove_var("XDG_RUNTIME_DIR");
    std::env::remove_var("REGISTRY_AUTH_FILE");

    std::env::set_var(USERNAME_VAR, "bob");
    std::env::set_var(PASSWORD_VAR, "hunter2");
    let b = RegistryBackend::new(&reg.location("team")).unwrap();
    assert!(b.tags("web").unwrap().is_empty());
    assert!(b.buckets().unwrap().is_empty());

    std::env::set_var(PASSWORD_VAR, "nope");
    let b = RegistryBackend::new(&reg.location("team")).unwrap();
    assert!(matches!(b.tags("web"), Err(CatalogError::Denied { .. })));

    std::env::remove_var(USERNAME_VAR);
    std::env::remove_var(PASSWORD_VAR);
    let b = RegistryBackend::new(&reg.location("team")).unwrap();
    let err = b.tags("web").unwrap_err();
    assert!(err.to_string().contains("anonymous"), "{err}");
}
