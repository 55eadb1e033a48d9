//! Writers at the same time, and writers killed midway.

use super::Store;
use crate::project;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

const TEMPLATE: &str = r#"
variable "n" { default = "0" }
source "file" "a" {
  content = "run ${var.n}"
  target  = "out-${var.n}.txt"
}
build {
  hcp_packer_registry { bucket_name = "parallel" }
  sources = ["source.file.a"]
}
"#;

fn build_n(store: &Store, dir: &Path, n: usize) -> crate::Run {
    let mut env = store.env(&format!("fp-{n}"));
    env.push(("PKR_VAR_n".into(), n.to_string()));
    crate::kiln_env(dir, &["build", "-color=false", "t.pkr.hcl"], "", &env)
}

fn eight_runs_get_eight_versions(store: &Store) {
    let p = project(&[("t.pkr.hcl", TEMPLATE)]);
    let d = p.path();
    std::thread::scope(|s| {
        let runs: Vec<_> = (0..8)
            .map(|n| s.spawn(move || build_n(store, d, n)))
            .collect();
        for r in runs {
            let r = r.join().unwrap();
            assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        }
    });
    let list = store.json(d, &["list", "parallel"]);
    let versions: BTreeSet<String> = list["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_str().unwrap().to_owned())
        .collect();
    let want: BTreeSet<String> = (1..=8).map(|n| format!("v{n}")).collect();
    assert_eq!(versions, want, "{list}");
    let fingerprints: BTreeSet<String> = list["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["fingerprint"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fingerprints.len(), 8, "each run is its own version: {list}");

    // 20 promotions and rollbacks at once: every one is in the history.
    store.ok(d, &["promote", "parallel", "v1", "-channel", "prod"]);
    std::thread::scope(|s| {
        let cmds: Vec<_> = (0..20)
            .map(|i| {
                s.spawn(move || {
                    let v = format!("v{}", i % 8 + 1);
                    let args: Vec<&str> = if i % 4 == 3 {
                        vec![
                            "catalog", "rollback", "parallel", "-channel", "prod", "-to", &v,
                        ]
                    } else {
                        vec!["catalog", "promote", "parallel", &v, "-channel", "prod"]
                    };
                    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
                    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
                    store.kiln(d, &refs)
                })
            })
            .collect();
        for c in cmds {
            let r = c.join().unwrap();
            assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        }
    });
    let h = store.json(d, &["history", "parallel", "-channel", "prod"]);
    assert_eq!(h["events"].as_array().unwrap().len(), 21, "{h}");
}

#[test]
fn concurrent_runs_and_promotions_on_the_directory_store() {
    let root = tempfile::tempdir().unwrap();
    eight_runs_get_eight_versions(&Store::dir(root.path()));
}

#[test]
fn concurrent_runs_and_promotions_on_a_registry() {
    eight_runs_get_eight_versions(&Store::registry());
}

/// kill -9 while a run registers a large disk: the catalog stays
/// readable and holds no partial version.
#[test]
fn kill_9_during_registration_leaves_a_readable_catalog() {
    let root = tempfile::tempdir().unwrap();
    kill_9_during_registration(&Store::dir(root.path()));
}

/// The same on a registry, where the disk's upload and the version's
/// tags are separate requests the kill can fall between.
#[test]
fn kill_9_during_registration_leaves_a_readable_registry_catalog() {
    kill_9_during_registration(&Store::registry());
}

fn kill_9_during_registration(store: &Store) {
    let p = project(&[(
        "t.pkr.hcl",
        r#"
source "file" "disk" {
  source = "big.raw"
  target = "out.raw"
}
build {
  hcp_packer_registry {
    bucket_name = "killed"
    push_disk   = true
  }
  sources = ["source.file.disk"]
}
"#,
    )]);
    let d = p.path();
    let big = std::fs::File::create(d.join("big.raw")).unwrap();
    big.set_len(400 << 20).unwrap();
    drop(big);
    let mut child = crate::kiln_command()
        .current_dir(d)
        .args(["build", "-color=false", "t.pkr.hcl"])
        .envs(store.env("k1"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Registration starts once the artifact is listed.
    let mut out = child.stdout.take().unwrap();
    let start = Instant::now();
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    while !seen.contains("The artifacts of successful builds are") {
        use std::io::Read;
        let n = out.read(&mut buf).unwrap();
        assert!(n > 0, "kiln ended before registering: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        assert!(start.elapsed() < Duration::from_secs(120), "{seen}");
    }
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    let _ = child.wait();
    let r = store.kiln(d, &["catalog", "list"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // Either the run got its version in, whole, or there is none.
    let r = store.kiln(d, &["catalog", "list", "killed", "-json"]);
    if r.code == 0 {
        let list: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        for v in list["versions"].as_array().unwrap() {
            let name = format!("killed:{}", v["version"].as_str().unwrap());
            let show = store.json(d, &["show", &name]);
            assert_eq!(show["builds"][0]["files"][0]["size"], 400 << 20);
        }
    } else {
        assert!(r.stderr.contains("no bucket \"killed\""), "{}", r.stderr);
    }
    // And the next run registers normally.
    let r = store.build(d, "t.pkr.hcl", "k2");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("Registered killed:v"), "{}", r.stdout);
}
