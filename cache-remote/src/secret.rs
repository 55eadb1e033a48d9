//! The keys' secret, shared by everyone using the store: keys are HMACs
//! of the steps' config under it, so runners with different secrets
//! would never find each other's entries. `KILN_CACHE_SECRET` gives it
//! (a CI secret, for a store others can read); otherwise the store keeps
//! one, made by the first runner, in the artifact tagged `secret`.
//! Whoever can read the store can read that secret, and with it test
//! guesses of the hashed values: but they can read the snapshots too,
//! which hold whatever those steps put on the machine.

use crate::error::RemoteError;
use kiln_catalog::backend::{Backend, Expect};
use kiln_catalog::digest::sha256_digest;
use kiln_catalog::oci::{self, Descriptor, Manifest};

pub const ENV: &str = "KILN_CACHE_SECRET";
pub const TAG: &str = "secret";
pub const SECRET_TYPE: &str = "application/vnd.kiln.step-cache.secret.v1";

/// The secret from the environment, else the store's, made if the store
/// has none yet.
pub fn shared(
    env: Option<String>,
    store: &dyn Backend,
    bucket: &str,
) -> Result<Vec<u8>, RemoteError> {
    if let Some(s) = env.filter(|s| !s.is_empty()) {
        return Ok(s.into_bytes());
    }
    let err = |e| RemoteError::Store {
        location: store.location(),
        source: Box::new(e),
    };
    if let Some(found) = stored(store, bucket)? {
        return Ok(found);
    }
    let mut bytes = vec![0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| RemoteError::Secret(e.to_string(), store.location()))?;
    let digest = sha256_digest(&bytes);
    store.put_blob(bucket, &digest, &bytes).map_err(err)?;
    store
        .put_blob(bucket, oci::EMPTY_DIGEST, oci::EMPTY_BYTES)
        .map_err(err)?;
    let m = Manifest::artifact(
        SECRET_TYPE,
        vec![Descriptor::blob(SECRET_TYPE, &digest, bytes.len() as u64)],
    );
    store
        .set_tag(bucket, TAG, &m.raw(), &Expect::Absent)
        .map_err(err)?;
    // A registry has no conditional tag write: two first runners may
    // both have written one. Whichever the tag names now is the secret.
    stored(store, bucket)?.ok_or_else(|| {
        RemoteError::Secret(
            "the secret just stored is gone".to_owned(),
            store.location(),
        )
    })
}

fn stored(store: &dyn Backend, bucket: &str) -> Result<Option<Vec<u8>>, RemoteError> {
    let err = |e| RemoteError::Store {
        location: store.location(),
        source: Box::new(e),
    };
    let Some(raw) = store.get_manifest(bucket, TAG).map_err(err)? else {
        return Ok(None);
    };
    let bad = |why: &str| RemoteError::Corrupt {
        location: store.location(),
        key: TAG.to_owned(),
        why: why.to_owned(),
    };
    let m: Manifest = oci::parse("the step cache's secret", &raw).map_err(err)?;
    let layer = match m.layers.as_slice() {
        [l] if m.artifact_type.as_deref() == Some(SECRET_TYPE) => l,
        _ => return Err(bad("it is not a secret artifact")),
    };
    let bytes = store.get_blob(bucket, &layer.digest).map_err(err)?;
    if bytes.len() < 16 || sha256_digest(&bytes) != layer.digest {
        return Err(bad("its blob is damaged"));
    }
    Ok(Some(bytes))
}
