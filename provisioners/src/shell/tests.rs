//! The shell provisioner against a real sshd (the throwaway server of
//! `kiln_communicator_ssh::testing`).

use super::*;
use kiln_communicator_ssh::testing::TestSshd;
use kiln_communicator_ssh::SshComm;
use kiln_core::ui::RecordingUi;
use kiln_core::{BuildInfo, Cancel, Generated};

fn info() -> BuildInfo {
    BuildInfo {
        name: "null.x".into(),
        source_name: "x".into(),
        builder_type: "null".into(),
        run_uuid: "run-1".into(),
        ..BuildInfo::default()
    }
}

struct Machine {
    sshd: TestSshd,
    comm: SshComm,
}

fn machine() -> Machine {
    let sshd = TestSshd::start().expect("the test sshd must start (run scripts/setup.sh as root)");
    let comm = SshComm::connect(sshd.settings(), &Cancel::new()).expect("connect");
    Machine { sshd, comm }
}

fn provision(m: &Machine, config: ShellConfig) -> (RecordingUi, Result<(), BuildError>) {
    let ui = RecordingUi::default();
    let info = info();
    let generated = Generated::new();
    let cancel = Cancel::new();
    let ctx = ProvisionCtx {
        info: &info,
        ui: &ui,
        cancel: &cancel,
        generated: &generated,
    };
    let r = Shell::from(config).provision(&ctx, &m.comm);
    (ui, r)
}

fn inline(lines: &[&str]) -> ShellConfig {
    ShellConfig {
        inline: Some(lines.iter().map(|l| (*l).to_owned()).collect()),
        ..ShellConfig::default()
    }
}

#[test]
fn inline_runs_remotely_with_packers_variables_and_is_cleaned() {
    let m = machine();
    let folder = m.sshd.dir().join("remote");
    std::fs::create_dir(&folder).expect("test fixture");
    let config = ShellConfig {
        environment_vars: Some(vec!["FOO=it's".into(), "BAR=b c".into()]),
        remote_folder: Some(folder.display().to_string()),
        ..inline(&[
            "echo \"$FOO|$BAR|$PACKER_BUILD_NAME|$PACKER_BUILDER_TYPE\"",
            "echo oops >&2",
            "echo \"$0\"",
        ])
    };
    let (ui, r) = provision(&m, config);
    assert!(r.is_ok(), "{r:?}");
    let says = ui.of("say");
    assert_eq!(says.len(), 1);
    let local = says[0]
        .strip_prefix("Provisioning with shell script: ")
        .expect("announced");
    assert!(local.contains("packer-shell"), "{local}");
    assert!(
        !std::path::Path::new(local).exists(),
        "local temp script left"
    );
    let messages = ui.of("message");
    assert_eq!(messages[0], "it's|b c|x|null");
    let remote = &messages[1];
    assert!(
        remote.starts_with(&format!("{}/script_", folder.display())),
        "{remote}"
    );
    assert_eq!(ui.of("error"), ["oops"]);
    assert_eq!(
        std::fs::read_dir(&folder).expect("test fixture").count(),
        0,
        "the remote script was left behind"
    );
}

#[test]
fn scripts_with_crlf_run_through_execute_command_and_env_var_file() {
    let m = machine();
    let dir = tempfile::tempdir().expect("test fixture");
    let script = dir.path().join("s.sh");
    std::fs::write(&script, "echo \"A=$A\"\r\nprintf 'last'").expect("test fixture");
    let config = ShellConfig {
        script: Some(script.display().to_string()),
        env: Some([("A".to_owned(), "1".to_owned())].into_iter().collect()),
        use_env_var_file: Some(true),
        remote_path: Some(m.sshd.dir().join("run.sh").display().to_string()),
        execute_command: Some(
            "echo 'file={{.EnvVarFile}}'; cat {{.EnvVarFile}}; . {{.EnvVarFile}} && sh {{.Path}}"
                .into(),
        ),
        ..ShellConfig::default()
    };
    let (ui, r) = provision(&m, config);
    assert!(r.is_ok(), "{r:?}");
    let messages = ui.of("message");
    let file = messages[0].strip_prefix("file=").expect("file line");
    assert!(file.starts_with("/tmp/varfile_"), "{file}");
    assert_eq!(
        &messages[1..],
        [
            "export A='1'",
            "export PACKER_BUILDER_TYPE='null'",
            "export PACKER_BUILD_NAME='x'",
            "A=1",
            "last",
        ]
    );
    assert!(!std::path::Path::new(file).exists(), "variables file left");
    assert!(!m.sshd.dir().join("run.sh").exists());
}

