//! The image catalog end to end: `kiln build` registering runs, the
//! `kiln catalog` commands, the hcp-packer data sources, concurrency and
//! kill -9, against the local directory store (and, where marked, a real
//! registry).

// Tests may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used)]

mod attested;
mod concurrency;
mod gated;
mod images;
mod pipeline;
mod sync;

use crate::{kiln_env, Run};
use std::path::{Path, PathBuf};

/// A catalog of the test's own and the environment naming it.
pub struct Store {
    pub spec: String,
    /// The directory of a `dir:` store, for skopeo's `oci:` transport.
    pub dir: Option<PathBuf>,
    /// `127.0.0.1:PORT/kiln` of a registry store, with the registry.
    pub registry: Option<(String, crate::build::oci_registry::Registry)>,
}

impl Store {
    pub fn dir(root: &Path) -> Store {
        let d = root.join("catalog");
        Store {
            spec: format!("dir:{}", d.display()),
            dir: Some(d),
            registry: None,
        }
    }

    /// A fresh docker-registry (distribution 2.8: no referrers API) on
    /// loopback, the catalog under `kiln/`.
    pub fn registry() -> Store {
        let reg = crate::build::oci_registry::Registry::start(&[]);
        let base = format!("127.0.0.1:{}/kiln", reg.port);
        Store {
            spec: format!("oci://{base}"),
            dir: None,
            registry: Some((base, reg)),
        }
    }

    /// The skopeo location of `BUCKET:TAG` in this store.
    pub fn skopeo_ref(&self, bucket: &str, tag: &str) -> String {
        match (&self.dir, &self.registry) {
            (Some(d), _) => format!("oci:{}:{tag}", d.join(bucket).display()),
            (_, Some((base, _))) => format!("docker://{base}/{bucket}:{tag}"),
            _ => unreachable!("a store is a directory or a registry"),
        }
    }

    /// `skopeo ARGS… REF` with TLS off for the loopback registry.
    pub fn skopeo(&self, dir: &Path, args: &[&str], bucket: &str, tag: &str) -> String {
        let mut all: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        if self.registry.is_some() {
            all.insert(1, "--tls-verify=false".into());
        }
        all.push(self.skopeo_ref(bucket, tag));
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        crate::build::oci::tool(dir, "skopeo", &refs)
    }

    pub fn env(&self, fingerprint: &str) -> Vec<(String, String)> {
        vec![
            ("KILN_CATALOG".into(), self.spec.clone()),
            ("KILN_BUILD_FINGERPRINT".into(), fingerprint.into()),
            ("KILN_CATALOG_AUTHOR".into(), "tester".into()),
        ]
    }

    pub fn kiln(&self, dir: &Path, args: &[&str]) -> Run {
        kiln_env(dir, args, "", &self.env(""))
    }

    /// `kiln catalog ARGS`, expected to succeed.
    pub fn ok(&self, dir: &Path, args: &[&str]) -> String {
        let mut all = vec!["catalog"];
        all.extend_from_slice(args);
        let r = self.kiln(dir, &all);
        assert_eq!(r.code, 0, "catalog {args:?}: {}{}", r.stdout, r.stderr);
        r.stdout
    }

    /// `kiln catalog ARGS -json`, parsed.
    pub fn json(&self, dir: &Path, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.push("-json");
        serde_json::from_str(&self.ok(dir, &all)).unwrap()
    }

    pub fn build(&self, dir: &Path, template: &str, fingerprint: &str) -> Run {
        kiln_env(
            dir,
            &["build", "-color=false", template],
            "",
            &self.env(fingerprint),
        )
    }
}
