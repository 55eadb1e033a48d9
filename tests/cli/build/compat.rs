//! tests/build-corpus: templates built by Packer 1.6.6 (recorded by
//! `tests/build-corpus/record.sh`) and by kiln must agree on exit code,
//! the order of each build's provisioner and post-processor output, which
//! builds failed, the artifacts listed, the files left behind and the
//! contents of manifests and checksum files (modulo times and UUIDs).

use crate::{kiln_env, repo_root};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What a run is compared on.
#[derive(Debug, PartialEq)]
struct Projection {
    code: i32,
    messages: BTreeMap<String, Vec<String>>,
    failed: BTreeSet<String>,
    artifacts: Vec<String>,
}

fn project(stdout: &str, code: i32) -> Projection {
    let mut messages: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut failed = BTreeSet::new();
    let mut artifacts = Vec::new();
    let mut section = "";
    for line in stdout.lines() {
        if line.starts_with("==> Some builds didn't complete") {
            section = "errors";
            continue;
        }
        if line.starts_with("==> Builds finished") {
            section = "artifacts";
            continue;
        }
        if let Some(rest) = line.strip_prefix("--> ") {
            let (name, text) = rest.split_once(": ").unwrap_or((rest, ""));
            match section {
                "errors" => {
                    failed.insert(name.to_owned());
                }
                "artifacts" => artifacts.push(format!("{name}: {}", normalize(text))),
                _ => {}
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("    ") {
            if let Some((name, text)) = rest
                .split_once(": ")
                .or_else(|| rest.strip_suffix(':').map(|n| (n, "")))
            {
                if !name.is_empty() && !name.starts_with(' ') {
                    messages
                        .entry(name.to_owned())
                        .or_default()
                        .push(normalize(text));
                }
            }
        }
    }
    artifacts.sort();
    Projection {
        code,
        messages,
        failed,
        artifacts,
    }
}

/// Paths of temporary files differ between runs and tools: any word
/// starting with `/tmp/` becomes `TMP`.
fn normalize(text: &str) -> String {
    let mut out = String::new();
    for word in text.split(' ') {
        if !out.is_empty() {
            out.push(' ');
        }
        if word.starts_with("/tmp/") {
            out.push_str("TMP");
        } else {
            out.push_str(word);
        }
    }
    out
}

/// Compressed archives differ byte-wise between compressor
/// implementations (kiln's parallel gzip is not Go's pgzip), so their
/// sizes and digests are not compared; their names and contents are.
fn is_archive(name: &str) -> bool {
    [".gz", ".tgz", ".zip", ".zst", ".xz", ".lz4", ".bgzf"]
        .iter()
        .any(|e| name.ends_with(e))
}

/// Checksum lines, with the digests of archives blanked.
fn normalize_checksums(text: &str) -> String {
    text.lines()
        .map(|l| match l.split_once('\t') {
            Some((_, file)) if is_archive(file) => format!("ARCHIVE\t{file}\n"),
            _ => format!("{l}\n"),
        })
        .collect()
}

/// What kiln writes beside every artifact on purpose, where Packer writes
/// nothing: the provenance (and, when asked for, SBOMs and signatures;
/// an AMI's record). The supply-chain tests check these; here they are
/// set aside so the rest must still match Packer.
fn is_attestation(rel: &str) -> bool {
    [
        ".intoto.jsonl",
        ".sig",
        ".spdx.json",
        ".cdx.json",
        ".ami.json",
    ]
    .iter()
    .any(|s| rel.ends_with(s))
}

/// A manifest without what differs per run: times, UUIDs, kiln's sha256,
/// archive sizes, kiln's `attestations` (see `is_attestation`).
fn normalize_json(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.remove("sha256");
            map.remove("attestations");
            if map
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(is_archive)
            {
                map.remove("size");
            }
            for (k, val) in map.iter_mut() {
                match k.as_str() {
                    "build_time" => *val = Value::from(0),
                    "packer_run_uuid" | "last_run_uuid" => *val = Value::from("UUID"),
                    _ => normalize_json(val),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize_json),
        _ => {}
    }
}

fn copy_inputs(from: &Path, to: &Path) {
    for entry in walk(from) {
        let rel = entry.strip_prefix(from).expect("relative");
        if rel.starts_with("packer") {
            continue;
        }
        let dst = to.join(rel);
        std::fs::create_dir_all(dst.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&entry, &dst).expect("copy");
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn check_case(case: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let name = case
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let rec = case.join("packer");
    let read = |f: &str| std::fs::read_to_string(rec.join(f)).unwrap_or_default();
    let work = tempfile::tempdir().expect("tmp");
    let tmp = tempfile::tempdir().expect("tmp");
    copy_inputs(case, work.path());
    let before: BTreeSet<PathBuf> = walk(work.path()).into_iter().collect();
    let mut args = vec!["build".to_owned(), "-color=false".to_owned()];
    args.extend(read_lines(&case.join("args")));
    // A legacy JSON case has template.json instead of template.pkr.hcl.
    args.push(if case.join("template.json").exists() {
        "template.json".to_owned()
    } else {
        "template.pkr.hcl".to_owned()
    });
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = kiln_env(
        work.path(),
        &args,
        "",
        &[("TMPDIR".to_owned(), tmp.path().display().to_string())],
    );
    let code: i32 = read("code").trim().parse().unwrap_or(-99);
    let want = project(&read("stdout"), code);
    let got = project(&r.stdout, r.code);
    if want != got {
        problems.push(format!(
            "{name}: output differs\n packer: {want:?}\n kiln:   {got:?}\n--- kiln stdout ---\n{}{}",
            r.stdout, r.stderr
        ));
    }
    // Files left behind, and the text ones' contents.
    let mut produced = BTreeSet::new();
    for p in walk(work.path()) {
        if before.contains(&p) {
            continue;
        }
        let rel = p
            .strip_prefix(work.path())
            .expect("rel")
            .display()
            .to_string();
        if is_attestation(&rel) {
            continue;
        }
        produced.insert(rel.clone());
        let recorded = rec.join("out").join(&rel);
        if !recorded.exists() {
            continue;
        }
        let ours = std::fs::read_to_string(&p).unwrap_or_default();
        let theirs = std::fs::read_to_string(&recorded).unwrap_or_default();
        if rel.ends_with(".json") {
            let (Ok(mut a), Ok(mut b)) = (
                serde_json::from_str::<Value>(&ours),
                serde_json::from_str::<Value>(&theirs),
            ) else {
                problems.push(format!("{name}: {rel} is not valid JSON:\n{ours}"));
                continue;
            };
            normalize_json(&mut a);
            normalize_json(&mut b);
            if a != b {
                problems.push(format!("{name}: {rel} differs\n packer: {b}\n kiln:   {a}"));
            }
        } else if normalize_checksums(&ours) != normalize_checksums(&theirs) {
            problems.push(format!(
                "{name}: {rel} differs\n packer: {theirs:?}\n kiln:   {ours:?}"
            ));
        }
    }
    let recorded_files: BTreeSet<String> = read("files")
        .lines()
        .filter_map(|l| l.rsplit_once(' ').map(|(f, _)| f.to_owned()))
        .collect();
    if produced != recorded_files {
        problems.push(format!(
            "{name}: files left differ\n packer: {recorded_files:?}\n kiln:   {produced:?}"
        ));
    }
    let tmp_left: Vec<PathBuf> = walk(tmp.path());
    if !tmp_left.is_empty() {
        problems.push(format!("{name}: temporary files left: {tmp_left:?}"));
    }
    problems
}

fn read_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn build_corpus_matches_packer() {
    let root = repo_root().join("tests/build-corpus");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("build corpus")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 8, "the build corpus lost its cases");
    let problems: Vec<String> = cases.iter().flat_map(|c| check_case(c)).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
