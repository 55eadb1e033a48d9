//! The template corpus in `tests/corpus/`: every case must get the same
//! verdict as Packer gave when it was recorded, the same `inspect` and
//! `console` values where recorded, and its first error on the line Packer
//! named. Cases Packer 1.6.6 cannot run (`"peer": "unsupported-in-1.6.6"`)
//! are checked for their documented verdict only, and so are the cases in
//! `known-differences.txt`, each listed with the reason kiln differs.

use super::repo_root;
use serde_json::Value as J;
use std::path::{Path, PathBuf};

fn cases() -> Vec<PathBuf> {
    let root = repo_root().join("tests/corpus");
    let mut out = Vec::new();
    for group in ["valid", "invalid"] {
        let Ok(entries) = std::fs::read_dir(root.join(group)) else {
            continue;
        };
        for e in entries.flatten() {
            if e.path().join("expected.json").is_file() {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

/// Locations Packer names: `on FILE line N` headers, and `FILE:N,C-C`
/// references inside details (where it names a block in the header and
/// the exact attribute in the detail).
fn packer_locations(text: &str) -> Vec<(String, usize)> {
    let inline = regex_lite(text);
    let headers = text.lines().filter_map(|l| {
        let rest = l.trim().strip_prefix("on ")?;
        let (file, line) = rest.rsplit_once(" line ")?;
        let line = line.trim_end_matches(|c: char| !c.is_ascii_digit());
        let n: usize = line
            .split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()?;
        Some((file.to_owned(), n))
    });
    headers.chain(inline).collect()
}

/// `NAME.pkr.hcl:LINE,COL` references in running text.
fn regex_lite(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for word in text.split_whitespace() {
        let Some((file, rest)) = word.split_once(".pkr.hcl:") else {
            continue;
        };
        let line: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(n) = line.parse() {
            out.push((format!("{file}.pkr.hcl"), n));
        }
    }
    out
}

fn env_pairs(dir: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(dir.join("env"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
        .collect()
}

/// Cases where kiln knowingly differs from the recorded Packer 1.6.6
/// output, from `known-differences.txt` (`CASE  reason` lines).
fn known_differences() -> Vec<String> {
    std::fs::read_to_string(repo_root().join("tests/corpus/known-differences.txt"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

fn check_case(dir: &Path, known: &[String], problems: &mut Vec<String>) {
    let name = dir
        .strip_prefix(repo_root())
        .unwrap_or(dir)
        .display()
        .to_string();
    let text = std::fs::read_to_string(dir.join("expected.json")).unwrap_or_default();
    let Ok(exp) = serde_json::from_str::<J>(&text) else {
        problems.push(format!("{name}: unreadable expected.json"));
        return;
    };
    let args: Vec<String> = exp["args"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let env = env_pairs(dir);
    let run = |cmd: &str, stdin: &str| {
        let mut all: Vec<&str> = vec![cmd];
        all.extend(args.iter().map(String::as_str));
        // A legacy JSON template is given by name; HCL cases are folders.
        all.push(if dir.join("template.json").exists() {
            "template.json"
        } else {
            "."
        });
        super::kiln_env(dir, &all, stdin, &env)
    };
    let want_valid = match exp["verdict"].as_str() {
        Some(v) => v == "valid",
        None => exp["validate_exit"].as_i64() == Some(0),
    };
    let v = run("validate", "");
    if (v.code == 0) != want_valid {
        problems.push(format!(
            "{name}: verdict differs (want {}, kiln exit {}):\n{}",
            if want_valid { "valid" } else { "invalid" },
            v.code,
            v.stderr
        ));
        return;
    }
    let case = dir
        .strip_prefix(repo_root().join("tests/corpus"))
        .unwrap_or(dir)
        .display()
        .to_string();
    let is_known = known.contains(&case);
    if exp["peer"].as_str() == Some("unsupported-in-1.6.6") {
        return;
    }
    if !want_valid {
        let packer_out = format!(
            "{}{}",
            exp["validate_stdout"].as_str().unwrap_or(""),
            exp["validate_stderr"].as_str().unwrap_or("")
        );
        // The first located error in a real file must be where Packer put
        // it; later ones may differ (HCL's parser recovers and goes on,
        // hcl-edit's stops at the first syntax error).
        let located: Vec<(String, usize)> = packer_locations(&packer_out)
            .into_iter()
            .filter(|(f, _)| !f.is_empty() && !f.contains('<'))
            .map(|(f, l)| {
                let base = Path::new(&f)
                    .file_name()
                    .map(|b| b.to_string_lossy().into_owned());
                (base.unwrap_or(f), l)
            })
            .collect();
        let hit = located
            .iter()
            .any(|(f, l)| v.stderr.contains(&format!("{f}:{l}:")));
        if !located.is_empty() && !hit && !is_known {
            problems.push(format!(
                "{name}: Packer reports errors at {located:?}; kiln at none of them:\n{}",
                v.stderr
            ));
        }
        return;
    }
    let mut differences = Vec::new();
    compare_output(&name, &exp, &run, &mut differences);
    match (is_known, differences.is_empty()) {
        (false, _) => problems.extend(differences),
        (true, true) => problems.push(format!(
            "{name}: listed in known-differences.txt but matches Packer: remove it"
        )),
        (true, false) => {}
    }
}

fn compare_output(
    name: &str,
    exp: &J,
    run: &dyn Fn(&str, &str) -> super::Run,
    problems: &mut Vec<String>,
) {
    if let Some(inspect) = exp["inspect"].as_str().filter(|s| !s.is_empty()) {
        let r = run("inspect", "");
        if r.stdout != inspect {
            problems.push(format!(
                "{name}: inspect differs\n--- packer\n{inspect}\n--- kiln\n{}{}",
                r.stdout, r.stderr
            ));
        }
    }
    if let Some(items) = exp["console"].as_array() {
        for item in items {
            let (Some(expr), Some(want)) = (item["expr"].as_str(), item["output"].as_str()) else {
                continue;
            };
            if want.starts_with("Error:") {
                let r = run("console", &format!("{expr}\n"));
                if r.code == 0 && r.stderr.is_empty() {
                    problems.push(format!(
                        "{name}: console `{expr}` should fail, kiln printed {:?}",
                        r.stdout
                    ));
                }
                continue;
            }
            let r = run("console", &format!("{expr}\n"));
            // Packer prints warnings to stdout ahead of the value.
            let want = if want.starts_with("Warning:") {
                want.rsplit("\n\n")
                    .find(|p| !p.trim().is_empty())
                    .unwrap_or(want)
            } else {
                want
            };
            if r.stdout.trim_end_matches('\n') != want.trim_end_matches('\n') {
                problems.push(format!(
                    "{name}: console `{expr}`: packer {want:?}, kiln {:?} {}",
                    r.stdout, r.stderr
                ));
            }
        }
    }
}

#[test]
fn corpus_matches_packer() {
    let cases = cases();
    assert!(cases.len() >= 40, "corpus missing: {} cases", cases.len());
    let known = known_differences();
    let mut problems = Vec::new();
    for c in &cases {
        check_case(c, &known, &mut problems);
    }
    assert!(
        problems.is_empty(),
        "{} of {} corpus cases differ from Packer:\n\n{}",
        problems.len(),
        cases.len(),
        problems.join("\n\n")
    );
}
