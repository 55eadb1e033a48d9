use super::*;
use crate::config::{load, LoadOptions, VarInputs};

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

/// `file:line:col` of each error of loading `text` as `t.json`.
fn error_locations(text: &str, args: Vec<VarArg>) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "t.json", text);
    let opts = LoadOptions {
        vars: VarInputs {
            args,
            ..VarInputs::default()
        },
        ..LoadOptions::default()
    };
    let (cfg, diags) = load(&path, &opts);
    let sources = cfg.map(|c| c.sources().clone()).unwrap_or_default();
    diags
        .errors()
        .map(|d| {
            let loc = d.location(&sources).unwrap_or_default();
            let file = Path::new(&loc)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            format!("{file} {}", d.render(&sources))
        })
        .collect()
}

#[test]
fn structural_errors_point_at_the_json() {
    let text = "{\n  \"builders\": [\n    {\"name\": \"x\"}\n  ],\n  \"bogus\": 1\n}\n";
    let errors = error_locations(text, Vec::new());
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors.iter().any(|e| e.starts_with("t.json:5:3 ")
            && e.contains("Unknown root level key in template: 'bogus'")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("t.json:3:5 ") && e.contains("builder 1: missing 'type'")),
        "{errors:?}"
    );
}

#[test]
fn only_and_override_must_name_builders() {
    let text = r#"{"builders": [{"type": "null"}],
 "provisioners": [{"type": "shell-local", "only": ["nope"], "override": {"gone": {}}}],
 "post-processors": [[{"type": "checksum", "except": ["nope"]}]]}"#;
    let errors = error_locations(text, Vec::new()).join("\n");
    assert!(
        errors.contains("provisioner 1: 'only' specified builder 'nope' not found"),
        "{errors}"
    );
    assert!(
        errors.contains("provisioner 1: override 'gone' doesn't exist"),
        "{errors}"
    );
    assert!(
        errors.contains("post-processor 1.1: 'except' specified builder 'nope' not found"),
        "{errors}"
    );
}

#[test]
fn json_syntax_errors_are_located() {
    let errors = error_locations("{\n  \"builders\": [,]\n}\n", Vec::new());
    assert!(errors[0].starts_with("t.json:2:"), "{errors:?}");
}

#[test]
fn render_errors_point_at_the_value() {
    let text = "{\n  \"builders\": [{\"type\": \"null\",\n    \"x\": \"{{ nosuchfunc }}\"}]\n}\n";
    let errors = error_locations(text, Vec::new());
    assert!(errors[0].starts_with("t.json:3:10 "), "{errors:?}");
    assert!(errors[0].contains("nosuchfunc"), "{errors:?}");
}

#[test]
fn a_newer_min_packer_version_is_refused() {
    let errors = error_locations(
        r#"{"min_packer_version": "99.0.0", "builders": [{"type": "null"}]}"#,
        Vec::new(),
    );
    assert!(
        errors[0].contains("requires Packer version 99.0.0 or higher"),
        "{errors:?}"
    );
}

#[test]
fn builds_are_named_after_builders_and_values_rendered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "t.json",
        r#"{"variables": {"v": "a", "s": "hunter2"}, "sensitive-variables": ["s"],
            "builders": [{"type": "null", "name": "first.one", "communicator": "{{ user `v` }}"}]}"#,
    );
    let args = vec![VarArg::Var {
        name: "v".into(),
        raw: "none".into(),
    }];
    let opts = LoadOptions {
        vars: VarInputs {
            args,
            ..VarInputs::default()
        },
        ..LoadOptions::default()
    };
    let (cfg, diags) = load(&path, &opts);
    assert!(!diags.has_errors(), "{diags:?}");
    let cfg = cfg.expect("config");
    assert!(cfg.legacy.is_some());
    assert!(cfg.ctx.weak_decoding);
    assert_eq!(cfg.decls.builds[0].sources[0].name, "first.one");
    assert_eq!(cfg.sensitive_values(), vec!["hunter2".to_owned()]);
    let src = cfg
        .sources()
        .get(cfg.decls.sources[0].body.file)
        .expect("file");
    assert!(src.text.contains("communicator = \"none\""), "{}", src.text);
}

#[test]
fn only_json_files_without_hcl_blocks_are_legacy() {
    let p = Path::new("t.json");
    assert!(is_legacy_file(p, r#"{"builders": []}"#));
    assert!(is_legacy_file(p, r#"{"variables": {}}"#));
    assert!(!is_legacy_file(p, r#"{"source": {}}"#));
    assert!(!is_legacy_file(
        Path::new("t.pkr.json"),
        r#"{"builders": []}"#
    ));
    assert!(!is_legacy_file(Path::new("t.pkr.hcl"), ""));
}

#[test]
fn upgrade_writes_variables_locals_sources_and_refs() {
    let sources = SourceMap::new();
    let r = read(
        &sources,
        "t.json",
        r#"{"variables": {"a": "x", "b": "{{ user `a` }}-y", "r": null},
            "builders": [{"type": "null", "name": "n"}, {"type": "file"}],
            "provisioners": [{"type": "shell-local", "inline": "echo {{ timestamp }}", "only": ["n"]}],
            "post-processors": ["checksum", [{"type": "manifest"}, {"type": "compress"}]]}"#,
    )
    .expect("reads");
    let hcl = upgrade::upgrade(&r.template, false);
    for want in [
        "variable \"a\" {\n  type    = string\n  default = \"x\"\n}",
        "variable \"r\" {\n  type    = string\n}",
        "local \"b\" {\n  expression = \"${var.a}-y\"\n}",
        "locals { timestamp = regex_replace(timestamp(), \"[- TZ:]\", \"\") }",
        "source \"null\" \"n\" {",
        "source \"file\" \"autogenerated_2\" {",
        "sources = [\"source.null.n\", \"source.file.autogenerated_2\"]",
        "only = [\"null.n\"]",
        "inline = [\"echo ${local.timestamp}\"]",
        "  post-processor \"checksum\" {",
        "  post-processors {\n    post-processor \"manifest\" {",
    ] {
        assert!(hcl.contains(want), "{want:?} not in:\n{hcl}");
    }
    let parsed = crate::parse::parse_hcl(&SourceMap::new(), "u.pkr.hcl", &hcl);
    assert!(parsed.is_ok(), "{hcl}");
}

#[test]
fn syntax_only_checks_structure_without_variables() {
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = LoadOptions {
        syntax_only: true,
        ..LoadOptions::default()
    };
    let ok = write(
        dir.path(),
        "ok.json",
        r#"{"variables": {"r": null}, "builders": [{"type": "null"}]}"#,
    );
    let (_, diags) = load(&ok, &opts);
    assert!(!diags.has_errors(), "{diags:?}");
    let bad = write(dir.path(), "bad.json", r#"{"builders": [{"name": "x"}]}"#);
    let (_, diags) = load(&bad, &opts);
    assert!(diags.has_errors());
}
