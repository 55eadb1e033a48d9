//! A two-stage pipeline: a base image line and an app built from the
//! base's `prod` channel through `hcp-packer-artifact`, with promotion,
//! rollback, revocation (with descendants) and the stream export.

use super::Store;
use crate::project;
use std::path::Path;

const BASE: &str = r#"
source "file" "base" {
  content = "base built as ${packer.versionFingerprint}"
  target  = "base.txt"
}
build {
  name = "base"
  hcp_packer_registry {
    bucket_name  = "base-img"
    description  = "the base"
    build_labels = { os = "debian" }
    channels     = ["dev"]
  }
  sources = ["source.file.base"]
}
"#;

const APP: &str = r#"
data "hcp-packer-version" "base" {
  bucket_name  = "base-img"
  channel_name = "prod"
}
data "hcp-packer-artifact" "base" {
  bucket_name         = "base-img"
  version_fingerprint = data.hcp-packer-version.base.fingerprint
  platform            = "file"
  region              = "local"
}
source "file" "app" {
  content = "app on ${data.hcp-packer-artifact.base.external_identifier} (${data.hcp-packer-version.base.name}, ${data.hcp-packer-artifact.base.labels["os"]})"
  target  = "app.txt"
}
build {
  hcp_packer_registry { bucket_name = "app-img" }
  sources = ["source.file.app"]
}
"#;

/// A third stage, built from the app's `prod` channel.
const EDGE: &str = r#"
data "hcp-packer-artifact" "app" {
  bucket_name  = "app-img"
  channel_name = "prod"
  platform     = "file"
  region       = "local"
}
source "file" "edge" {
  content = data.hcp-packer-artifact.app.external_identifier
  target  = "edge.txt"
}
build {
  sources = ["source.file.edge"]
}
"#;

fn sha256_of(path: &Path) -> String {
    use sha2::Digest;
    format!(
        "sha256:{}",
        hex_lower(&sha2::Sha256::digest(std::fs::read(path).unwrap()))
    )
}

