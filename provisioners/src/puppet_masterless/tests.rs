//! puppet-masterless against a real sshd (the throwaway server of
//! `kiln_communicator_ssh::testing`): uploads, the command line, exit
//! codes and the missing-program error. The run of a real Puppet is the
//! end-to-end test's (tests/cli/build/config_management.rs).

use super::*;
use kiln_communicator_ssh::testing::TestSshd;
use kiln_communicator_ssh::SshComm;
use kiln_core::ui::RecordingUi;
use kiln_core::{BuildInfo, Cancel, Generated};
use std::path::Path;

struct Machine {
    sshd: TestSshd,
    comm: SshComm,
}

fn machine() -> Machine {
    let sshd = TestSshd::start().expect("the test sshd must start (run scripts/setup.sh as root)");
    let comm = SshComm::connect(sshd.settings(), &Cancel::new()).expect("connect");
    Machine { sshd, comm }
}

fn provision(m: &Machine, config: PuppetMasterlessConfig) -> (RecordingUi, Result<(), BuildError>) {
    let ui = RecordingUi::default();
    let info = BuildInfo {
        name: "null.x".into(),
        source_name: "x".into(),
        builder_type: "null".into(),
        ..BuildInfo::default()
    };
    let generated = Generated::new();
    let cancel = Cancel::new();
    let ctx = ProvisionCtx {
        info: &info,
        ui: &ui,
        cancel: &cancel,
        generated: &generated,
    };
    let r = PuppetMasterless::from(config).provision(&ctx, &m.comm);
    (ui, r)
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("test fixture");
    std::fs::write(path, text).expect("test fixture");
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn uploads_the_layout_packer_makes_and_runs_execute_command_there() {
    let m = machine();
    let local = tempfile::tempdir().expect("test fixture");
    let l = local.path();
    write(&l.join("site.pp"), "notice('site')\n");
    write(&l.join("hiera.yml"), "version: 5\n");
    write(&l.join("mods/a/manifests/init.pp"), "class a {}\n");
    write(&l.join("mods2/b/manifests/init.pp"), "class b {}\n");
    let staging = m.sshd.dir().join("stage");
    let config = PuppetMasterlessConfig {
        manifest_file: Some(s(&l.join("site.pp"))),
        hiera_config_path: Some(s(&l.join("hiera.yml"))),
        module_paths: Some(vec![s(&l.join("mods")), s(&l.join("mods2/"))]),
        facter: Some([("role".to_owned(), "web".to_owned())].into()),
        extra_arguments: Some(vec!["--tags".into(), "{{.WorkingDir}}".into()]),
        staging_directory: Some(s(&staging)),
        prevent_sudo: Some(true),
        // Puppet's place taken by a shell that shows what it got.
        execute_command: Some(
            "cd {{.WorkingDir}} && echo '{{.ModulePath}} {{.HieraConfigPath}} {{.ManifestFile}} {{.ExtraArguments}} [{{.ManifestDir}}] {{.Sudo}}' && {{.FacterVars}} sh -c 'echo \"$FACTER_role|$FACTER_packer_build_name|$FACTER_packer_builder_type\"; exit 2'"
                .into(),
        ),
        ..PuppetMasterlessConfig::default()
    };
    let (ui, r) = provision(&m, config);
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(ui.of("say"), ["Provisioning with Puppet..."]);
    let st = s(&staging);
    let messages = ui.of("message");
    let running = messages
        .iter()
        .find(|l| l.starts_with("Running Puppet: "))
        .expect("the command is shown");
    assert!(
        running.contains("FACTER_packer_build_name='x' FACTER_packer_builder_type='null' FACTER_role='web' sh -c"),
        "{running}"
    );
    // Exit status 2 (changes applied) is success.
    assert!(messages.contains(&"web|x|null".to_owned()), "{messages:?}");
    assert!(
        messages.contains(&format!(
            "{st}/module-0:{st}/module-1 {st}/hiera.yaml {st}/manifests/site.pp --tags {st} [] false"
        )),
        "{messages:?}"
    );
    for f in [
        "hiera.yaml",
        "manifests/site.pp",
        "module-0/a/manifests/init.pp",
        "module-1/b/manifests/init.pp",
    ] {
        assert!(staging.join(f).is_file(), "{f} was not uploaded");
    }
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&staging)
            .expect("staging dir")
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o777);
}

#[test]
fn a_manifest_directory_and_clean_staging_directory() {
    let m = machine();
    let local = tempfile::tempdir().expect("test fixture");
    write(&local.path().join("m/site.pp"), "notice('a')\n");
    write(&local.path().join("m/nodes.pp"), "notice('b')\n");
    let staging = m.sshd.dir().join("stage");
    let seen = m.sshd.dir().join("seen");
    let config = PuppetMasterlessConfig {
        manifest_file: Some(s(&local.path().join("m"))),
        staging_directory: Some(s(&staging)),
        working_directory: Some(s(m.sshd.dir())),
        clean_staging_directory: Some(true),
        prevent_sudo: Some(true),
        execute_command: Some(format!(
            "cd {{{{.WorkingDir}}}} && pwd > {0} && ls {{{{.ManifestFile}}}} >> {0}",
            s(&seen)
        )),
        ..PuppetMasterlessConfig::default()
    };
    let (_, r) = provision(&m, config);
    assert!(r.is_ok(), "{r:?}");
    let seen = std::fs::read_to_string(&seen).expect("the command ran");
    assert_eq!(seen, format!("{}\nnodes.pp\nsite.pp\n", s(m.sshd.dir())));
    assert!(!staging.exists(), "clean_staging_directory left it");
}

fn exiting(m: &Machine, code: i32, ignore: bool) -> Result<(), BuildError> {
    let local = tempfile::tempdir().expect("test fixture");
    write(&local.path().join("site.pp"), "\n");
    let config = PuppetMasterlessConfig {
        manifest_file: Some(s(&local.path().join("site.pp"))),
        staging_directory: Some(s(&m.sshd.dir().join("stage"))),
        prevent_sudo: Some(true),
        ignore_exit_codes: Some(ignore),
        execute_command: Some(format!("exit {code}")),
        ..PuppetMasterlessConfig::default()
    };
    provision(m, config).1
}

#[test]
fn detailed_exit_codes_0_and_2_pass_others_fail_with_the_code() {
    let m = machine();
    assert!(exiting(&m, 0, false).is_ok());
    assert!(exiting(&m, 2, false).is_ok());
    for code in [1, 4, 6] {
        let e = exiting(&m, code, false).map_err(|e| e.to_string());
        assert_eq!(
            e,
            Err(format!("Puppet exited with a non-zero exit status: {code}"))
        );
        assert!(exiting(&m, code, true).is_ok(), "ignore_exit_codes");
    }
}

#[test]
fn a_missing_puppet_is_named_with_how_to_install_it() {
    let m = machine();
    let local = tempfile::tempdir().expect("test fixture");
    write(&local.path().join("site.pp"), "\n");
    let config = PuppetMasterlessConfig {
        manifest_file: Some(s(&local.path().join("site.pp"))),
        staging_directory: Some(s(&m.sshd.dir().join("stage"))),
        puppet_bin_dir: Some("/nonexistent/puppet/bin".into()),
        prevent_sudo: Some(true),
        ..PuppetMasterlessConfig::default()
    };
    let (_, r) = provision(&m, config);
    let e = r.map_err(|e| e.to_string()).expect_err("no puppet there");
    assert!(
        e.starts_with("puppet was not found on the machine (the command exited with status 127): install Puppet"),
        "{e}"
    );
    assert!(e.contains("puppet_bin_dir"), "{e}");
}
