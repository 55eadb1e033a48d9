//! An inventory read from a root filesystem on disk, written in both
//! formats. The documents are checked against the formats' own
//! validators by tests/cli's SBOM tests; here, what they say.

#![allow(clippy::unwrap_used)]

use kiln_sbom::{cyclonedx, inventory, spdx, Creation, DirSource};

fn rootfs() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    std::fs::create_dir_all(r.join("usr/lib")).unwrap();
    std::fs::create_dir_all(r.join("etc")).unwrap();
    std::fs::create_dir_all(r.join("var/lib/dpkg")).unwrap();
    std::fs::write(
        r.join("usr/lib/os-release"),
        "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("../usr/lib/os-release", r.join("etc/os-release")).unwrap();
    std::fs::write(
        r.join("var/lib/dpkg/status"),
        "Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n\n\
         Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.4+deb12u8\n",
    )
    .unwrap();
    d
}

fn creation() -> Creation {
    Creation {
        name: "debian base".to_owned(),
        tool_version: "0.1.0".to_owned(),
        created: 1_700_000_000,
    }
}

#[test]
fn spdx_describes_the_artifact_containing_the_os_and_each_package() {
    let d = rootfs();
    let inv = inventory(&DirSource {
        root: d.path().to_path_buf(),
    })
    .unwrap();
    assert_eq!(inv.packages.len(), 2);
    assert_eq!(inv.packages[0].name, "base-files", "sorted by name");
    let doc = spdx::document(&inv, &creation(), "CONTAINER");
    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    assert_eq!(doc["creationInfo"]["created"], "2023-11-14T22:13:20Z");
    let pkgs = doc["packages"].as_array().unwrap();
    assert_eq!(pkgs.len(), 4, "artifact, OS, two packages");
    let ids: std::collections::BTreeSet<_> =
        pkgs.iter().map(|p| p["SPDXID"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 4, "unique ids");
    assert!(ids.iter().all(|i| i[8..]
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')));
    let zlib = pkgs.iter().find(|p| p["name"] == "zlib1g").unwrap();
    assert_eq!(zlib["versionInfo"], "1:1.2.13.dfsg-1");
    assert_eq!(
        zlib["externalRefs"][0]["referenceLocator"],
        "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12"
    );
    assert_eq!(
        zlib["sourceInfo"],
        "built from source package zlib 1:1.2.13.dfsg-1"
    );
    let rels = doc["relationships"].as_array().unwrap();
    assert_eq!(rels.len(), 4, "DESCRIBES and three CONTAINS");
    // The same inventory and name give the same document.
    assert_eq!(spdx::document(&inv, &creation(), "CONTAINER"), doc);
}

#[test]
fn cyclonedx_lists_the_os_and_packages_with_purls_and_licences() {
    let d = rootfs();
    std::fs::create_dir_all(d.path().join("lib/apk/db")).unwrap();
    std::fs::write(
        d.path().join("lib/apk/db/installed"),
        "P:musl\nV:1.2.5-r0\nA:x86_64\nL:MIT\n\nP:busybox\nV:1.36.1-r29\nA:x86_64\nL:GPL-2.0-only AND bogus licence\n",
    )
    .unwrap();
    let inv = inventory(&DirSource {
        root: d.path().to_path_buf(),
    })
    .unwrap();
    let doc = cyclonedx::document(&inv, &creation(), "container");
    assert_eq!(doc["specVersion"], "1.5");
    assert!(doc["serialNumber"]
        .as_str()
        .unwrap()
        .starts_with("urn:uuid:"));
    let comps = doc["components"].as_array().unwrap();
    assert_eq!(comps[0]["type"], "operating-system");
    assert_eq!(comps.len(), 5);
    let musl = comps.iter().find(|c| c["name"] == "musl").unwrap();
    assert_eq!(musl["licenses"][0]["expression"], "MIT");
    let bb = comps.iter().find(|c| c["name"] == "busybox").unwrap();
    assert_eq!(
        bb["licenses"][0]["license"]["name"],
        "GPL-2.0-only AND bogus licence"
    );
    let spdx_doc = spdx::document(&inv, &creation(), "CONTAINER");
    let bb = spdx_doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "busybox")
        .unwrap();
    assert_eq!(bb["licenseDeclared"], "NOASSERTION");
}

#[test]
fn an_rpm_database_is_reported_not_read() {
    let d = rootfs();
    std::fs::create_dir_all(d.path().join("var/lib/rpm")).unwrap();
    std::fs::write(
        d.path().join("var/lib/rpm/rpmdb.sqlite"),
        b"SQLite format 3\0",
    )
    .unwrap();
    let inv = inventory(&DirSource {
        root: d.path().to_path_buf(),
    })
    .unwrap();
    assert_eq!(inv.unsupported.len(), 1);
    assert!(inv.unsupported[0].contains("rpm"), "{:?}", inv.unsupported);
}
