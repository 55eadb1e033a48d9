//! An inventory as a CycloneDX 1.5 JSON BOM: the artifact as the
//! metadata's component, the operating system and every installed
//! package as components, each package with its purl.

use crate::inventory::Inventory;
use crate::Creation;
use serde_json::{json, Value};

/// `kind`: the artifact's CycloneDX component type (`container` for an
/// OCI image, `operating-system` for a disk or an AMI).
pub fn document(inv: &Inventory, c: &Creation, kind: &str) -> Value {
    let mut components = Vec::new();
    if let Some(os) = &inv.os {
        let mut o = json!({
            "type": "operating-system",
            "bom-ref": "os",
            "name": os.id,
        });
        if !os.version_id.is_empty() {
            o["version"] = json!(os.version_id);
        }
        if !os.pretty_name.is_empty() {
            o["description"] = json!(os.pretty_name);
        }
        components.push(o);
    }
    for (i, pkg) in inv.packages.iter().enumerate() {
        let mut p = json!({
            "type": "library",
            "bom-ref": format!("pkg-{}", i + 1),
            "name": pkg.name,
            "version": pkg.version,
            "purl": pkg.purl,
        });
        if let Some(l) = &pkg.license {
            p["licenses"] = match crate::spdx::spdx_expression(l) {
                Some(e) => json!([{ "expression": e }]),
                None => json!([{ "license": { "name": l } }]),
            };
        }
        let mut props = Vec::new();
        if let Some(a) = &pkg.arch {
            props.push(json!({ "name": "kiln:package:arch", "value": a }));
        }
        if let Some(s) = &pkg.source {
            props.push(json!({ "name": "kiln:package:source", "value": s }));
        }
        if let Some(v) = &pkg.source_version {
            props.push(json!({ "name": "kiln:package:source-version", "value": v }));
        }
        if !props.is_empty() {
            p["properties"] = json!(props);
        }
        components.push(p);
    }
    json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.5.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": format!("urn:uuid:{}", c.document_uuid(inv)),
        "version": 1,
        "metadata": {
            "timestamp": c.timestamp(),
            "tools": {
                "components": [{
                    "type": "application",
                    "name": "kiln",
                    "version": c.tool_version,
                }],
            },
            "component": {
                "type": kind,
                "bom-ref": "artifact",
                "name": c.name,
            },
        },
        "components": components,
    })
}
