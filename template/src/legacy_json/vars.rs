//! User variables of a legacy template, resolved as Packer 1.x's core does:
//! defaults, then `-var-file`s (JSON objects of strings), then `-var`s;
//! then every value is rendered as a template, with `env` allowed and
//! `user` reading the other variables, until nothing changes.

use super::model::LegacyTemplate;
use crate::config::VarArg;
use crate::legacy::{self, LegacyContext, LegacyFuncs};
use indexmap::IndexMap;
use std::collections::BTreeMap;
use std::ops::Range;

/// Why the variables could not be resolved; a range when the problem is
/// in the template itself.
#[derive(Debug, Clone, PartialEq)]
pub struct VarProblem {
    pub message: String,
    pub range: Option<Range<usize>>,
}

/// Renders of the whole set before giving up on variables that keep
/// referring to each other in a cycle.
const MAX_PASSES: usize = 100;

pub fn resolve(
    t: &LegacyTemplate,
    args: &[VarArg],
    funcs: &LegacyFuncs,
) -> Result<IndexMap<String, String>, Vec<VarProblem>> {
    let mut values: IndexMap<String, Option<String>> = t
        .variables
        .iter()
        .map(|v| (v.name.clone(), v.default.clone()))
        .collect();
    let mut problems = Vec::new();
    // Packer reads every -var-file before any -var.
    for arg in args {
        if let VarArg::File(path) = arg {
            match read_var_file(path) {
                Ok(pairs) => values.extend(pairs.into_iter().map(|(k, v)| (k, Some(v)))),
                Err(message) => problems.push(VarProblem {
                    message,
                    range: None,
                }),
            }
        }
    }
    for arg in args {
        if let VarArg::Var { name, raw } = arg {
            values.insert(name.clone(), Some(raw.clone()));
        }
    }
    for v in &t.variables {
        if matches!(values.get(&v.name), Some(None)) {
            problems.push(VarProblem {
                message: format!("required variable not set: {}", v.name),
                range: Some(v.range.clone()),
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut current: IndexMap<String, String> = values
        .into_iter()
        .map(|(k, v)| (k, v.unwrap_or_default()))
        .collect();
    for _ in 0..MAX_PASSES {
        let ctx = LegacyContext {
            funcs: LegacyFuncs {
                user_variables: Some(
                    current
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect::<BTreeMap<_, _>>(),
                ),
                enable_env: true,
                ..funcs.clone()
            },
            ..LegacyContext::default()
        };
        let mut next = IndexMap::new();
        for (k, v) in &current {
            match legacy::render_once(v, &ctx) {
                Ok(r) => {
                    next.insert(k.clone(), r);
                }
                Err(e) => problems.push(VarProblem {
                    message: format!("Failed to render variable {k:?}: {e}"),
                    range: t
                        .variables
                        .iter()
                        .find(|d| &d.name == k)
                        .map(|d| d.range.clone()),
                }),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        if next == current {
            return Ok(current);
        }
        current = next;
    }
    Err(vec![VarProblem {
        message: format!(
            "Failed to render variables: they still refer to each other after {MAX_PASSES} passes"
        ),
        range: None,
    }])
}

/// A legacy `-var-file`: one JSON object whose values are strings.
fn read_var_file(path: &std::path::Path) -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("Error reading variables in '{}': {e}", path.display()))?;
    let map: IndexMap<String, String> = serde_json::from_str(&text)
        .map_err(|e| format!("Error reading variables in '{}': {e}", path.display()))?;
    Ok(map.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::spanned;
    use crate::legacy_json::model::LegacyTemplate;

    fn template(json: &str) -> LegacyTemplate {
        let doc = spanned::parse(json).expect("json");
        let (t, problems) = LegacyTemplate::read(&doc);
        assert!(problems.is_empty(), "{problems:?}");
        t
    }

    #[test]
    fn variables_refer_to_each_other_and_the_command_line_wins() {
        let t = template(
            r#"{"variables": {"b": "{{ user `a` }}-b", "a": "x", "c": "{{ user `b` }}!"},
                "builders": [{"type": "null"}]}"#,
        );
        let args = [VarArg::Var {
            name: "a".into(),
            raw: "y".into(),
        }];
        let v = resolve(&t, &args, &LegacyFuncs::default()).expect("resolves");
        assert_eq!(v["b"], "y-b");
        assert_eq!(v["c"], "y-b!");
    }

    #[test]
    fn a_required_variable_must_be_set() {
        let t = template(r#"{"variables": {"r": null}, "builders": [{"type": "null"}]}"#);
        let e = resolve(&t, &[], &LegacyFuncs::default()).expect_err("unset");
        assert_eq!(e[0].message, "required variable not set: r");
        assert!(e[0].range.is_some());
    }

    #[test]
    fn env_is_allowed_in_variables() {
        let t = template(
            r#"{"variables": {"p": "{{ env `KILN_LEGACY_TEST_UNSET_VAR` }}x"}, "builders": [{"type": "null"}]}"#,
        );
        let v = resolve(&t, &[], &LegacyFuncs::default()).expect("resolves");
        assert_eq!(v["p"], "x");
    }

    #[test]
    fn var_files_hold_strings_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = dir.path().join("v.json");
        std::fs::write(&f, r#"{"a": 3}"#).expect("write");
        let t = template(r#"{"variables": {"a": "x"}, "builders": [{"type": "null"}]}"#);
        let e = resolve(&t, &[VarArg::File(f)], &LegacyFuncs::default()).expect_err("number");
        assert!(
            e[0].message.starts_with("Error reading variables in '"),
            "{e:?}"
        );
    }
}
