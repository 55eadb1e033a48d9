//! `kiln cache list | prune | clear` over a store with entries in it.

use crate::{kiln_env, project};
use kiln_core::step_cache::{Input, StepKey};
use kiln_step_cache::{DirStore, Meta};

fn store_with(dir: &std::path::Path, n: usize) -> Vec<StepKey> {
    let store = DirStore::open(dir.join(".kiln-cache"), u64::MAX).expect("store");
    let boot = StepKey::root("boot", vec![Input::new("source image", "abc")]);
    let mut keys = vec![boot.clone()];
    for i in 1..n {
        let k = keys[i - 1].child(
            "provisioner shell",
            vec![Input::new("inline", i.to_string())],
        );
        keys.push(k);
    }
    for k in &keys {
        store
            .put(Meta::new(k.clone(), "qemu", 1000, None), |d| {
                std::fs::write(d.join("disk"), vec![1u8; 5000]).map_err(|e| e.to_string())
            })
            .expect("put");
    }
    keys
}

#[test]
fn list_prune_and_clear() {
    let p = project(&[]);
    let keys = store_with(p.path(), 3);
    let r = kiln_env(p.path(), &["cache", "list"], "", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("3 entries"), "{}", r.stdout);
    assert!(r.stdout.contains(keys[0].short()), "{}", r.stdout);
    assert!(r.stdout.contains("provisioner shell"), "{}", r.stdout);
    let r = kiln_env(p.path(), &["cache", "list", "-json"], "", &[]);
    let items: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(items.as_array().map(Vec::len), Some(3));

    // Just below the total: the least recently used one goes.
    let total: u64 = items
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["size"].as_u64())
        .sum();
    let max = (total - 1).to_string();
    let r = kiln_env(p.path(), &["cache", "prune", "-max", &max], "", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("Removed 1 entries"), "{}", r.stdout);
    let r = kiln_env(p.path(), &["cache", "prune", "-max", "lots"], "", &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("invalid value \"lots\" for flag -max"),
        "{}",
        r.stderr
    );

    let r = kiln_env(p.path(), &["cache", "clear"], "", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "Removed 2 entries");
    let r = kiln_env(p.path(), &["cache", "list"], "", &[]);
    assert!(r.stdout.contains("0 entries"), "{}", r.stdout);

    let r = kiln_env(
        p.path(),
        &["cache", "list"],
        "",
        &[("KILN_CACHE_MAX".into(), "huge".into())],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("KILN_CACHE_MAX=\"huge\" is not a size"),
        "{}",
        r.stderr
    );
}
