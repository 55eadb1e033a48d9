//! `kiln catalog export-stream`: one channel as a static JSON document in
//! the manner of Fedora CoreOS stream metadata, for any HTTP client to
//! read: per architecture, the release (version) and, per platform, its
//! artifacts (files with sha256) and cloud images (per region).

use crate::catalog::Catalog;
use crate::error::CatalogError;
use crate::names;
use serde_json::{json, Map, Value};

impl Catalog {
    pub fn export_stream(&self, bucket: &str, channel: &str) -> Result<Value, CatalogError> {
        let (state, v) = self.channel_version(bucket, channel)?;
        let Some(rec) = state.versions.get(&v) else {
            return Err(CatalogError::UnknownVersion {
                bucket: state.bucket.clone(),
                version: names::version_tag(v),
            });
        };
        let release = names::version_tag(v);
        let mut artifacts = Map::new();
        let mut images = Map::new();
        for b in &rec.builds {
            let cloud = b.artifacts.iter().any(|a| a.region != "local");
            if cloud {
                let regions: Map<String, Value> = b
                    .artifacts
                    .iter()
                    .map(|a| (a.region.clone(), json!({"release": release, "image": a.id})))
                    .collect();
                images.insert(b.platform.clone(), json!({"regions": regions}));
                continue;
            }
            let formats: Map<String, Value> = b
                .files
                .iter()
                .map(|f| {
                    let ext = f.name.rsplit_once('.').map_or("file", |(_, e)| e).to_owned();
                    (
                        ext,
                        json!({"disk": {"location": f.name, "sha256": f.sha256.trim_start_matches("sha256:"), "size": f.size}}),
                    )
                })
                .collect();
            artifacts.insert(
                b.platform.clone(),
                json!({
                    "release": release,
                    "build": b.name,
                    "id": b.artifacts.first().map(|a| a.id.clone()),
                    "formats": formats,
                }),
            );
        }
        Ok(json!({
            "stream": channel,
            "bucket": state.bucket,
            "metadata": {"last-modified": rec.created_at, "generator": format!("kiln {}", rec.kiln_version)},
            "architectures": {
                "x86_64": {"artifacts": artifacts, "images": images}
            }
        }))
    }
}
