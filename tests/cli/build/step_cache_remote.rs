//! The step cache shared through a registry (`KILN_CACHE=oci://…`), as
//! CI runners without a shared disk use it: what one runner's build
//! saves, another runner with an empty local cache pulls and resumes
//! from. A real `docker-registry` with htpasswd auth.

use super::oci::tool;
use super::oci_registry::Registry;
use super::step_cache::{digest, template};
use crate::project;

const USER: &str = "ci";
const PASS: &str = "s3cret";

struct Runner {
    project: tempfile::TempDir,
    cache: tempfile::TempDir,
}

/// A runner of its own: its checkout (the same template and payload)
/// and an empty local cache.
fn runner(rootfs: &std::path::Path, third: &str) -> Runner {
    Runner {
        project: project(&[
            ("t.pkr.hcl", &template(rootfs, third, false)),
            ("payload.txt", "payload v1\n"),
        ]),
        cache: tempfile::tempdir().expect("cache"),
    }
}

fn build(r: &Runner, reg: &Registry, pass: &str) -> (i32, String) {
    let tmp = tempfile::tempdir().expect("tmp");
    let env: Vec<(String, String)> = [
        ("TMPDIR", tmp.path().display().to_string()),
        ("SOURCE_DATE_EPOCH", "1700000000".to_owned()),
        ("KILN_CACHE_DIR", r.cache.path().display().to_string()),
        (
            "KILN_CACHE",
            format!("oci://127.0.0.1:{}/ci/kiln", reg.port),
        ),
        ("KILN_CACHE_USERNAME", USER.to_owned()),
        ("KILN_CACHE_PASSWORD", pass.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let out = crate::kiln_env(
        r.project.path(),
        &["build", "-color=false", "-force", "t.pkr.hcl"],
        "",
        &env,
    );
    (out.code, format!("{}{}", out.stdout, out.stderr))
}

fn step_tags(reg: &Registry, dir: &std::path::Path) -> Vec<String> {
    let out = tool(
        dir,
        "skopeo",
        &[
            "list-tags",
            "--tls-verify=false",
            "--creds",
            &format!("{USER}:{PASS}"),
            &format!("docker://127.0.0.1:{}/ci/kiln/steps", reg.port),
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).expect("tags json");
    let mut tags: Vec<String> = v["Tags"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|t| t.as_str().map(str::to_owned))
        .collect();
    tags.sort();
    tags
}

#[test]
fn a_runner_with_an_empty_cache_resumes_from_what_another_pushed_to_a_registry() {
    let reg = Registry::start(&[(USER, PASS)]);
    let scratch = tempfile::tempdir().expect("tmp");
    let rootfs = super::oci::busybox_rootfs(scratch.path());

    // Runner A: cold; the boot and all three steps go to the registry.
    let a = runner(&rootfs, "three");
    let (code, out) = build(&a, &reg, PASS);
    assert_eq!(code, 0, "{out}");
    for i in 0..=3 {
        assert!(
            out.contains(&format!("Pushed step {i} to the step cache at")),
            "{out}"
        );
    }
    assert!(out.contains("ran step three"), "{out}");
    let cold = digest(a.project.path());
    let tags = step_tags(&reg, scratch.path());
    assert_eq!(
        tags.iter().filter(|t| t.starts_with("step-")).count(),
        4,
        "{tags:?}"
    );
    assert!(tags.contains(&"secret".to_owned()), "{tags:?}");

    // Runner B: nothing local; everything is pulled, nothing runs, and
    // the image is the one runner A made.
    let b = runner(&rootfs, "three");
    let (code, out) = build(&b, &reg, PASS);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Pulled 4 step cache entries from"), "{out}");
    assert!(out.contains("Using cached step 3/3"), "{out}");
    assert!(!out.contains("ran step"), "{out}");
    // Its boot entry, unpacked again here (directories do not travel),
    // is the one the registry has: nothing to push.
    assert!(!out.contains("Pushed"), "{out}");
    assert_eq!(digest(b.project.path()), cold);

    // Runner C: the third step changed; the boot and two steps come from
    // the registry, the third runs and is pushed.
    let c = runner(&rootfs, "changed");
    let (code, out) = build(&c, &reg, PASS);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Pulled 3 step cache entries from"), "{out}");
    assert!(out.contains("Using cached step 2/3"), "{out}");
    assert!(out.contains("ran step three"), "{out}");
    assert!(!out.contains("ran step one"), "{out}");
    assert!(out.contains("Pushed step 3 to the step cache at"), "{out}");
    assert_eq!(
        step_tags(&reg, scratch.path())
            .iter()
            .filter(|t| t.starts_with("step-"))
            .count(),
        5
    );

    // A runner the registry turns away builds from scratch, and says why.
    let d = runner(&rootfs, "three");
    let (code, out) = build(&d, &reg, "wrong");
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("going on with the local step cache alone"),
        "{out}"
    );
    assert!(out.contains("access refused"), "{out}");
    assert!(
        out.contains("KILN_CACHE_USERNAME/KILN_CACHE_PASSWORD (user ci)"),
        "{out}"
    );
    assert!(out.contains("ran step one"), "{out}");
    assert_eq!(digest(d.project.path()), cold);
}
