//! One contract for every store: each check below runs against a
//! `DirBackend` in a temporary directory and against a `RegistryBackend`
//! on a fresh `docker-registry` (distribution 2.8), so that the catalog
//! logic above the trait can rely on the same answers from both.

// Tests may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used)]

mod support {
    pub mod registry;
}

use kiln_catalog::backend::dir::DirBackend;
use kiln_catalog::backend::registry::RegistryBackend;
use kiln_catalog::backend::{Backend, Expect, RawManifest};
use kiln_catalog::digest::{file_digest, sha256_digest};
use kiln_catalog::oci::{self, Descriptor, Index, Manifest, Platform};
use kiln_catalog::CatalogError;
use std::process::Command;
use support::registry::Registry;

/// A store under test, with what keeps it alive.
struct Store {
    backend: Box<dyn Backend>,
    /// Another catalog nested inside this one's space (a directory below
    /// its root; a repository prefix below its prefix): its buckets are
    /// not this catalog's.
    nested: Box<dyn Backend>,
    _keep: Keep,
}

enum Keep {
    Dir(#[allow(dead_code)] tempfile::TempDir),
    Registry(#[allow(dead_code)] Registry),
}

const NO_ENV: &dyn Fn(&str) -> Option<String> = &|_| None;

impl Store {
    fn dir() -> Store {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("catalog");
        Store {
            backend: Box::new(DirBackend::new(&root)),
            nested: Box::new(DirBackend::new(root.join("nested"))),
            _keep: Keep::Dir(tmp),
        }
    }

    fn registry() -> Store {
        let reg = Registry::start();
        Store {
            backend: Box::new(
                RegistryBackend::with_env(&reg.location("team/cat"), NO_ENV).unwrap(),
            ),
            nested: Box::new(
                RegistryBackend::with_env(&reg.location("team/cat/nested"), NO_ENV).unwrap(),
            ),
            _keep: Keep::Registry(reg),
        }
    }
}

/// Deterministic bytes that do not compress to nothing.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Store `data` as a blob and an artifact manifest with it as its layer.
fn artifact(b: &dyn Backend, bucket: &str, data: &[u8]) -> RawManifest {
    let d = sha256_digest(data);
    b.put_blob(bucket, oci::EMPTY_DIGEST, oci::EMPTY_BYTES)
        .unwrap();
    b.put_blob(bucket, &d, data).unwrap();
    let m = Manifest::artifact(
        oci::BUILD_TYPE,
        vec![Descriptor::blob(
            "application/octet-stream",
            &d,
            data.len() as u64,
        )],
    )
    .raw();
    b.put_manifest(bucket, &m).unwrap();
    m
}

fn blobs(s: &Store) {
    let b = &*s.backend;
    let data = b"hello, catalog".to_vec();
    let d = sha256_digest(&data);
    assert!(!b.has_blob("web", &d).unwrap());
    b.put_blob("web", &d, &data).unwrap();
    assert!(b.has_blob("web", &d).unwrap());
    assert_eq!(b.get_blob("web", &d).unwrap(), data);
    // Storing what is there already is a no-op.
    b.put_blob("web", &d, &data).unwrap();

    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("disk.img");
    std::fs::write(&file, noise(20 * 1024 * 1024 + 12_345, 7)).unwrap();
    let (fd, size) = file_digest(&file).unwrap();
    assert!(!b.has_blob("web", &fd).unwrap());
    b.put_blob_file("web", &fd, &file).unwrap();
    assert!(b.has_blob("web", &fd).unwrap());
    let back = b.get_blob("web", &fd).unwrap();
    assert_eq!(back.len() as u64, size);
    assert_eq!(sha256_digest(&back), fd);
    b.put_blob_file("web", &fd, &file).unwrap();
    let copy = tmp.path().join("copy.img");
    b.get_blob_file("web", &fd, &copy).unwrap();
    assert_eq!(file_digest(&copy).unwrap(), (fd.clone(), size));

    // A file that is not what its digest says is refused, not stored.
    let other = tmp.path().join("other.img");
    std::fs::write(&other, noise(100_000, 9)).unwrap();
    let wrong = sha256_digest(b"something else");
    let err = b.put_blob_file("web", &wrong, &other).unwrap_err();
    assert!(matches!(err, CatalogError::Corrupt { .. }), "{err}");
    assert!(!b.has_blob("web", &wrong).unwrap());
}

fn manifests_by_digest_and_tag(s: &Store) {
    let b = &*s.backend;
    let m = artifact(b, "web", b"layer one");
    let got = b.get_manifest("web", &m.digest).unwrap().unwrap();
    assert_eq!(got, m, "exact bytes, digest and media type");
    assert!(b.get_manifest("web", "v1").unwrap().is_none());
    assert!(b.set_tag("web", "v1", &m, &Expect::Any).unwrap());
    assert_eq!(b.get_manifest("web", "v1").unwrap().unwrap(), m);
    let missing = sha256_digest(b"no such manifest");
    assert!(b.get_manifest("web", &missing).unwrap().is_none());
}

fn an_index_of_manifests(s: &Store) {
    let b = &*s.backend;
    let one = artifact(b, "web", b"one");
    let two = artifact(b, "web", b"two");
    let mut d1 = Descriptor::of(&one);
    d1.platform = Some(Platform {
        architecture: "amd64".into(),
        os: "linux".into(),
    });
    d1.artifact_type = Some(oci::BUILD_TYPE.into());
    let mut index = Index::new(vec![d1, Descriptor::of(&two)]);
    index.artifact_type = Some(oci::VERSION_TYPE.into());
    index
        .annotations
        .insert(oci::ANN_VERSION.into(), "v1".into());
    let idx = index.raw();
    b.put_manifest("web", &idx).unwrap();
    let got = b.get_manifest("web", &idx.digest).unwrap().unwrap();
    assert_eq!(got.media_type, oci::INDEX);
    assert_eq!(got, idx);
    let parsed: Index = oci::parse("index", &got).unwrap();
    assert_eq!(parsed.manifests.len(), 2);
    assert_eq!(parsed.manifests[1].digest, two.digest);

    b.set_tag("web", "v1", &idx, &Expect::Absent).unwrap();
    let refs = vec![
        one.digest.clone(),
        "v1".to_owned(),
        sha256_digest(b"absent"),
        "v9".to_owned(),
        two.digest.clone(),
    ];
    let many = b.get_manifests("web", &refs).unwrap();
    assert_eq!(many.len(), 5);
    assert_eq!(many[0].as_ref(), Some(&one));
    assert_eq!(many[1].as_ref(), Some(&idx));
    assert!(many[2].is_none());
    assert!(many[3].is_none());
    assert_eq!(many[4].as_ref(), Some(&two));
    assert!(b.get_manifests("web", &[]).unwrap().is_empty());
}

fn many_manifests_at_once(s: &Store) {
    let b = &*s.backend;
    b.put_blob("web", oci::EMPTY_DIGEST, oci::EMPTY_BYTES)
        .unwrap();
    let ms: Vec<RawManifest> = (0..150)
        .map(|i| {
            let mut m = Manifest::artifact(oci::EVENT_TYPE, Vec::new());
            m.annotations.insert(oci::ANN_EVENT.into(), format!("e{i}"));
            let raw = m.raw();
            b.put_manifest("web", &raw).unwrap();
            raw
        })
        .collect();
    let refs: Vec<String> = ms.iter().map(|m| m.digest.clone()).collect();
    let got = b.get_manifests("web", &refs).unwrap();
    let got: Vec<RawManifest> = got.into_iter().map(Option::unwrap).collect();
    assert_eq!(got, ms, "in the order asked for");
}

fn tags_listing(s: &Store) {
    let b = &*s.backend;
    assert!(b.tags("web").unwrap().is_empty());
    let m = artifact(b, "web", b"x");
    for t in ["v2", "v1", "stable", "sha256-abc"] {
        assert!(b.set_tag("web", t, &m, &Expect::Any).unwrap());
    }
    let mut tags = b.tags("web").unwrap();
    tags.sort();
    assert_eq!(tags, ["sha256-abc", "stable", "v1", "v2"]);
    assert!(b.bucket_exists("web").unwrap());
}

fn set_tag_compares_first(s: &Store) {
    let b = &*s.backend;
    let one = artifact(b, "web", b"one");
    let two = artifact(b, "web", b"two");
    assert!(b.set_tag("web", "stable", &one, &Expect::Absent).unwrap());
    assert!(!b.set_tag("web", "stable", &two, &Expect::Absent).unwrap());
    assert_eq!(b.get_manifest("web", "stable").unwrap().unwrap(), one);

    let wrong = Expect::Digest(two.digest.clone());
    assert!(!b.set_tag("web", "stable", &two, &wrong).unwrap());
    assert_eq!(b.get_manifest("web", "stable").unwrap().unwrap(), one);
    assert!(!b
        .set_tag(
            "web",
            "nothing-yet",
            &two,
            &Expect::Digest(one.digest.clone())
        )
        .unwrap());

    let right = Expect::Digest(one.digest.clone());
    assert!(b.set_tag("web", "stable", &two, &right).unwrap());
    assert_eq!(b.get_manifest("web", "stable").unwrap().unwrap(), two);

    assert!(b.set_tag("web", "stable", &one, &Expect::Any).unwrap());
    assert_eq!(b.get_manifest("web", "stable").unwrap().unwrap(), one);
}

fn referrers_fall_back(s: &Store) {
    let b = &*s.backend;
    let m = artifact(b, "web", b"subject");
    // Neither an image layout nor distribution 2.8 has the API: the
    // caller uses the `sha256-<hex>` tag schema.
    assert_eq!(b.referrers("web", &m.digest).unwrap(), None);
}

fn buckets_listing(s: &Store) {
    let b = &*s.backend;
    assert!(b.buckets().unwrap().is_empty());
    for bucket in ["web", "db", "cache-2"] {
        let m = artifact(b, bucket, bucket.as_bytes());
        b.set_tag(bucket, "v1", &m, &Expect::Any).unwrap();
    }
    let m = artifact(&*s.nested, "inner", b"inner");
    s.nested.set_tag("inner", "v1", &m, &Expect::Any).unwrap();
    assert_eq!(b.buckets().unwrap(), ["cache-2", "db", "web"]);
    assert_eq!(s.nested.buckets().unwrap(), ["inner"]);
    assert!(!b.bucket_exists("inner").unwrap());
}

fn unknown_bucket(s: &Store) {
    let b = &*s.backend;
    assert!(!b.bucket_exists("ghost").unwrap());
    assert!(b.tags("ghost").unwrap().is_empty());
    assert!(b.get_manifest("ghost", "v1").unwrap().is_none());
    assert!(b
        .get_manifest("ghost", &sha256_digest(b"x"))
        .unwrap()
        .is_none());
    assert!(!b.has_blob("ghost", &sha256_digest(b"x")).unwrap());
    assert_eq!(b.get_manifests("ghost", &["v1".into()]).unwrap(), [None]);
    // A lock is always available (a no-op for a registry).
    drop(b.lock("ghost").unwrap());
}

fn shared_between_threads(s: &Store) {
    let b = &*s.backend;
    std::thread::scope(|scope| {
        for t in 0..4 {
            scope.spawn(move || {
                for i in 0..5 {
                    let m = artifact(b, "web", format!("thread {t} item {i}").as_bytes());
                    let tag = format!("t{t}-{i}");
                    assert!(b.set_tag("web", &tag, &m, &Expect::Absent).unwrap());
                    assert_eq!(b.get_manifest("web", &tag).unwrap().unwrap(), m);
                }
            });
        }
    });
    assert_eq!(b.tags("web").unwrap().len(), 20);
}

/// Each contract check once per store.
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod dir {
            $( #[test] fn $name() { super::$name(&super::Store::dir()) } )*
        }
        mod registry {
            $( #[test] fn $name() { super::$name(&super::Store::registry()) } )*
        }
    };
}

contract!(
    blobs,
    manifests_by_digest_and_tag,
    an_index_of_manifests,
    many_manifests_at_once,
    tags_listing,
    set_tag_compares_first,
    referrers_fall_back,
    buckets_listing,
    unknown_bucket,
    shared_between_threads,
);

// Registry-only behaviour.

#[test]
fn registry_location_and_an_empty_prefix() {
    let reg = Registry::start();
    let top = RegistryBackend::with_env(&reg.location(""), NO_ENV).unwrap();
    assert_eq!(top.location(), format!("oci://{}", reg.host()));
    let deep = RegistryBackend::with_env(&format!("oci://{}/a/b/", reg.host()), NO_ENV).unwrap();
    assert_eq!(deep.location(), format!("oci://{}/a/b", reg.host()));
    let m = artifact(&deep, "web", b"deep");
    deep.set_tag("web", "v1", &m, &Expect::Any).unwrap();
    let m = artifact(&top, "top", b"top");
    top.set_tag("top", "v1", &m, &Expect::Any).unwrap();
    // `a/b/web` is below the top catalog, not one of its buckets.
    assert_eq!(top.buckets().unwrap(), ["top"]);
    assert_eq!(deep.buckets().unwrap(), ["web"]);
}

#[test]
fn registry_rejects_bad_names_before_any_request() {
    let reg = Registry::start();
    let b = RegistryBackend::with_env(&reg.location("p"), NO_ENV).unwrap();
    assert!(matches!(b.tags("Web/x"), Err(CatalogError::BadBucket(_))));
    assert!(b.get_manifest("web", "bad/tag").is_err());
    assert!(matches!(
        b.get_manifest("web", "sha256:short"),
        Err(CatalogError::Corrupt { .. })
    ));
    assert!(matches!(
        RegistryBackend::with_env("127.0.0.1:1/UPPER", NO_ENV),
        Err(CatalogError::BadLocation(_))
    ));
}

/// The Go architecture name of this machine, as image platforms spell it.
fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

fn skopeo(args: &[&str]) -> String {
    let out = Command::new("skopeo")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("skopeo cannot run ({e}): run scripts/setup.sh"));
    assert!(
        out.status.success(),
        "skopeo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn skopeo_reads_a_pushed_index() {
    let reg = Registry::start();
    let b = RegistryBackend::with_env(&reg.location("prefix"), NO_ENV).unwrap();
    let m = artifact(&b, "bucket", b"a build record");
    let mut d = Descriptor::of(&m);
    d.artifact_type = Some(oci::BUILD_TYPE.into());
    d.platform = Some(Platform {
        architecture: go_arch().into(),
        os: "linux".into(),
    });
    let mut index = Index::new(vec![d]);
    index.artifact_type = Some(oci::VERSION_TYPE.into());
    let idx = index.raw();
    b.put_manifest("bucket", &idx).unwrap();
    assert!(b.set_tag("bucket", "v1", &idx, &Expect::Absent).unwrap());

    let image = format!("docker://{}/prefix/bucket:v1", reg.host());
    let raw = skopeo(&["inspect", "--tls-verify=false", "--raw", &image]);
    assert_eq!(raw.as_bytes(), idx.bytes, "the exact bytes pushed");
    let parsed: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(parsed["mediaType"], oci::INDEX);
    assert_eq!(parsed["manifests"][0]["digest"], m.digest.as_str());

    // Without --raw, skopeo follows the index to this platform's entry
    // and then declines to show an artifact as an image: that it names
    // the artifact's config type shows it read both documents.
    let plain = Command::new("skopeo")
        .args(["inspect", "--tls-verify=false", &image])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&plain.stderr);
    assert!(
        plain.status.success() || stderr.contains(oci::EMPTY_CONFIG),
        "{stderr}"
    );
    let child = format!("docker://{}/prefix/bucket@{}", reg.host(), m.digest);
    let raw = skopeo(&["inspect", "--tls-verify=false", "--raw", &child]);
    let manifest: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(manifest["config"]["mediaType"], oci::EMPTY_CONFIG);
    assert_eq!(manifest["config"]["digest"], oci::EMPTY_DIGEST);
    let config = skopeo(&["inspect", "--tls-verify=false", "--raw", "--config", &child]);
    assert_eq!(config.trim(), "{}");
}