fn hex_lower(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn run_pipeline(store: &Store) {
    let p = project(&[
        ("base.pkr.hcl", BASE),
        ("app.pkr.hcl", APP),
        ("edge.pkr.hcl", EDGE),
    ]);
    let d = p.path();
    for fp in ["fp-one", "fp-two"] {
        let r = store.build(d, "base.pkr.hcl", fp);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    }
    // packer.versionFingerprint is the run's fingerprint during the build.
    assert_eq!(
        std::fs::read_to_string(d.join("base.txt")).unwrap(),
        "base built as fp-two"
    );
    let list = store.json(d, &["list", "base-img"]);
    let versions = list["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2, "{list}");
    assert_eq!(versions[0]["version"], "v2");
    assert_eq!(versions[0]["channels"], serde_json::json!(["dev"]));
    let v2 = store.json(d, &["show", "base-img:v2"]);
    assert_eq!(v2["fingerprint"], "fp-two");
    assert_eq!(v2["author"], "tester");
    assert_eq!(v2["builds"][0]["platform"], "file");
    assert_eq!(v2["builds"][0]["labels"]["os"], "debian");
    assert_eq!(
        v2["builds"][0]["artifacts"][0]["id"],
        sha256_of(&d.join("base.txt"))
    );

    // The app needs base's prod channel, which does not exist yet.
    let r = store.build(d, "app.pkr.hcl", "app-1");
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("bucket \"base-img\" has no channel \"prod\""),
        "{}",
        r.stderr
    );

    store.ok(
        d,
        &[
            "promote", "base-img", "v1", "-channel", "prod", "-reason", "first",
        ],
    );
    let r = store.build(d, "app.pkr.hcl", "app-1");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v1_base = store.json(d, &["show", "base-img:v1"]);
    let app = std::fs::read_to_string(d.join("app.txt")).unwrap();
    assert_eq!(
        app,
        format!(
            "app on {} (v1, debian)",
            v1_base["builds"][0]["artifacts"][0]["id"].as_str().unwrap()
        )
    );
    let app_v1 = store.json(d, &["show", "app-img"]);
    assert_eq!(
        app_v1["parents"],
        serde_json::json!([{"bucket": "base-img", "version": 1}])
    );

    // Promote v2, roll back to v1, and the history keeps every move.
    store.ok(d, &["promote", "base-img", "v2", "-channel", "prod"]);
    assert_eq!(
        store
            .ok(d, &["resolve", "base-img", "prod", "-platform", "file"])
            .trim(),
        v2["builds"][0]["artifacts"][0]["id"].as_str().unwrap()
    );
    let out = store.ok(
        d,
        &[
            "rollback",
            "base-img",
            "-channel",
            "prod",
            "-reason",
            "regression",
        ],
    );
    assert!(
        out.contains("channel prod moved from v2 to v1 (rollback)"),
        "{out}"
    );
    let h = store.json(d, &["history", "base-img", "-channel", "prod"]);
    let events = h["events"].as_array().unwrap();
    assert_eq!(events.len(), 3, "{h}");
    assert_eq!(events[2]["cause"], "rollback");
    assert_eq!(events[2]["why"], "regression");
    assert_eq!(events[2]["from"], 2);
    assert_eq!(events[2]["to"], 1);
    assert_eq!(h["current"], 1);

    // The app goes to prod; the edge builds from it.
    store.ok(d, &["promote", "app-img", "v1", "-channel", "prod"]);
    let raw = store.skopeo(d, &["inspect", "--raw"], "app-img", "prod");
    assert!(raw.contains(r#""dev.kiln.catalog.version":"v1""#), "{raw}");
    let r = store.build(d, "edge.pkr.hcl", "edge-1");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    // Revoking base v1 with its descendants revokes the app too: the
    // channels on them move, and the edge's build is refused.
    let out = store.ok(
        d,
        &[
            "revoke",
            "base-img",
            "v1",
            "-reason",
            "CVE-2026-1",
            "-descendants",
        ],
    );
    assert!(out.contains("base-img:v1 revoked"), "{out}");
    assert!(out.contains("app-img:v1 revoked"), "{out}");
    // prod was on v1, and nothing older is good: emptied, and said so.
    assert!(
        out.contains("base-img: channel prod moved off v1 and is now EMPTY"),
        "{out}"
    );
    assert!(!out.contains("channel dev"), "{out}");
    assert!(
        out.contains("app-img: channel prod moved off v1 and is now EMPTY"),
        "{out}"
    );
    // The emptied channel's tag no longer hands out the revoked version.
    let raw = store.skopeo(d, &["inspect", "--raw"], "base-img", "prod");
    let index: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(index["manifests"], serde_json::json!([]), "{raw}");
    assert_eq!(
        index["annotations"]["dev.kiln.catalog.empty-channel"], "prod",
        "{raw}"
    );
    let r = store.build(d, "edge.pkr.hcl", "edge-2");
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("channel \"prod\" of bucket \"app-img\" points at no version"),
        "{}",
        r.stderr
    );
    // A revoked version cannot be promoted; restored, it can.
    let r = store.kiln(
        d,
        &["catalog", "promote", "app-img", "v1", "-channel", "prod"],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("app-img:v1 is revoked: CVE-2026-1"),
        "{}",
        r.stderr
    );
    store.ok(d, &["restore", "app-img", "v1"]);
    store.ok(d, &["promote", "app-img", "v1", "-channel", "prod"]);
    // …but its ancestor is still revoked, so building from it is refused.
    let r = store.build(d, "edge.pkr.hcl", "edge-3");
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("app-img:v1 was built from base-img:v1, which is revoked: CVE-2026-1"),
        "{}",
        r.stderr
    );
    let a = store.json(d, &["ancestry", "base-img:v1"]);
    assert_eq!(
        a["descendants"],
        serde_json::json!([{"bucket": "app-img", "version": 1}])
    );

    // The stream document of base's dev channel (v2, untouched).
    let s = store.json(d, &["export-stream", "base-img", "dev"]);
    assert_eq!(s["stream"], "dev");
    assert_eq!(
        s["architectures"]["x86_64"]["artifacts"]["file"]["release"],
        "v2"
    );

    // Bad input: clear errors, exit 1.
    for (args, want) in [
        (vec!["show", "nope-bucket"], "no bucket \"nope-bucket\""),
        (
            vec!["show", "base-img:v9"],
            "bucket \"base-img\" has no version v9",
        ),
        (
            vec!["promote", "base-img", "v1", "-channel", "v3"],
            "invalid channel name",
        ),
        (
            vec!["history", "base-img", "-channel", "qa"],
            "has no channel \"qa\"",
        ),
        (
            vec!["restore", "base-img", "v2"],
            "base-img:v2 is not revoked",
        ),
        (
            vec!["resolve", "base-img", "dev", "-platform", "aws"],
            "has no build for platform \"aws\"",
        ),
        (
            vec!["resolve", "base-img", "prod", "-platform", "file"],
            "channel \"prod\" of bucket \"base-img\" points at no version",
        ),
    ] {
        let mut all = vec!["catalog"];
        all.extend(args.iter().copied());
        let r = store.kiln(d, &all);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stdout);
        assert!(r.stderr.contains(want), "{args:?}: {}", r.stderr);
    }
}

