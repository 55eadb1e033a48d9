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
variable "catalog" { type = string }
data "hcp-packer-version" "base" {
  bucket_name  = "oci-base"
  channel_name = "prod"
}
source "oci" "app" {
  image  = "oci:${var.catalog}/oci-base:${data.hcp-packer-version.base.name}"
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

#[test]
fn container_images_and_container_disks_live_in_the_version() {
    let p = project(&[
        ("base.pkr.hcl", BASE),
        ("app.pkr.hcl", APP),
        ("disk.pkr.hcl", DISK),
    ]);
    let d = p.path();
    let root = tempfile::tempdir().unwrap();
    let store = Store::dir(root.path());
    let catalog = store.dir.clone().unwrap();

    let r = store.build(d, "base.pkr.hcl", "b1");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    store.ok(d, &["promote", "oci-base", "v1", "-channel", "prod"]);
    let image = |bucket: &str, tag: &str| -> serde_json::Value {
        let loc = format!("oci:{}:{tag}", catalog.join(bucket).display());
        serde_json::from_str(&tool(d, "skopeo", &["inspect", &loc])).unwrap()
    };
    assert_eq!(image("oci-base", "prod")["Labels"]["stage"], "base");
    let base = store.json(d, &["show", "oci-base:v1"]);
    let digest = base["builds"][0]["artifacts"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let raw: serde_json::Value = serde_json::from_str(&tool(
        d,
        "skopeo",
        &[
            "inspect",
            "--raw",
            &format!("oci:{}:v1", catalog.join("oci-base").display()),
        ],
    ))
    .unwrap();
    assert!(
        raw["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["digest"] == digest.as_str()),
        "the version index holds the built image {digest}: {raw}"
    );

    // The next stage starts from the catalog's image.
    let r = crate::kiln_env(
        d,
        &[
            "build",
            "-color=false",
            "-var",
            &format!("catalog={}", catalog.display()),
            "app.pkr.hcl",
        ],
        "",
        &store.env("a1"),
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(image("oci-app", "v1")["Labels"]["stage"], "app");

    // A disk as a containerDisk.
    tool(
        d,
        "qemu-img",
        &["create", "-q", "-f", "qcow2", "made.qcow2", "16M"],
    );
    let r = store.build(d, "disk.pkr.hcl", "d1");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let copy = d.join("copied");
    tool(
        d,
        "skopeo",
        &[
            "copy",
            &format!("oci:{}:v1", catalog.join("disks").display()),
            &format!("dir:{}", copy.display()),
        ],
    );
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
