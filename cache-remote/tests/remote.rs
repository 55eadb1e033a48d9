//! The shared tier on a `dir:` store (an OCI image layout per bucket):
//! what one local cache pushes, another pulls whole, chains and all.
//! tests/cli/build/step_cache_remote.rs runs the same on a registry.

#![allow(clippy::unwrap_used)]

use kiln_core::step_cache::{Input, StepKey};
use kiln_step_cache::{DirStore, Meta};
use kiln_step_cache_remote::Remote;
use std::path::Path;

fn save(store: &DirStore, key: &StepKey, files: &[(&str, &[u8])]) -> kiln_step_cache::Entry {
    let meta = Meta::new(key.clone(), "oci", 1234, None);
    store
        .put(meta, |dir| {
            for (name, bytes) in files {
                std::fs::write(dir.join(name), bytes).map_err(|e| e.to_string())?;
            }
            // A directory stays home, as in `kiln cache export`.
            std::fs::create_dir(dir.join("tree")).map_err(|e| e.to_string())?;
            Ok(())
        })
        .unwrap()
}

fn chain() -> Vec<StepKey> {
    let boot = StepKey::root("boot", vec![Input::new("base", "sha256:aa")]);
    let one = boot.child("provisioner shell", vec![Input::new("inline", "x")]);
    let two = one.child("provisioner shell", vec![Input::new("inline", "y")]);
    vec![boot, one, two]
}

/// A shared store, runner A's local cache on it, and a directory for
/// runner B's.
struct World {
    shared: tempfile::TempDir,
    _a: tempfile::TempDir,
    b: tempfile::TempDir,
    remote: Remote,
    local_a: DirStore,
}

impl World {
    fn new() -> World {
        let shared = tempfile::tempdir().unwrap();
        let a = tempfile::tempdir().unwrap();
        let remote = Remote::open(&spec(shared.path()), None).unwrap();
        let local_a = DirStore::open(a.path(), u64::MAX).unwrap();
        World {
            shared,
            _a: a,
            b: tempfile::tempdir().unwrap(),
            remote,
            local_a,
        }
    }
}

fn spec(dir: &Path) -> String {
    format!("dir:{}", dir.display())
}

#[test]
fn a_chain_pushed_from_one_cache_is_pulled_whole_into_another() {
    let w = World::new();
    let (remote, keys, local_a) = (&w.remote, chain(), &w.local_a);
    for (i, k) in keys.iter().enumerate() {
        let body = format!("layer {i}");
        let e = save(local_a, k, &[("layer.tar", body.as_bytes()), ("id", b"x")]);
        let pushed = remote.push(&e).unwrap();
        assert_eq!(pushed.files, 2);
    }
    // Pushing the same entry again sends nothing.
    let again = remote.push(&local_a.get(&keys[2].key).unwrap()).unwrap();
    assert!(again.already);
    assert_eq!(again.bytes, 0);

    // Another runner opening the store gets the same secret.
    let other = Remote::open(&spec(w.shared.path()), None).unwrap();
    assert_eq!(other.secret(), remote.secret());
    assert_eq!(other.secret().len(), 32);

    let local_b = DirStore::open(w.b.path(), u64::MAX).unwrap();
    let wanted: Vec<Option<&str>> = vec![
        Some(&keys[0].key),
        Some(&keys[1].key),
        Some(&keys[2].key),
        None,
    ];
    assert_eq!(other.fetch(&wanted, &local_b).unwrap(), 3);
    for (i, k) in keys.iter().enumerate() {
        let e = local_b.get(&k.key).expect("pulled");
        assert_eq!(
            std::fs::read_to_string(e.path("layer.tar")).unwrap(),
            format!("layer {i}")
        );
        assert_eq!(e.meta.took_ms, 1234);
        assert_eq!(e.meta.key, *k);
        assert!(!e.path("tree").exists(), "directories do not travel");
    }
    // Everything is local now: nothing more to pull.
    assert_eq!(other.fetch(&wanted, &local_b).unwrap(), 0);
}

#[test]
fn a_chain_with_a_gap_pulls_nothing_and_a_shorter_prefix_is_taken() {
    let w = World::new();
    let (remote, keys, local_a) = (&w.remote, chain(), &w.local_a);
    // The boot and step 2 are pushed, step 1 is not: step 2 cannot be
    // restored without it.
    for i in [0, 2] {
        let e = save(local_a, &keys[i], &[("f", b"data")]);
        remote.push(&e).unwrap();
    }
    let local_b = DirStore::open(w.b.path(), u64::MAX).unwrap();
    let wanted: Vec<Option<&str>> = keys.iter().map(|k| Some(k.key.as_str())).collect();
    assert_eq!(remote.fetch(&wanted, &local_b).unwrap(), 1);
    assert!(local_b.get(&keys[0].key).is_some());
    assert!(local_b.get(&keys[2].key).is_none());
}

#[test]
fn the_environments_secret_wins_over_the_stores() {
    let shared = tempfile::tempdir().unwrap();
    let stored = Remote::open(&spec(shared.path()), None).unwrap();
    let given = Remote::open(&spec(shared.path()), Some("ci-secret".to_owned())).unwrap();
    assert_eq!(given.secret(), b"ci-secret");
    assert_ne!(stored.secret(), given.secret());
}

#[test]
fn locations_other_than_oci_and_dir_are_refused() {
    for bad in ["s3://bucket", "dir:", "oci://UPPER CASE/x", "/plain/path"] {
        let e = Remote::open(bad, None).err().expect(bad).to_string();
        assert!(e.contains("invalid KILN_CACHE"), "{bad}: {e}");
    }
}

#[test]
fn an_entry_whose_file_names_leave_its_directory_is_refused() {
    use kiln_catalog::backend::dir::DirBackend;
    use kiln_catalog::backend::{Backend, Expect};
    use kiln_catalog::digest::sha256_digest;
    use kiln_catalog::oci::Descriptor;
    use kiln_step_cache_remote::artifact;

    let shared = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let remote = Remote::open(&spec(shared.path()), None).unwrap();
    let key = &chain()[0];
    // Written by hand, as a hostile store could.
    let store = DirBackend::new(shared.path());
    let meta = serde_json::to_vec(&Meta::new(key.clone(), "oci", 1, None)).unwrap();
    let md = sha256_digest(&meta);
    store.put_blob("steps", &md, &meta).unwrap();
    let data = b"evil";
    let dd = sha256_digest(data);
    store.put_blob("steps", &dd, data).unwrap();
    let m = artifact::manifest(
        Descriptor::blob(artifact::META_TYPE, &md, meta.len() as u64),
        vec![artifact::layer("../../escape", &dd, 4)],
    );
    store
        .set_tag("steps", &artifact::tag(&key.key), &m.raw(), &Expect::Any)
        .unwrap();
    let local = DirStore::open(b.path(), u64::MAX).unwrap();
    let e = remote
        .fetch(&[Some(&key.key)], &local)
        .unwrap_err()
        .to_string();
    assert!(e.contains("is not a file name"), "{e}");
    assert!(local.get(&key.key).is_none());
    assert!(!b.path().join("escape").exists());
}
