//! A signed build's provenance and signature go into its catalog version
//! (byte for byte), and `kiln verify -catalog` checks the version is not
//! revoked.

use super::Store;
use crate::build::supply_chain::keygen;
use crate::{kiln_env, project, Run};
use std::path::Path;

const TEMPLATE: &str = r#"
source "file" "motd" {
  content = "signed and catalogued"
  target  = "motd.txt"
  sign { key = "cosign.key" }
}
build {
  hcp_packer_registry { bucket_name = "signed" }
  sources = ["source.file.motd"]
}
"#;

const PASSWORD: &str = "catalogue";

fn with_password(store: &Store, d: &Path, args: &[&str], fingerprint: &str) -> Run {
    let mut env = store.env(fingerprint);
    env.push(("COSIGN_PASSWORD".into(), PASSWORD.into()));
    kiln_env(d, args, "", &env)
}

fn blob(layout: &Path, digest: &str) -> Vec<u8> {
    let hex = digest.trim_start_matches("sha256:");
    std::fs::read(layout.join("blobs/sha256").join(hex)).unwrap()
}

#[test]
fn a_signed_build_attaches_its_attestations_and_verify_checks_revocation() {
    let p = project(&[("t.pkr.hcl", TEMPLATE)]);
    let d = p.path();
    keygen(d, PASSWORD);
    let store = Store::dir(d);
    let r = with_password(&store, d, &["build", "-color=false", "t.pkr.hcl"], "fp-1");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    // The version's index holds an attestations artifact whose layers are
    // the files beside the artifact, titled by name.
    let layout = store.dir.clone().unwrap().join("signed");
    let index: serde_json::Value =
        serde_json::from_str(&store.skopeo(d, &["inspect", "--raw"], "signed", "v1")).unwrap();
    let entry = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["artifactType"] == "application/vnd.kiln.catalog.attestations.v1+json")
        .unwrap_or_else(|| panic!("no attestations in {index}"));
    let manifest: serde_json::Value =
        serde_json::from_slice(&blob(&layout, entry["digest"].as_str().unwrap())).unwrap();
    let mut titles = Vec::new();
    for layer in manifest["layers"].as_array().unwrap() {
        let title = layer["annotations"]["org.opencontainers.image.title"]
            .as_str()
            .unwrap()
            .to_owned();
        let on_disk = std::fs::read(d.join(&title)).unwrap();
        assert_eq!(
            blob(&layout, layer["digest"].as_str().unwrap()),
            on_disk,
            "{title}"
        );
        titles.push(title);
    }
    titles.sort();
    assert_eq!(
        titles,
        ["motd.txt.intoto.jsonl", "motd.txt.sig"],
        "{manifest}"
    );
    // The build's record is still there beside them.
    assert!(
        index["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["artifactType"] == "application/vnd.kiln.catalog.build.v1+json"),
        "{index}"
    );

    let verify = |bucket: &str| {
        store.kiln(
            d,
            &[
                "verify",
                "motd.txt",
                "-key",
                "cosign.pub",
                &format!("-catalog={bucket}"),
            ],
        )
    };
    let ok = verify("signed");
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    assert!(
        ok.stdout
            .contains("catalog: signed v1 has this artifact and is not revoked"),
        "{}",
        ok.stdout
    );

    // Another bucket does not have it.
    let other = verify("unrelated");
    assert_ne!(other.code, 0, "{}{}", other.stdout, other.stderr);
    assert!(other.stderr.contains("catalog: "), "{}", other.stderr);

    store.ok(d, &["revoke", "signed", "v1", "-reason", "key rotated"]);
    let revoked = verify("signed");
    assert_ne!(revoked.code, 0, "{}{}", revoked.stdout, revoked.stderr);
    assert!(
        revoked
            .stderr
            .contains("catalog: signed v1 is revoked: key rotated"),
        "{}",
        revoked.stderr
    );
    // The checks before the catalog's still passed and are printed.
    assert!(revoked.stdout.contains("signature: "), "{}", revoked.stdout);
}
