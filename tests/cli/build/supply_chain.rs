//! SBOMs, provenance and signatures end to end, checked with other
//! people's tools (tests/support/supply_chain.py: securesystemslib,
//! in-toto-attestation, cryptography, PyNaCl; pyspdxtools and
//! cyclonedx-python-lib for the SBOMs; skopeo with a sigstoreSigned
//! policy for pushed images), and `kiln verify` against tampering.

// Tests may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use super::oci_registry::Registry;
use crate::{kiln_env, project, repo_root, Run};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The venv scripts/setup.sh makes with the validators.
pub fn venv() -> PathBuf {
    std::env::var_os("KILN_SBOM_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/cache/kiln/sbom-tools"))
}

/// (exited 0, stdout then stderr).
fn outcome(out: &std::process::Output) -> (bool, String) {
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// Run tests/support/supply_chain.py; (passed, output).
pub fn check(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(venv().join("bin/python"))
        .arg(repo_root().join("tests/support/supply_chain.py"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("the validators' venv cannot run ({e}): run scripts/setup.sh"));
    outcome(&out)
}

/// The skopeo scripts/install-skopeo-sigstore.sh installs: Debian 13's,
/// since Debian 12's is built with sigstore disabled.
fn sigstore_skopeo() -> PathBuf {
    std::env::var_os("KILN_SKOPEO_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/cache/kiln/skopeo-sigstore"))
        .join("bin/skopeo")
}

/// `skopeo copy docker://HOST/REF` under a policy that accepts images
/// from HOST only when sigstoreSigned by `cosign.pub` in `dir`, with
/// matchRepoDigestOrExact identities and the signatures read from the
/// registry's sigstore attachments; (accepted, output).
fn sigstore_copy(dir: &Path, host: &str, reference: &str) -> (bool, String) {
    let policy = serde_json::json!({
        "default": [{"type": "reject"}],
        "transports": {
            "docker": {host: [{
                "type": "sigstoreSigned",
                "keyPath": dir.join("cosign.pub"),
                "signedIdentity": {"type": "matchRepoDigestOrExact"},
            }]},
        },
    });
    let conf = dir.join("sigstore-policy");
    std::fs::create_dir_all(conf.join("registries.d")).unwrap();
    std::fs::write(conf.join("policy.json"), policy.to_string()).unwrap();
    std::fs::write(
        conf.join("registries.d/kiln-test.yaml"),
        format!("docker:\n  {host}:\n    use-sigstore-attachments: true\n"),
    )
    .unwrap();
    let dest = conf.join(reference.replace([':', '/'], "-"));
    let out = Command::new(sigstore_skopeo())
        .arg("--policy")
        .arg(conf.join("policy.json"))
        .arg("--registries.d")
        .arg(conf.join("registries.d"))
        .args(["copy", "--src-tls-verify=false", "--remove-signatures"])
        .arg(format!("docker://{host}/{reference}"))
        .arg(format!("oci:{}:copied", dest.display()))
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("skopeo (sigstore) cannot run ({e}): run scripts/setup.sh"));
    outcome(&out)
}

pub fn checked(dir: &Path, args: &[&str]) -> String {
    let (ok, out) = check(dir, args);
    assert!(ok, "supply_chain.py {args:?}: {out}");
    out
}