#[test]
fn exit_codes_and_failed_scripts() {
    let m = machine();
    let (_, ok) = provision(
        &m,
        ShellConfig {
            valid_exit_codes: Some(vec![0, 3]),
            ..inline(&["exit 3"])
        },
    );
    assert!(ok.is_ok(), "{ok:?}");
    let path = m.sshd.dir().join("failing.sh");
    let (_, failed) = provision(
        &m,
        ShellConfig {
            remote_path: Some(path.display().to_string()),
            ..inline(&["exit 2"])
        },
    );
    assert_eq!(
        failed.map_err(|e| e.to_string()),
        Err("Script exited with non-zero exit status: 2.Allowed exit codes are: [0]".into())
    );
    assert!(!path.exists(), "a failed script is removed too");
    let (_, kept) = provision(
        &m,
        ShellConfig {
            remote_path: Some(path.display().to_string()),
            skip_clean: Some(true),
            ..inline(&["true"])
        },
    );
    assert!(kept.is_ok());
    assert!(path.exists(), "skip_clean keeps the script");
}

#[test]
fn a_dropped_connection_passes_only_when_expected() {
    let m = machine();
    // The shell's parent is the server's process for this connection.
    let kill = ["echo before", "kill -9 $PPID", "sleep 5"];
    let (_, r) = provision(&m, inline(&kill));
    assert_eq!(
        r.map_err(|e| e.to_string()),
        Err(ShellError::Disconnected.to_string())
    );
    let (ui, r) = provision(
        &m,
        ShellConfig {
            expect_disconnect: Some(true),
            pause_after: "10ms".parse().ok(),
            ..inline(&kill)
        },
    );
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(
        ui.of("say").last().map(String::as_str),
        Some("Pausing 10ms after this provisioner...")
    );
    // The next provisioner reconnects.
    let (ui, r) = provision(&m, inline(&["echo again"]));
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(ui.of("message"), ["again"]);
}

#[test]
fn cancel_stops_the_command() {
    let m = machine();
    let ui = RecordingUi::default();
    let info = info();
    let generated = Generated::new();
    let cancel = Cancel::new();
    let ctx = ProvisionCtx {
        info: &info,
        ui: &ui,
        cancel: &cancel,
        generated: &generated,
    };
    let c2 = cancel.clone();
    let t = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(500));
        c2.cancel();
    });
    let start = std::time::Instant::now();
    let path = m.sshd.dir().join("cancelled.sh");
    let config = ShellConfig {
        remote_path: Some(path.display().to_string()),
        ..inline(&["sleep 30"])
    };
    let r = Shell::from(config).provision(&ctx, &m.comm);
    t.join().expect("thread");
    assert!(matches!(r, Err(BuildError::Cancelled)), "{r:?}");
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
    assert!(!path.exists(), "a cancelled script stays on the machine");
}

#[test]
fn without_a_communicator_it_fails_at_once() {
    let ui = RecordingUi::default();
    let info = info();
    let generated = Generated::new();
    let cancel = Cancel::new();
    let ctx = ProvisionCtx {
        info: &info,
        ui: &ui,
        cancel: &cancel,
        generated: &generated,
    };
    let start = std::time::Instant::now();
    let r = Shell::from(inline(&["true"])).provision(&ctx, &kiln_core::NoneComm);
    assert_eq!(
        r.map_err(|e| e.to_string()),
        Err("Error uploading script: this build has no communicator (communicator = \"none\"): cannot upload files".into())
    );
    assert!(start.elapsed() < crate::retry::DELAY);
}
