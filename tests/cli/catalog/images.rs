//! What a version holds besides its record: the OCI image of a container
//! build (read back by skopeo, and used as the next build's base), and a
//! disk as a KubeVirt containerDisk (`/disk/NAME`, uid 107).

use super::Store;
use crate::build::oci::tool;
use crate::project;

const BASE: &str = r#"
source "oci" "base" {
  image  = "scratch"
  labels = { stage = "base" }
}
build {
  hcp_packer_registry { bucket_name = "oci-base" }
  sources = ["source.oci.base"]
}
"#;

const APP: &str = r#"
variable "base_repo" { type = string }
data "hcp-packer-version" "base" {
  bucket_name  = "oci-base"
  channel_name = "prod"
}
source "oci" "app" {
  image  = "${var.base_repo}:${data.hcp-packer-version.base.name}"
  labels = { stage = "app" }
}
build {
  hcp_packer_registry { bucket_name = "oci-app" }
  sources = ["source.oci.app"]
}
"#;

const DISK: &str = r#"
source "file" "disk" {
  source = "made.qcow2"
  target = "disk.qcow2"
}
build {
  hcp_packer_registry {
    bucket_name = "disks"
    push_disk   = true
  }
  sources = ["source.file.disk"]
}
"#;

fn images_in(store: &Store) {
    let p = project(&[
        ("base.pkr.hcl", BASE),
        ("app.pkr.hcl", APP),
        ("disk.pkr.hcl", DISK),
    ]);
    let d = p.path();
    let r = store.build(d, "base.pkr.hcl", "b1");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    store.ok(d, &["promote", "oci-base", "v1", "-channel", "prod"]);
    let image = |bucket: &str, tag: &str| -> serde_json::Value {
        serde_json::from_str(&store.skopeo(d, &["inspect"], bucket, tag)).unwrap()
    };
    assert_eq!(image("oci-base", "prod")["Labels"]["stage"], "base");
    let base = store.json(d, &["show", "oci-base:v1"]);
    let digest = base["builds"][0]["artifacts"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let raw: serde_json::Value =
        serde_json::from_str(&store.skopeo(d, &["inspect", "--raw"], "oci-base", "v1")).unwrap();
    assert!(
        raw["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["digest"] == digest.as_str()),
        "the version index holds the built image {digest}: {raw}"
    );

    // The next stage starts from the catalog's image.
    let repo = store
        .skopeo_ref("oci-base", "x")
        .trim_end_matches(":x")
        .to_owned();
    let r = crate::kiln_env(
        d,
        &[
            "build",
            "-color=false",
            "-var",
            &format!("base_repo={repo}"),
            "app.pkr.hcl",
        ],
        "",
        &store.env("a1"),
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(image("oci-app", "v1")["Labels"]["stage"], "app");

    // A disk as a containerDisk, pulled by skopeo.
    tool(
        d,
        "qemu-img",
        &["create", "-q", "-f", "qcow2", "made.qcow2", "16M"],
    );
    let r = store.build(d, "disk.pkr.hcl", "d1");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let copy = d.join("copied");
    let mut args = vec!["copy".to_owned()];
    if store.registry.is_some() {
        args.push("--src-tls-verify=false".into());
    }
    args.push(store.skopeo_ref("disks", "v1"));
    args.push(format!("dir:{}", copy.display()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    tool(d, "skopeo", &refs);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(copy.join("manifest.json")).unwrap()).unwrap();
    let layer = manifest["layers"][0]["digest"]
        .as_str()
        .unwrap()
        .trim_start_matches("sha256:");
    let listing = tool(
        d,
        "tar",
        &["-tvnf", &copy.join(layer).display().to_string()],
    );
    assert!(listing.contains("107/107"), "{listing}");
    assert!(listing.contains("disk/disk.qcow2"), "{listing}");
    let disk = store.json(d, &["show", "disks"]);
    assert_eq!(
        std::fs::metadata(d.join("disk.qcow2")).unwrap().len(),
        disk["builds"][0]["files"][0]["size"].as_u64().unwrap()
    );
}

#[test]
fn container_images_and_container_disks_in_a_directory_store() {
    let root = tempfile::tempdir().unwrap();
    images_in(&Store::dir(root.path()));
}

#[test]
fn container_images_and_container_disks_in_a_registry() {
    images_in(&Store::registry());
}
