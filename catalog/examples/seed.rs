//! Fill a bucket with versions for `bench/catalog`: `seed STORE BUCKET N`
//! registers N versions of one small build each, through the same
//! registration path `kiln build` uses.

use kiln_catalog::model::{BuildRecord, ExternalId, FileRecord};
use kiln_catalog::register::NewVersion;
use std::collections::BTreeMap;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, store, bucket, n] = args.as_slice() else {
        return Err("usage: seed STORE BUCKET N".into());
    };
    let n: u64 = n.parse()?;
    let catalog = kiln_catalog::locate::open(Some(store))?;
    for i in 0..n {
        let digest = kiln_catalog::digest::sha256_digest(format!("{bucket} {i}").as_bytes());
        let build = BuildRecord {
            name: "base.qemu.debian".into(),
            source_type: "qemu".into(),
            source_name: "debian".into(),
            platform: "qemu".into(),
            builder_id: "transcend.qemu".into(),
            artifacts: vec![ExternalId {
                id: digest.clone(),
                region: "local".into(),
            }],
            files: vec![FileRecord {
                name: "output/debian.qcow2".into(),
                sha256: digest,
                size: 1 << 30,
            }],
            labels: BTreeMap::from([("os".into(), "debian".into())]),
        };
        catalog.register(&NewVersion {
            bucket: bucket.clone(),
            id: ulid::Ulid::new().to_string(),
            fingerprint: format!("seed-{i}"),
            fingerprint_source: "env".into(),
            template_path: "bench.pkr.hcl".into(),
            template_digest: "sha256:00".into(),
            kiln_version: env!("CARGO_PKG_VERSION").into(),
            author: "bench".into(),
            description: String::new(),
            bucket_labels: BTreeMap::new(),
            build_labels: BTreeMap::new(),
            run_uuid: ulid::Ulid::new().to_string(),
            builds: vec![(build, Vec::new())],
            parents: Vec::new(),
        })?;
    }
    Ok(())
}
