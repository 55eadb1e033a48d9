use super::*;
use kiln_core::ui::RecordingUi;
use kiln_core::{BuildInfo, Cancel, Generated, NoneComm};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn info() -> BuildInfo {
    BuildInfo {
        name: "null.x".into(),
        source_name: "x".into(),
        builder_type: "null".into(),
        run_uuid: "run-1".into(),
        ..BuildInfo::default()
    }
}

fn provision(
    config: ShellLocalConfig,
    generated: &Generated,
    cancel: &Cancel,
) -> (RecordingUi, Result<(), BuildError>) {
    let ui = RecordingUi::default();
    let info = info();
    let ctx = ProvisionCtx {
        info: &info,
        ui: &ui,
        cancel,
        generated,
    };
    let r = ShellLocal::from(config).provision(&ctx, &NoneComm);
    (ui, r)
}

fn inline(lines: &[&str]) -> ShellLocalConfig {
    ShellLocalConfig {
        inline: Some(lines.iter().map(|l| (*l).to_owned()).collect()),
        ..ShellLocalConfig::default()
    }
}

/// The scripts the run announced, from its `Running local shell script`
/// lines.
fn announced(ui: &RecordingUi) -> Vec<PathBuf> {
    ui.of("say")
        .iter()
        .filter_map(|l| l.strip_prefix("Running local shell script: "))
        .map(PathBuf::from)
        .collect()
}

#[test]
fn inline_runs_in_a_temporary_script_that_is_removed() {
    let (ui, r) = provision(
        inline(&["echo hello", "echo oops >&2", "echo \"$0\""]),
        &Generated::new(),
        &Cancel::new(),
    );
    assert!(r.is_ok(), "{r:?}");
    let scripts = announced(&ui);
    assert_eq!(scripts.len(), 1);
    let script = &scripts[0];
    let name = script
        .file_name()
        .expect("test fixture")
        .to_str()
        .expect("test fixture");
    assert!(name.starts_with("packer-shell"), "{name}");
    assert_eq!(script.parent(), Some(std::env::temp_dir().as_path()));
    assert_eq!(ui.of("message"), ["hello", &script.display().to_string()]);
    assert_eq!(ui.of("error"), ["oops"]);
    assert!(!script.exists(), "the inline script was left behind");
}

#[test]
fn shebang_and_rendered_lines_make_the_script() {
    // `cat` as the interpreter prints the script itself.
    let mut generated = Generated::new();
    generated.insert("ID".into(), "i-123".into());
    let config = ShellLocalConfig {
        inline_shebang: Some("/bin/cat".into()),
        tempfile_extension: Some(".sh".into()),
        ..inline(&["echo {{build_name}} {{build_type}} {{ .ID }} {{ .Nope }}"])
    };
    let (ui, r) = provision(config, &generated, &Cancel::new());
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(
        ui.of("message"),
        ["#!/bin/cat", "echo x null i-123 <no value>"]
    );
    assert_eq!(
        announced(&ui)[0].extension().and_then(|e| e.to_str()),
        Some("sh")
    );
}

#[test]
fn command_runs_like_a_one_line_inline() {
    let config = ShellLocalConfig {
        command: Some("echo from-command".into()),
        ..ShellLocalConfig::default()
    };
    let (ui, r) = provision(config, &Generated::new(), &Cancel::new());
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(ui.of("message"), ["from-command"]);
}

#[test]
fn scripts_run_in_order_by_absolute_path_but_are_announced_as_given() {
    let dir = tempfile::tempdir().expect("test fixture");
    for (name, body) in [("a.sh", "echo A \"$0\"\n"), ("b.sh", "echo B\n")] {
        let p = dir.path().join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}")).expect("test fixture");
        std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("test fixture");
    }
    let a = dir.path().join("a.sh");
    // A relative path, as users write them: relative to kiln's working
    // directory.
    let cwd = std::env::current_dir().expect("test fixture");
    let rel_a = pathdiff(&a, &cwd);
    let config = ShellLocalConfig {
        scripts: Some(vec![
            rel_a.clone(),
            dir.path().join("b.sh").display().to_string(),
        ]),
        ..ShellLocalConfig::default()
    };
    let (ui, r) = provision(config, &Generated::new(), &Cancel::new());
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(announced(&ui)[0], PathBuf::from(&rel_a));
    assert_eq!(
        ui.of("message"),
        [format!("A {}", a.display()), "B".to_owned()]
    );
    assert!(a.exists(), "user scripts are never removed");
}

