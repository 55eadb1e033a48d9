//! An inventory as an SPDX 2.3 JSON document: the artifact as the
//! described package, which contains the operating system and every
//! installed package; each package with its purl as a package-manager
//! reference.

use crate::inventory::Inventory;
use crate::Creation;
use serde_json::{json, Value};

/// SPDX ids allow letters, digits, `.` and `-` only.
fn id_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// A licence the package database gives, when it is a valid SPDX
/// expression; otherwise the document makes no assertion (and the
/// package's comment carries the text as written).
pub(crate) fn spdx_expression(license: &str) -> Option<String> {
    spdx::Expression::parse(license)
        .ok()
        .map(|_| license.to_owned())
}

/// `purpose`: the artifact's SPDX primary package purpose (`CONTAINER`
/// for an OCI image, `OPERATING-SYSTEM` for a disk or an AMI).
pub fn document(inv: &Inventory, c: &Creation, purpose: &str) -> Value {
    let mut packages = vec![json!({
        "SPDXID": "SPDXRef-Artifact",
        "name": c.name,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
        "primaryPackagePurpose": purpose,
    })];
    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": "SPDXRef-Artifact",
    })];
    let mut contains = |id: &str| {
        relationships.push(json!({
            "spdxElementId": "SPDXRef-Artifact",
            "relationshipType": "CONTAINS",
            "relatedSpdxElement": id,
        }));
    };
    if let Some(os) = &inv.os {
        let mut p = json!({
            "SPDXID": "SPDXRef-OperatingSystem",
            "name": os.id,
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": false,
            "primaryPackagePurpose": "OPERATING-SYSTEM",
        });
        if !os.version_id.is_empty() {
            p["versionInfo"] = json!(os.version_id);
        }
        if !os.pretty_name.is_empty() {
            p["description"] = json!(os.pretty_name);
        }
        packages.push(p);
        contains("SPDXRef-OperatingSystem");
    }
    for (i, pkg) in inv.packages.iter().enumerate() {
        let id = format!("SPDXRef-Package-{}-{}", i + 1, id_part(&pkg.name));
        let declared = pkg.license.as_deref().and_then(spdx_expression);
        let mut p = json!({
            "SPDXID": id,
            "name": pkg.name,
            "versionInfo": pkg.version,
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": false,
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": declared.as_deref().unwrap_or("NOASSERTION"),
            "copyrightText": "NOASSERTION",
            "externalRefs": [{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": pkg.purl,
            }],
        });
        if let Some(src) = &pkg.source {
            let v = pkg.source_version.as_deref().unwrap_or(&pkg.version);
            p["sourceInfo"] = json!(format!("built from source package {src} {v}"));
        }
        if let (Some(raw), None) = (&pkg.license, &declared) {
            p["comment"] = json!(format!("licence as the package database gives it: {raw}"));
        }
        packages.push(p);
        contains(&id);
    }
    json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": c.name,
        "documentNamespace": format!(
            "https://kiln.dev/spdx/{}-{}",
            id_part(&c.name),
            c.document_uuid(inv)
        ),
        "creationInfo": {
            "created": c.timestamp(),
            "creators": [format!("Tool: kiln-{}", c.tool_version)],
        },
        "packages": packages,
        "relationships": relationships,
    })
}
