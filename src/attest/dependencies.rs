//! The files and directories a build's provisioners uploaded or ran (the
//! same ones the step cache keys on), as provenance's resolved
//! dependencies.

use kiln_attest::ResourceDescriptor;
use kiln_core::Provisioner;

/// Each input once, in provisioner order. A provisioner that cannot name
/// its inputs (it reads the network, say) adds nothing; an unreadable
/// file is named without a digest.
pub fn of(provisioners: &[(String, Box<dyn Provisioner>)]) -> Vec<ResourceDescriptor> {
    let mut out: Vec<ResourceDescriptor> = Vec::new();
    for (kind, p) in provisioners {
        for path in p.cache_inputs().unwrap_or_default() {
            let abs = std::path::absolute(&path).unwrap_or_else(|_| path.clone());
            let uri = format!("file://{}", abs.display());
            if out.iter().any(|d| d.uri.as_deref() == Some(uri.as_str())) {
                continue;
            }
            let mut d = match kiln_core::step_cache::digest_path(&path) {
                Ok(hex) => ResourceDescriptor::sha256(path.display().to_string(), hex),
                Err(_) => ResourceDescriptor {
                    name: Some(path.display().to_string()),
                    ..ResourceDescriptor::default()
                },
            };
            d.uri = Some(uri);
            d.annotations
                .insert("provisioner".into(), serde_json::json!(kind));
            if path.is_dir() {
                // A directory's digest is kiln's tree digest (step cache).
                d.annotations
                    .insert("digestOf".into(), serde_json::json!("kiln tree"));
            }
            out.push(d);
        }
    }
    out
}
