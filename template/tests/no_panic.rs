//! Fuzzing the template entry point (parse → declarations → variables →
//! locals → build planning → decoding): whatever the input, loading either
//! succeeds or reports diagnostics; it never panics. Seeds live in
//! `tests/fuzz-corpus/` and are mutated byte-wise by proptest.

use kiln_template::config::{self, LoadOptions};
use kiln_template::decode::{decode, EvaluatedBody};
use kiln_template::plan::{self, ComponentKind, Components, Selection};
use kiln_template::Diagnostics;
use proptest::prelude::*;
use std::path::PathBuf;

/// Accepts every component type and decodes its body generically, so the
/// decoder runs on every block.
struct AnyComponent;

impl Components for AnyComponent {
    fn check(&self, _: ComponentKind, _: &str, body: &EvaluatedBody) -> Option<Diagnostics> {
        Some(decode::<serde_json::Value>(body).err().unwrap_or_default())
    }
    fn known(&self, _: ComponentKind) -> Vec<&'static str> {
        Vec::new()
    }
    fn build_variables(&self, _: &str) -> Option<Vec<&'static str>> {
        Some(vec!["ID", "Host"])
    }
}

fn load_text(text: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("fuzz.pkr.hcl");
    std::fs::write(&path, text).expect("write");
    let (cfg, diags) = config::load(&path, &LoadOptions::default());
    if let Some(cfg) = cfg {
        let _ = diags.render(cfg.sources());
        let (_, pdiags) = plan::plan(&cfg, &Selection::default(), &AnyComponent);
        let _ = pdiags.render(cfg.sources());
    }
}

fn seeds() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus");
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .expect("corpus dir")
        .filter_map(Result::ok)
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    out.sort();
    out
}

#[test]
fn corpus_seeds_load_without_panic() {
    let seeds = seeds();
    assert!(seeds.len() >= 2, "corpus is missing");
    for s in &seeds {
        load_text(s);
        // Every prefix: truncated files are a classic source of panics.
        for cut in (0..s.len()).step_by(7).filter(|c| s.is_char_boundary(*c)) {
            load_text(&s[..cut]);
        }
    }
}

#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, String),
    Delete(usize, usize),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let token = prop_oneof![
        Just("${".to_owned()),
        Just("}".to_owned()),
        Just("\"".to_owned()),
        Just("[".to_owned()),
        Just("%{".to_owned()),
        Just("<<EOT\n".to_owned()),
        Just("...".to_owned()),
        Just("[*]".to_owned()),
        Just("\\".to_owned()),
        Just("~".to_owned()),
        Just("null".to_owned()),
        Just("var.".to_owned()),
        "[a-z_.=(){}\\[\\]\"$%~ \n0-9-]{1,8}",
    ];
    prop::collection::vec(
        prop_oneof![
            (any::<usize>(), token).prop_map(|(at, t)| Edit::Insert(at, t)),
            (any::<usize>(), 1usize..12).prop_map(|(at, n)| Edit::Delete(at, n)),
        ],
        1..6,
    )
}

fn apply(seed: &str, edits: &[Edit]) -> String {
    let mut s = seed.to_owned();
    for e in edits {
        let len = s.len().max(1);
        match e {
            Edit::Insert(at, t) => {
                let mut i = at % len;
                while !s.is_char_boundary(i) {
                    i -= 1;
                }
                s.insert_str(i, t);
            }
            Edit::Delete(at, n) => {
                let mut i = at % len;
                while !s.is_char_boundary(i) {
                    i -= 1;
                }
                let mut j = (i + n).min(s.len());
                while !s.is_char_boundary(j) {
                    j += 1;
                }
                s.replace_range(i..j, "");
            }
        }
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn mutated_seeds_never_panic(which in 0usize..16, e in edits()) {
        let seeds = seeds();
        let seed = &seeds[which % seeds.len()];
        load_text(&apply(seed, &e));
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        load_text(&text);
    }
}

/// Legacy JSON templates (`tests/fuzz-corpus/legacy/`) take another path:
/// the legacy reader, variable rendering and the translation to HCL.
fn load_legacy(text: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("fuzz.json");
    std::fs::write(&path, text).expect("write");
    let opts = LoadOptions {
        vars: config::VarInputs {
            args: vec![config::VarArg::Var {
                name: "suffix".into(),
                raw: "{{ user `suffix` }}".into(),
            }],
            ..config::VarInputs::default()
        },
        ..LoadOptions::default()
    };
    let (cfg, diags) = config::load(&path, &opts);
    if let Some(cfg) = cfg {
        let _ = diags.render(cfg.sources());
        let (_, pdiags) = plan::plan(&cfg, &Selection::default(), &AnyComponent);
        let _ = pdiags.render(cfg.sources());
    }
    let sources = kiln_template::SourceMap::new();
    if let Ok(r) = kiln_template::legacy_json::read(&sources, "fuzz.json", text) {
        let _ = kiln_template::legacy_json::inspect::render(&r.template);
        let hcl = kiln_template::legacy_json::upgrade::upgrade(&r.template, true);
        load_text(&hcl);
    }
}

fn legacy_seeds() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus/legacy");
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .expect("legacy corpus dir")
        .filter_map(Result::ok)
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    out.sort();
    out
}

fn json_edits() -> impl Strategy<Value = Vec<Edit>> {
    let token = prop_oneof![
        Just("{{".to_owned()),
        Just("}}".to_owned()),
        Just("\"".to_owned()),
        Just("[".to_owned()),
        Just("{".to_owned()),
        Just(",".to_owned()),
        Just("null".to_owned()),
        Just("{{ user `x` }}".to_owned()),
        Just("\"only\": [\"x\"],".to_owned()),
        Just("\"override\": {},".to_owned()),
        Just("\\u0000".to_owned()),
        "[a-z_{}\\[\\]\"`|(). ,:0-9-]{1,8}",
    ];
    prop::collection::vec(
        prop_oneof![
            (any::<usize>(), token).prop_map(|(at, t)| Edit::Insert(at, t)),
            (any::<usize>(), 1usize..12).prop_map(|(at, n)| Edit::Delete(at, n)),
        ],
        1..6,
    )
}

#[test]
fn legacy_seeds_load_without_panic() {
    let seeds = legacy_seeds();
    assert!(seeds.len() >= 2, "legacy corpus is missing");
    for s in &seeds {
        load_legacy(s);
        for cut in (0..s.len()).step_by(11).filter(|c| s.is_char_boundary(*c)) {
            load_legacy(&s[..cut]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn mutated_legacy_templates_never_panic(which in 0usize..8, e in json_edits()) {
        let seeds = legacy_seeds();
        let seed = &seeds[which % seeds.len()];
        load_legacy(&apply(seed, &e));
    }
}