/// skopeo reads versions and channels as the OCI indexes they are.
fn skopeo_reads_versions_and_channels(store: &Store, dir: &Path) {
    for tag in ["v2", "dev"] {
        let raw = store.skopeo(dir, &["inspect", "--raw"], "base-img", tag);
        let index: serde_json::Value = serde_json::from_str(&raw).unwrap();
        assert_eq!(
            index["mediaType"],
            "application/vnd.oci.image.index.v1+json"
        );
        assert_eq!(
            index["annotations"]["dev.kiln.catalog.version"], "v2",
            "{tag}"
        );
        // Without --raw skopeo picks this platform's entry; a version with
        // no image (a file build) answers with its record as labels.
        let plain = store.skopeo(dir, &["inspect"], "base-img", tag);
        let image: serde_json::Value = serde_json::from_str(&plain).unwrap();
        let labels = &image["Labels"];
        assert_eq!(labels["org.opencontainers.image.version"], "v2", "{plain}");
        assert_eq!(labels["dev.kiln.catalog.bucket"], "base-img", "{plain}");
        assert_eq!(
            labels["dev.kiln.catalog.builds"], "file:base.file.base",
            "{plain}"
        );
        assert_eq!(image["Os"], "linux", "{plain}");
    }
}

#[test]
fn a_two_stage_pipeline_on_the_directory_store() {
    let root = tempfile::tempdir().unwrap();
    let store = Store::dir(root.path());
    run_pipeline(&store);
    skopeo_reads_versions_and_channels(&store, root.path());
}

#[test]
fn a_two_stage_pipeline_on_a_registry() {
    let store = Store::registry();
    run_pipeline(&store);
    let dir = tempfile::tempdir().unwrap();
    skopeo_reads_versions_and_channels(&store, dir.path());
    // Copied to a directory store, the catalog reads the same.
    let local = Store::dir(dir.path());
    let r = store.kiln(dir.path(), &["catalog", "sync", &store.spec, &local.spec]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        local.json(dir.path(), &["history", "base-img", "-channel", "prod"]),
        store.json(dir.path(), &["history", "base-img", "-channel", "prod"])
    );
    assert_eq!(
        local.json(dir.path(), &["show", "app-img:v1"])["events"],
        store.json(dir.path(), &["show", "app-img:v1"])["events"]
    );
}

#[test]
fn a_failed_run_registers_nothing() {
    let p = project(&[(
        "t.pkr.hcl",
        r#"
source "file" "a" {
  content = "a"
  target  = "a.txt"
}
build {
  hcp_packer_registry { bucket_name = "fails" }
  sources = ["source.file.a"]
  provisioner "shell-local" { inline = ["exit 3"] }
}
"#,
    )]);
    let root = tempfile::tempdir().unwrap();
    let store = Store::dir(root.path());
    let r = store.build(p.path(), "t.pkr.hcl", "x");
    assert_eq!(r.code, 1, "{}", r.stdout);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        all.contains("nothing was registered in the catalog"),
        "{all}"
    );
    let r = store.kiln(p.path(), &["catalog", "list", "fails"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("no bucket \"fails\""), "{}", r.stderr);
}

#[test]
fn a_top_level_registry_block_and_the_bucket_name_from_the_environment() {
    let p = project(&[(
        "t.pkr.hcl",
        r#"
hcp_packer_registry {
  bucket_name   = "from-template"
  bucket_labels = { team = "infra" }
}
source "file" "a" {
  content = "a"
  target  = "a.txt"
}
build {
  name    = "named"
  sources = ["source.file.a"]
}
"#,
    )]);
    let root = tempfile::tempdir().unwrap();
    let store = Store::dir(root.path());
    let r = store.build(p.path(), "t.pkr.hcl", "one");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("Registered from-template:v1"),
        "{}",
        r.stdout
    );
    let v = store.json(p.path(), &["show", "from-template:v1"]);
    assert_eq!(v["bucket_labels"]["team"], "infra");
    assert_eq!(v["builds"][0]["name"], "named.file.a");
    let mut env = store.env("two");
    env.push(("HCP_PACKER_BUCKET_NAME".into(), "From-Env".into()));
    let r = crate::kiln_env(p.path(), &["build", "t.pkr.hcl"], "", &env);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("Registered from-env:v1"), "{}", r.stdout);
    let mut env = store.env("three");
    env.push(("HCP_PACKER_BUCKET_NAME".into(), "no".into()));
    let r = crate::kiln_env(p.path(), &["build", "t.pkr.hcl"], "", &env);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr.contains("invalid bucket name \"no\""),
        "{}",
        r.stderr
    );
    // Refused before any build ran.
    assert!(!r.stdout.contains("Registered"), "{}", r.stdout);
    assert!(!r.stdout.contains("Stored file"), "{}", r.stdout);
}
