//! What kiln-sbom writes for the Debian 12 fixture rootfs, checked with
//! the formats' own validators (pyspdxtools, cyclonedx-python-lib; from
//! scripts/setup.sh's venv) and against `dpkg-query -W` run inside the
//! same root filesystem.

#![allow(clippy::unwrap_used)]

use kiln_sbom::{cyclonedx, inventory, spdx, Creation, DirSource};
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn venv() -> PathBuf {
    std::env::var_os("KILN_SBOM_VENV").map_or_else(
        || PathBuf::from("/var/cache/kiln/sbom-tools"),
        PathBuf::from,
    )
}

/// The fixture rootfs (built once, cached outside the clone), unpacked.
fn debian_rootfs(into: &Path) -> PathBuf {
    let out = Command::new("bash")
        .arg(repo_root().join("tests/fixtures/debian-rootfs.sh"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "tests/fixtures/debian-rootfs.sh failed (run scripts/setup.sh): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tarball = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap()
        .to_owned();
    let root = into.join("rootfs");
    std::fs::create_dir(&root).unwrap();
    let st = Command::new("tar")
        .args(["--zstd", "-xf", &tarball, "-C"])
        .arg(&root)
        .status()
        .unwrap();
    assert!(st.success(), "cannot unpack {tarball}");
    root
}

fn run(prog: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(prog)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{} cannot run ({e}): run scripts/setup.sh", prog.display()));
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn the_debian_fixtures_sboms_validate_and_list_what_dpkg_lists() {
    let d = tempfile::tempdir().unwrap();
    let root = debian_rootfs(d.path());
    let inv = inventory(&DirSource { root: root.clone() }).unwrap();
    let c = Creation {
        name: "debian-12".to_owned(),
        tool_version: "0.1.0".to_owned(),
        created: 1_700_000_000,
    };
    let spdx_file = d.path().join("image.spdx.json");
    let cdx_file = d.path().join("image.cdx.json");
    let spdx_doc = spdx::document(&inv, &c, "CONTAINER");
    std::fs::write(&spdx_file, serde_json::to_vec_pretty(&spdx_doc).unwrap()).unwrap();
    std::fs::write(
        &cdx_file,
        serde_json::to_vec_pretty(&cyclonedx::document(&inv, &c, "container")).unwrap(),
    )
    .unwrap();

    let (ok, out) = run(
        &venv().join("bin/pyspdxtools"),
        &["-i", &spdx_file.display().to_string()],
    );
    assert!(ok, "pyspdxtools refused the SPDX document: {out}");
    let (ok, out) = run(
        &venv().join("bin/python"),
        &[
            "-c",
            "import sys\nfrom cyclonedx.validation.json import JsonStrictValidator\nfrom cyclonedx.schema import SchemaVersion\ne = JsonStrictValidator(SchemaVersion.V1_5).validate_str(open(sys.argv[1]).read())\nprint(e)\nsys.exit(1 if e else 0)",
            &cdx_file.display().to_string(),
        ],
    );
    assert!(ok, "the CycloneDX validator refused the BOM: {out}");

    // dpkg's own view of the same root filesystem.
    let out = Command::new("chroot")
        .arg(&root)
        .args(["dpkg-query", "-W", "-f", "${Package}\\t${Version}\\n"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut dpkg: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    dpkg.sort();
    let mut ours: Vec<String> = inv
        .packages
        .iter()
        .map(|p| format!("{}\t{}", p.name, p.version))
        .collect();
    ours.sort();
    assert!(dpkg.len() > 50, "{dpkg:?}");
    assert_eq!(ours, dpkg);
    assert_eq!(inv.os.as_ref().unwrap().distro(), "debian-12");
    assert!(inv
        .packages
        .iter()
        .all(|p| p.purl.starts_with("pkg:deb/debian/") && p.purl.contains("distro=debian-12")));
}
