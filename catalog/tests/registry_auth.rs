//! The registry store's credentials against a real htpasswd-protected
//! `docker-registry`, and its answers when no registry is there.

// Tests may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used)]

mod support {
    pub mod registry;
}

use kiln_catalog::backend::registry::{RegistryBackend, PASSWORD_VAR, USERNAME_VAR};
use kiln_catalog::backend::{Backend, Expect};
use kiln_catalog::digest::sha256_digest;
use kiln_catalog::oci::{self, Manifest};
use kiln_catalog::CatalogError;
use std::collections::HashMap;
use support::registry::{free_port, Registry};

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let m: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |k| m.get(k).cloned()
}

/// Write, tag and read back through `b`.
fn round_trip(b: &dyn Backend) -> Result<(), CatalogError> {
    let data = b"guarded";
    let d = sha256_digest(data);
    b.put_blob("web", oci::EMPTY_DIGEST, oci::EMPTY_BYTES)?;
    b.put_blob("web", &d, data)?;
    let m = Manifest::artifact(
        oci::BUILD_TYPE,
        vec![oci::Descriptor::blob("text/plain", &d, data.len() as u64)],
    )
    .raw();
    b.set_tag("web", "v1", &m, &Expect::Any)?;
    assert_eq!(
        b.get_manifest("web", "v1")?.map(|m| m.digest),
        Some(m.digest)
    );
    assert_eq!(b.get_blob("web", &d)?, data);
    assert_eq!(b.tags("web")?, ["v1"]);
    assert_eq!(b.buckets()?, ["web"]);
    Ok(())
}

#[test]
fn right_credentials_from_env_work() {
    let reg = Registry::start_with_users(&[("alice", "s3cret")]);
    let e = env(&[(USERNAME_VAR, "alice"), (PASSWORD_VAR, "s3cret")]);
    let b = RegistryBackend::with_env(&reg.location("team"), &e).unwrap();
    round_trip(&b).unwrap();
}

#[test]
fn wrong_credentials_are_denied_and_named() {
    let reg = Registry::start_with_users(&[("alice", "s3cret")]);
    let e = env(&[(USERNAME_VAR, "alice"), (PASSWORD_VAR, "wrong")]);
    let b = RegistryBackend::with_env(&reg.location("team"), &e).unwrap();
    for err in [
        b.tags("web").unwrap_err(),
        b.get_manifest("web", "v1").unwrap_err(),
        b.put_blob("web", oci::EMPTY_DIGEST, oci::EMPTY_BYTES)
            .unwrap_err(),
        round_trip(&b).unwrap_err(),
    ] {
        let CatalogError::Denied { why, .. } = &err else {
            panic!("not Denied: {err}");
        };
        assert!(why.contains(USERNAME_VAR) && why.contains("alice"), "{why}");
    }
}

#[test]
fn anonymous_is_denied_and_says_so() {
    let reg = Registry::start_with_users(&[("alice", "s3cret")]);
    let b = RegistryBackend::with_env(&reg.location("team"), &env(&[])).unwrap();
    let err = b.tags("web").unwrap_err();
    assert!(matches!(err, CatalogError::Denied { .. }), "{err}");
    assert!(err.to_string().contains("anonymous"), "{err}");
}

#[test]
fn credentials_from_an_auth_file() {
    let reg = Registry::start_with_users(&[("alice", "s3cret")]);
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("auth.json");
    let write = |pass: &str| {
        let auth = base64_of(&format!("alice:{pass}"));
        let doc = serde_json::json!({"auths": {reg.host(): {"auth": auth}}});
        std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();
    };
    let path = file.display().to_string();
    let e = env(&[("REGISTRY_AUTH_FILE", &path)]);

    write("s3cret");
    round_trip(&RegistryBackend::with_env(&reg.location("team"), &e).unwrap()).unwrap();

    write("wrong");
    let b = RegistryBackend::with_env(&reg.location("team"), &e).unwrap();
    let err = b.tags("web").unwrap_err();
    assert!(matches!(err, CatalogError::Denied { .. }), "{err}");
    assert!(err.to_string().contains(&path), "{err}");
}

#[test]
fn a_closed_port_is_unreachable() {
    let port = free_port();
    let b = RegistryBackend::with_env(&format!("127.0.0.1:{port}/team"), &env(&[])).unwrap();
    for err in [
        b.tags("web").unwrap_err(),
        b.get_manifest("web", "v1").unwrap_err(),
        b.has_blob("web", oci::EMPTY_DIGEST).unwrap_err(),
        b.put_blob("web", oci::EMPTY_DIGEST, oci::EMPTY_BYTES)
            .unwrap_err(),
        b.buckets().unwrap_err(),
        b.referrers("web", oci::EMPTY_DIGEST).unwrap_err(),
    ] {
        assert!(matches!(err, CatalogError::Unreachable { .. }), "{err}");
        assert!(err.to_string().contains("refused"), "{err}");
    }
}

#[test]
fn an_unknown_host_is_unreachable() {
    let b = RegistryBackend::with_env("no-such-registry.invalid/team", &env(&[])).unwrap();
    let err = b.tags("web").unwrap_err();
    assert!(matches!(err, CatalogError::Unreachable { .. }), "{err}");
}

fn base64_of(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}