/// `target` relative to `base`, through `..` as needed.
fn pathdiff(target: &std::path::Path, base: &std::path::Path) -> String {
    let t: Vec<_> = target.components().collect();
    let b: Vec<_> = base.components().collect();
    let common = t.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c);
    }
    out.display().to_string()
}

fn env_config() -> ShellLocalConfig {
    ShellLocalConfig {
        environment_vars: Some(vec!["FOO=it's".into(), "BAR=b=c".into(), "ZED=env".into()]),
        env: Some([("ZED".to_owned(), "map'd".to_owned())].into()),
        ..inline(&["env | grep -E '^(FOO|BAR|ZED|PACKER_)' | sort"])
    }
}

fn http_generated() -> Generated {
    let mut generated = Generated::new();
    generated.insert("PackerHTTPAddr".into(), "10.0.2.2:8000".into());
    generated.insert(
        "PackerHTTPIP".into(),
        "ERR_HTTP_IP_NOT_IMPLEMENTED_BY_BUILDER".into(),
    );
    generated
}

#[test]
fn vars_are_packers_sorted_quoted_pairs() {
    // No shell in between: the argument is `{{.Vars}}` exactly.
    let config = ShellLocalConfig {
        execute_command: Some(vec!["/bin/echo".into(), "{{.Vars}}".into()]),
        ..env_config()
    };
    let (ui, r) = provision(config, &http_generated(), &Cancel::new());
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(
        ui.of("message"),
        [
            r#"BAR='b=c' FOO='it'"'"'s' PACKER_BUILDER_TYPE='null' PACKER_BUILD_NAME='x' PACKER_HTTP_ADDR='10.0.2.2:8000' ZED='map'"'"'d' "#
        ]
    );
}

#[test]
fn the_script_sees_the_vars_and_the_run_uuid() {
    let (ui, r) = provision(env_config(), &http_generated(), &Cancel::new());
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(
        ui.of("message"),
        [
            "BAR=b=c",
            "FOO=it's",
            "PACKER_BUILDER_TYPE=null",
            "PACKER_BUILD_NAME=x",
            "PACKER_HTTP_ADDR=10.0.2.2:8000",
            "PACKER_RUN_UUID=run-1",
            "ZED=map'd",
        ]
    );
}

#[test]
fn script_and_command_placeholders_are_the_absolute_script() {
    let config = ShellLocalConfig {
        execute_command: Some(vec![
            "/bin/sh".into(),
            "-c".into(),
            "echo {{.Script}} {{.Command}} {{build_name}}".into(),
        ]),
        ..inline(&["true"])
    };
    let (ui, r) = provision(config, &Generated::new(), &Cancel::new());
    assert!(r.is_ok(), "{r:?}");
    let script = announced(&ui)[0].display().to_string();
    assert_eq!(ui.of("message"), [format!("{script} {script} x")]);
}

#[test]
fn custom_env_var_format() {
    let config = ShellLocalConfig {
        env_var_format: Some("export %s=\"%s\"; ".into()),
        environment_vars: Some(vec!["A=1".into()]),
        ..inline(&["echo $A $PACKER_BUILD_NAME"])
    };
    let (ui, r) = provision(config, &Generated::new(), &Cancel::new());
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(ui.of("message"), ["1 x"]);
}

#[test]
fn exit_codes_are_checked_against_valid_exit_codes() {
    let (_, r) = provision(inline(&["exit 2"]), &Generated::new(), &Cancel::new());
    assert_eq!(
        r.map_err(|e| e.to_string()),
        Err("Script exited with non-zero exit status: 2.Allowed exit codes are: [0]".into())
    );
    let allowed = ShellLocalConfig {
        valid_exit_codes: Some(vec![0, 2]),
        ..inline(&["exit 2"])
    };
    assert!(provision(allowed, &Generated::new(), &Cancel::new())
        .1
        .is_ok());
}

#[test]
fn a_failing_script_stops_the_run_and_its_temp_file_goes() {
    let (ui, r) = provision(
        inline(&["echo before", "false", "echo after"]),
        &Generated::new(),
        &Cancel::new(),
    );
    assert!(r.is_err());
    assert_eq!(ui.of("message"), ["before"], "`-e` in the shebang stops it");
    assert!(!announced(&ui)[0].exists());
}