/// The SBOM validators on a file kiln wrote.
pub fn validate_sboms(spdx: &Path, cdx: &Path) {
    let out = Command::new(venv().join("bin/pyspdxtools"))
        .args(["-i", &spdx.display().to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pyspdxtools refused {}: {}{}",
        spdx.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(venv().join("bin/python"))
        .args([
            "-c",
            "import sys\nfrom cyclonedx.validation.json import JsonStrictValidator\nfrom cyclonedx.schema import SchemaVersion\ne = JsonStrictValidator(SchemaVersion.V1_5).validate_str(open(sys.argv[1]).read())\nprint(e)\nsys.exit(1 if e else 0)",
            &cdx.display().to_string(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the CycloneDX validator refused {}: {}",
        cdx.display(),
        String::from_utf8_lossy(&out.stdout)
    );
}

/// `NAME\tVERSION` of every package an SPDX document lists, sorted.
pub fn spdx_packages(spdx: &Path) -> Vec<String> {
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(spdx).unwrap()).unwrap();
    let mut out: Vec<String> = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            p["externalRefs"]
                .as_array()
                .is_some_and(|r| r.iter().any(|r| r["referenceType"] == "purl"))
        })
        .map(|p| {
            format!(
                "{}\t{}",
                p["name"].as_str().unwrap(),
                p["versionInfo"].as_str().unwrap()
            )
        })
        .collect();
    out.sort();
    out
}

pub fn sorted_lines(path: &Path) -> Vec<String> {
    let mut l: Vec<String> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    l.sort();
    l
}

/// kiln with a fixed COSIGN_PASSWORD (the developer's own never leaks in).
fn kiln_pw(dir: &Path, args: &[&str], password: &str) -> Run {
    let tmp = tempfile::tempdir().unwrap();
    kiln_env(
        dir,
        args,
        "",
        &[
            ("COSIGN_PASSWORD".to_owned(), password.to_owned()),
            ("TMPDIR".to_owned(), tmp.path().display().to_string()),
        ],
    )
}

pub fn keygen(dir: &Path, password: &str) {
    let r = kiln_pw(dir, &["keygen"], password);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(dir.join("cosign.key").is_file() && dir.join("cosign.pub").is_file());
}

/// The Statement in a `.intoto.jsonl`'s first envelope (its signature is
/// checked elsewhere, with securesystemslib).
pub fn statement(path: &Path) -> serde_json::Value {
    use base64::Engine as _;
    let prov = std::fs::read_to_string(path).unwrap();
    let env: serde_json::Value = serde_json::from_str(prov.lines().next().unwrap()).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(env["payload"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap()
}

pub fn sha256_hex(path: &Path) -> String {
    use sha2::Digest;
    hex_of(&sha2::Sha256::digest(std::fs::read(path).unwrap()))
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every file under `dir` (not the step cache or catalog).
fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(".kiln-") {
                continue;
            }
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

const FILE_TEMPLATE: &str = r#"
variable "token" {
  type      = string
  sensitive = true
}
variable "release" {
  default = "1.2"
}
source "file" "a" {
  content = "hello ${var.release}"
  target  = "out.txt"
  sign { key = "cosign.key" }
}
source "file" "b" {
  content = "another artifact"
  target  = "other.txt"
}
build {
  sources = ["source.file.a", "source.file.b"]
  post-processor "manifest" {
    output = "manifest.json"
    custom_data = { token = var.token }
  }
}
"#;

#[test]
fn a_signed_file_verifies_and_tampering_fails_on_the_check_it_breaks() {
    let dir = project(&[("t.pkr.hcl", FILE_TEMPLATE)]);
    let d = dir.path();
    keygen(d, "correct horse");
    // The key file is cosign's: an independent reader decrypts it.
    checked(
        d,
        &["cosign-key", "cosign.key", "cosign.pub", "correct horse"],
    );
    let secret = "s3cret-token-value-42";
    let var = format!("token={secret}");
    // A wrong password stops the build before anything is made.
    let r = kiln_pw(d, &["build", "-var", &var, "t.pkr.hcl"], "wrong");
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("cannot decrypt the key: wrong password (COSIGN_PASSWORD)"),
        "{}{}",
        r.stdout,
        r.stderr
    );
    assert!(!d.join("out.txt").exists());

    // b is signed through -sign-key, a through its sign block.
    let r = kiln_pw(
        d,
        &[
            "build",
            "-color=false",
            "-sign-key=cosign.key",
            "-var",
            &var,
            "t.pkr.hcl",
        ],
        "correct horse",
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("==> file.a: Provenance: out.txt.intoto.jsonl (signed, key"),
        "{}",
        r.stdout
    );
    let digest = sha256_hex(&d.join("out.txt"));
    checked(d, &["dsse", "out.txt.intoto.jsonl", "cosign.pub", &digest]);
    checked(d, &["blob-sig", &digest, "out.txt.sig", "cosign.pub"]);
    let ok = crate::kiln(d, &["verify", "out.txt", "-key", "cosign.pub"], "");
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    for line in [
        "✓ digest: sha256:",
        "✓ signature: out.txt.sig signs this digest",
        "✓ provenance: out.txt.intoto.jsonl is signed by the key",
        "✓ subject: the provenance is about this artifact",
    ] {
        assert!(ok.stdout.contains(line), "{line:?} in {}", ok.stdout);
    }

    // The provenance names the template, the run and the variables that
    // are not sensitive.
    let env: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(d.join("out.txt.intoto.jsonl"))
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    use base64::Engine as _;
    let statement: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(env["payload"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    let p = &statement["predicate"];
    let ext = &p["buildDefinition"]["externalParameters"];
    assert_eq!(
        p["buildDefinition"]["buildType"],
        "https://kiln.dev/provenance/image-build/v1"
    );
    assert_eq!(ext["variables"]["release"], "1.2");
    assert!(ext["variables"].get("token").is_none(), "{ext}");
    assert_eq!(
        ext["template"]["digest"]["sha256"],
        sha256_hex(&d.join("t.pkr.hcl")).as_str()
    );
    let run_uuid = p["runDetails"]["metadata"]["invocationId"]
        .as_str()
        .unwrap();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("manifest.json")).unwrap()).unwrap();
    let a = manifest["builds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == "a")
        .unwrap();
    assert_eq!(a["packer_run_uuid"], run_uuid);
    // The manifest lists the attestation files with their sha256.
    for f in a["attestations"]["files"].as_array().unwrap() {
        let path = d.join(f["path"].as_str().unwrap());
        assert_eq!(f["sha256"], sha256_hex(&path).as_str(), "{f}");
    }

    // Sensitive values are in no file kiln wrote and nowhere in its output.
    for f in all_files(d) {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        assert!(!text.contains(secret), "{} holds the secret", f.display());
    }
    assert!(!r.stdout.contains(secret) && !r.stderr.contains(secret));

    // Another build's provenance beside this artifact: the subject check
    // fails (the digest still matches its signature).
    std::fs::copy(d.join("out.txt.intoto.jsonl"), d.join("out.keep")).unwrap();
    std::fs::copy(
        d.join("other.txt.intoto.jsonl"),
        d.join("out.txt.intoto.jsonl"),
    )
    .unwrap();
    let swapped = crate::kiln(d, &["verify", "out.txt", "-key", "cosign.pub"], "");
    assert_eq!(swapped.code, 1, "{}", swapped.stdout);
    assert!(
        swapped
            .stderr
            .contains("✗ subject: the provenance in out.txt.intoto.jsonl is about other.txt"),
        "{}",
        swapped.stderr
    );
    std::fs::rename(d.join("out.keep"), d.join("out.txt.intoto.jsonl")).unwrap();

    // One byte changed: the digest check fails.
    let mut bytes = std::fs::read(d.join("out.txt")).unwrap();
    bytes[0] ^= 1;
    std::fs::write(d.join("out.txt"), bytes).unwrap();
    let flipped = crate::kiln(d, &["verify", "out.txt", "-key", "cosign.pub"], "");
    assert_eq!(flipped.code, 1);
    assert!(
        flipped.stderr.contains("✗ digest: the artifact's sha256:"),
        "{}",
        flipped.stderr
    );
    // Another key: the signature does not verify.
    std::fs::create_dir(d.join("k2")).unwrap();
    keygen(&d.join("k2"), "");
    let other = crate::kiln(d, &["verify", "other.txt", "-key", "k2/cosign.pub"], "");
    assert_eq!(other.code, 1);
    assert!(other.stderr.contains("✗ digest:"), "{}", other.stderr);
    let (ok, out) = check(d, &["dsse", "other.txt.intoto.jsonl", "k2/cosign.pub", "x"]);
    assert!(!ok && out.contains("DSSE signature"), "{out}");
}

#[test]
fn bad_settings_are_located_errors() {
    let dir = project(&[(
        "t.pkr.hcl",
        "source \"file\" \"a\" {\n  content = \"x\"\n  target = \"o\"\n  sbom = [\"spdx-json\", \"syft\"]\n}\nbuild { sources = [\"source.file.a\"] }\n",
    )]);
    let r = crate::kiln(dir.path(), &["validate", "t.pkr.hcl"], "");
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(all.contains("t.pkr.hcl:4"), "{all}");
    assert!(all.contains("syft"), "{all}");
    let r = crate::kiln(dir.path(), &["build", "-sbom=spdx", "t.pkr.hcl"], "");
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("invalid value \"spdx\" for flag -sbom"),
        "{}",
        r.stderr
    );
    let r = crate::kiln(dir.path(), &["verify", "o", "-key", "missing.pub"], "");
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("missing.pub"), "{}", r.stderr);
    // keygen will not overwrite a key.
    keygen(dir.path(), "");
    let again = kiln_pw(dir.path(), &["keygen"], "");
    assert_eq!(again.code, 1);
    assert!(
        again.stderr.contains("cosign.key exists"),
        "{}",
        again.stderr
    );
}

fn debian_rootfs() -> String {
    let out = Command::new("bash")
        .arg(repo_root().join("tests/fixtures/debian-rootfs.sh"))
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "tests/fixtures/debian-rootfs.sh failed (run scripts/setup.sh): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn an_oci_image_gets_sboms_a_signature_and_attestations_in_the_registry() {
    let base = debian_rootfs();
    let reg = Registry::start(&[]);
    let template = format!(
        r#"
variable "password" {{
  type      = string
  sensitive = true
}}
source "oci" "app" {{
  image      = "rootfs:{base}"
  repository = "localhost:{port}/hello"
  tags       = ["v1", "blue"]
}}
build {{
  sources = ["source.oci.app"]
  provisioner "shell" {{
    environment_vars = ["PASSWORD=${{var.password}}"]
    inline = [
      "echo \"$PASSWORD\" | sha256sum > /etc/app-password-hash",
      "dpkg-query -W -f '$${{Package}}\t$${{Version}}\n' > /tmp/dpkg.txt",
    ]
  }}
  provisioner "file" {{
    direction   = "download"
    source      = "/tmp/dpkg.txt"
    destination = "dpkg.txt"
  }}
  post-processor "oci-push" {{}}
}}
"#,
        port = reg.port
    );
    let dir = project(&[("t.pkr.hcl", &template)]);
    let d = dir.path();
    keygen(d, "pw");
    let secret = "hunter2-but-longer";
    let var = format!("password={secret}");
    let r = kiln_pw(
        d,
        &[
            "build",
            "-color=false",
            "-sbom=spdx-json,cyclonedx-json",
            "-sign-key=cosign.key",
            "-var",
            &var,
            "t.pkr.hcl",
        ],
        "pw",
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let out = &r.stdout;
    for line in [
        "==> oci.app: Reading the package databases for the SBOM...",
        "==> oci.app: SBOM (spdx-json): output-app.spdx.json (",
        "==> oci.app: SBOM (cyclonedx-json): output-app.cdx.json (",
        "Signed localhost:",
        "(2 signature(s), tag sha256-",
        "Attached 3 attestation(s) to localhost:",
    ] {
        assert!(out.contains(line), "{line:?} missing in {out}");
    }
    // The SBOMs validate and list what dpkg lists in the same image.
    validate_sboms(
        &d.join("output-app.spdx.json"),
        &d.join("output-app.cdx.json"),
    );
    let dpkg = sorted_lines(&d.join("dpkg.txt"));
    assert!(dpkg.len() > 50, "{dpkg:?}");
    assert_eq!(spdx_packages(&d.join("output-app.spdx.json")), dpkg);

    // The image in the registry, through skopeo with a policy requiring
    // sigstoreSigned by kiln's key: both tags copy; a re-tag and a copy
    // elsewhere are refused, by skopeo and by `kiln verify`.
    let host = format!("localhost:{}", reg.port);
    for tag in ["v1", "blue"] {
        let (ok, said) = sigstore_copy(d, &host, &format!("hello:{tag}"));
        assert!(ok, "{tag}: {said}");
    }
    for (to, why) in [
        ("hello:retag", "is not accepted"),
        ("other:blue", "no signature exists"),
    ] {
        super::oci::tool(
            d,
            "skopeo",
            &[
                "copy",
                "--src-tls-verify=false",
                "--dest-tls-verify=false",
                &format!("docker://{host}/hello:blue"),
                &format!("docker://{host}/{to}"),
            ],
        );
        let (ok, said) = sigstore_copy(d, &host, to);
        assert!(!ok && said.contains(why), "{to}: {said}");
        let v = crate::kiln(
            d,
            &[
                "verify",
                &format!("docker://{host}/{to}"),
                "-key",
                "cosign.pub",
            ],
            "",
        );
        assert_eq!(v.code, 1, "{}", v.stdout);
        assert!(v.stderr.contains("✗ signature:"), "{}", v.stderr);
    }
    // The attestations: provenance and both SBOMs, signed, about it.
    let att = checked(d, &["attestations", &host, "hello", "blue", "cosign.pub"]);
    assert!(
        att.contains(
            "https://cyclonedx.org/bom https://slsa.dev/provenance/v1 https://spdx.dev/Document"
        ),
        "{att}"
    );
    for target in [
        format!("docker://{host}/hello:blue"),
        "output-app".to_owned(),
    ] {
        let v = crate::kiln(d, &["verify", &target, "-key", "cosign.pub"], "");
        assert_eq!(v.code, 0, "{target}: {}{}", v.stdout, v.stderr);
        assert!(v.stdout.contains("✓ subject:"), "{}", v.stdout);
    }
    let digest = {
        let index: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(d.join("output-app/index.json")).unwrap(),
        )
        .unwrap();
        index["manifests"][0]["digest"].as_str().unwrap().to_owned()
    };
    checked(
        d,
        &[
            "dsse",
            "output-app.intoto.jsonl",
            "cosign.pub",
            digest.trim_start_matches("sha256:"),
        ],
    );
    // The base is a resolved dependency, by the tarball's digest.
    let st = statement(&d.join("output-app.intoto.jsonl"));
    let deps = &st["predicate"]["buildDefinition"]["resolvedDependencies"];
    assert_eq!(deps[0]["uri"], format!("rootfs:{base}").as_str(), "{deps}");
    assert_eq!(
        deps[0]["digest"]["sha256"],
        super::oci::file_digest(Path::new(&base)).trim_start_matches("sha256:"),
        "{deps}"
    );
    // Nothing kiln wrote holds the sensitive value.
    for f in all_files(d)
        .into_iter()
        .filter(|f| !f.starts_with(d.join("output-app")))
    {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        assert!(!text.contains(secret), "{} holds the secret", f.display());
    }
    assert!(!out.contains(secret) && !r.stderr.contains(secret));
}

/// `kiln verify docker://` on a registry that needs a login: refused
/// anonymously, naming the credentials it tried; accepted with the
/// registry's entry in a containers auth file, or with the variables.
#[test]
fn verify_docker_logs_in_like_skopeo() {
    let reg = Registry::start(&[("kiln", "s3cret")]);
    let dir = project(&[]);
    let d = dir.path();
    keygen(d, "pw");
    let rootfs = super::oci::busybox_rootfs(d);
    let host = format!("localhost:{}", reg.port);
    let t = format!(
        r#"
source "oci" "app" {{
  image      = "rootfs:{}"
  repository = "{host}/private"
  tags       = ["1"]
}}
build {{
  sources = ["source.oci.app"]
  post-processor "docker-push" {{
    login_username = "kiln"
    login_password = "s3cret"
  }}
}}
"#,
        rootfs.display()
    );
    std::fs::write(d.join("t.pkr.hcl"), t).unwrap();
    let r = kiln_pw(
        d,
        &["build", "-color=false", "-sign-key=cosign.key", "t.pkr.hcl"],
        "pw",
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let image = format!("docker://{host}/private:1");
    let empty = d.join("no-auth");
    std::fs::create_dir_all(&empty).unwrap();
    let verify = |env: &[(&str, String)]| {
        let mut all: Vec<(String, String)> = vec![
            // No file of this machine's user counts.
            ("HOME".into(), empty.display().to_string()),
            ("XDG_RUNTIME_DIR".into(), empty.display().to_string()),
            ("DOCKER_CONFIG".into(), empty.display().to_string()),
        ];
        all.extend(env.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        kiln_env(d, &["verify", &image, "-key", "cosign.pub"], "", &all)
    };
    let anonymous = verify(&[]);
    assert_eq!(anonymous.code, 1, "{}", anonymous.stdout);
    assert!(
        anonymous.stderr.contains("✗ artifact:")
            && anonymous.stderr.contains("none (anonymous)")
            && anonymous.stderr.contains("KILN_REGISTRY_USERNAME"),
        "{}",
        anonymous.stderr
    );
    let auth_file = d.join("auth.json");
    std::fs::write(
        &auth_file,
        serde_json::json!({"auths": {host.as_str(): {"auth": "a2lsbjpzM2NyZXQ="}}}).to_string(),
    )
    .unwrap();
    let v = verify(&[("REGISTRY_AUTH_FILE", auth_file.display().to_string())]);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
    assert!(v.stdout.contains("✓ subject:"), "{}", v.stdout);
    let v = verify(&[
        ("KILN_REGISTRY_USERNAME", "kiln".into()),
        ("KILN_REGISTRY_PASSWORD", "s3cret".into()),
    ]);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
    let wrong = verify(&[
        ("KILN_REGISTRY_USERNAME", "kiln".into()),
        ("KILN_REGISTRY_PASSWORD", "nope".into()),
    ]);
    assert_eq!(wrong.code, 1, "{}", wrong.stdout);
    assert!(
        wrong
            .stderr
            .contains("KILN_REGISTRY_USERNAME/KILN_REGISTRY_PASSWORD (user kiln)"),
        "{}",
        wrong.stderr
    );
}

/// `-provenance=false`: an unsigned artifact's directory holds what
/// Packer's does; a build that signs still writes its provenance, and
/// the flag with `-sign-key` is a usage error.
#[test]
fn provenance_false_leaves_unsigned_artifacts_bare() {
    let dir = project(&[("t.pkr.hcl", FILE_TEMPLATE)]);
    let d = dir.path();
    keygen(d, "pw");
    let r = kiln_pw(
        d,
        &[
            "build",
            "-color=false",
            "-provenance=false",
            "-var",
            "token=not-in-any-file",
            "t.pkr.hcl",
        ],
        "pw",
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(d.join("other.txt").is_file());
    for f in ["other.txt.intoto.jsonl", "other.txt.sig"] {
        assert!(!d.join(f).exists(), "{f} was written");
    }
    // Source a signs (its sign block): its provenance is written.
    assert!(d.join("out.txt.intoto.jsonl").is_file());
    assert!(d.join("out.txt.sig").is_file());
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("manifest.json")).unwrap()).unwrap();
    let builds = manifest["builds"].as_array().unwrap();
    let by_name = |n: &str| {
        builds
            .iter()
            .find(|b| b["name"] == n)
            .unwrap_or_else(|| panic!("no build {n} in {manifest}"))
    };
    assert!(by_name("b").get("attestations").is_none(), "{manifest}");
    assert!(by_name("a").get("attestations").is_some(), "{manifest}");

    let bad = kiln_pw(
        d,
        &[
            "build",
            "-provenance=false",
            "-sign-key=cosign.key",
            "t.pkr.hcl",
        ],
        "pw",
    );
    assert_eq!(bad.code, 1, "{}{}", bad.stdout, bad.stderr);
    assert!(
        format!("{}{}", bad.stdout, bad.stderr)
            .contains("-provenance=false cannot be used with -sign-key"),
        "{}{}",
        bad.stdout,
        bad.stderr
    );
}