#[test]
fn a_command_that_cannot_start_names_the_script() {
    let config = ShellLocalConfig {
        execute_command: Some(vec!["/nonexistent/kiln-shell".into(), "{{.Script}}".into()]),
        ..inline(&["true"])
    };
    let (ui, r) = provision(config, &Generated::new(), &Cancel::new());
    let script = announced(&ui)[0].display().to_string();
    assert_eq!(
        r.map_err(|e| e.to_string()),
        Err(format!(
            "Error executing script: {script}\n\nPlease see output above for more information."
        ))
    );
    assert_eq!(ui.of("error").len(), 1, "the cause is printed");
    assert!(!announced(&ui)[0].exists());
}

#[test]
fn cancel_stops_the_script_and_removes_the_temp_file() {
    let cancel = Cancel::new();
    let c2 = cancel.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        c2.cancel();
    });
    let start = Instant::now();
    let (ui, r) = provision(
        inline(&["echo started", "sleep 30"]),
        &Generated::new(),
        &cancel,
    );
    assert!(matches!(r, Err(BuildError::Cancelled)), "{r:?}");
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(ui.of("message"), ["started"]);
    assert!(!announced(&ui)[0].exists());
}

#[test]
fn a_timeout_is_reported_as_one() {
    let cancel = Cancel::new().with_timeout(Duration::from_millis(200));
    let (_, r) = provision(inline(&["sleep 30"]), &Generated::new(), &cancel);
    assert!(matches!(r, Err(BuildError::TimedOut(_))), "{r:?}");
}

#[test]
fn only_on_skips_other_systems() {
    let config = ShellLocalConfig {
        only_on: Some(vec!["windows".into()]),
        ..inline(&["echo nope"])
    };
    let (ui, r) = provision(config, &Generated::new(), &Cancel::new());
    assert!(r.is_ok());
    assert_eq!(ui.of("say"), ["Skipping shell-local due to runtime OS"]);
    assert!(ui.of("message").is_empty());
    let here = ShellLocalConfig {
        only_on: Some(vec!["darwin".into(), "linux".into()]),
        ..inline(&["echo yes"])
    };
    assert_eq!(
        provision(here, &Generated::new(), &Cancel::new())
            .0
            .of("message"),
        ["yes"]
    );
}

fn post_process(config: ShellLocalConfig) -> (RecordingUi, Result<PostProcessed, BuildError>) {
    let ui = RecordingUi::default();
    let info = info();
    let generated = Generated::new();
    let cancel = Cancel::new();
    let ctx = PostProcessCtx {
        info: &info,
        ui: &ui,
        cancel: &cancel,
        generated: &generated,
        attestor: None,
    };
    let input = Artifact::new("fnoeding.null", "Null", "Did not export anything.");
    let r = ShellLocal::from(config).post_process(&ctx, &input);
    (ui, r)
}

#[test]
fn post_processor_passes_the_artifact_through_and_keeps_it() {
    let (ui, r) = post_process(inline(&["echo pp $PACKER_BUILDER_TYPE"]));
    let out = r.expect("test fixture");
    assert_eq!(out.artifact.map(|a| a.id), Some("Null".to_owned()));
    assert!(out.keep_input && out.force_keep);
    assert_eq!(ui.of("message"), ["pp null"]);
    assert_eq!(announced(&ui).len(), 1);
}

#[test]
fn post_processor_runs_a_one_element_execute_command_through_sh() {
    let config = ShellLocalConfig {
        execute_command: Some(vec!["echo PP {{.Vars}}".into()]),
        ..inline(&["true"])
    };
    let (ui, r) = post_process(config);
    assert!(r.is_ok());
    assert_eq!(
        ui.of("message"),
        ["PP PACKER_BUILDER_TYPE=null PACKER_BUILD_NAME=x"]
    );
}

#[test]
fn post_processor_failure_is_an_error() {
    let (_, r) = post_process(inline(&["exit 4"]));
    assert_eq!(
        r.err().map(|e| e.to_string()),
        Some("Script exited with non-zero exit status: 4.Allowed exit codes are: [0]".into())
    );
}
