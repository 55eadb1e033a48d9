//! The `shell` and `file` provisioners, unchanged, through the sandbox
//! (needs root).

#![allow(clippy::unwrap_used)]

mod common;

use common::{busybox_rootfs, host_mounts_under, sandbox};
use kiln_communicator_sandbox::{SandboxComm, SandboxConfig};
use kiln_core::provisioner::{ProvisionCtx, Provisioner};
use kiln_core::ui::RecordingUi;
use kiln_core::{BuildError, BuildInfo, Cancel, Generated};
use kiln_provisioners::file::{File, FileConfig};
use kiln_provisioners::shell::{Shell, ShellConfig};

fn provision(comm: &SandboxComm, p: &dyn Provisioner) -> (RecordingUi, Result<(), BuildError>) {
    let ui = RecordingUi::default();
    let info = BuildInfo {
        name: "oci.app".into(),
        source_name: "app".into(),
        builder_type: "oci".into(),
        run_uuid: "run-1".into(),
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
    let r = p.provision(&ctx, comm);
    (ui, r)
}

#[test]
fn shell_inline_and_scripts_run_inside_with_packers_variables() {
    let (dir, root) = busybox_rootfs();
    let comm = sandbox(SandboxConfig::new(&root));
    let inline = Shell::from(ShellConfig {
        inline: Some(vec![
            "echo \"$GREETING from $PACKER_BUILDER_TYPE as $(id -u) pid $$\"".into(),
            "echo installed > /etc/app.conf".into(),
            "echo warn >&2".into(),
        ]),
        environment_vars: Some(vec!["GREETING=hello world".into()]),
        ..ShellConfig::default()
    });
    let (ui, r) = provision(&comm, &inline);
    assert!(r.is_ok(), "{r:?} {:?}", ui.of("error"));
    assert!(ui
        .of("message")
        .contains(&"hello world from oci as 0 pid 1".to_owned()));
    assert_eq!(ui.of("error"), ["warn"]);
    assert_eq!(
        std::fs::read_to_string(root.join("etc/app.conf")).unwrap(),
        "installed\n"
    );
    let tmp_left: Vec<_> = std::fs::read_dir(root.join("tmp")).unwrap().collect();
    assert!(
        tmp_left.is_empty(),
        "the script was not removed: {tmp_left:?}"
    );

    let script = dir.path().join("setup.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\nset -e\nmkdir -p /opt/app\necho \"$1ok\" > /opt/app/done\nexit 3\n",
    )
    .unwrap();
    let failing = Shell::from(ShellConfig {
        script: Some(script.display().to_string()),
        ..ShellConfig::default()
    });
    let (_, r) = provision(&comm, &failing);
    let e = r.unwrap_err().to_string();
    assert_eq!(
        e,
        "Script exited with non-zero exit status: 3.Allowed exit codes are: [0]"
    );
    assert!(root.join("opt/app/done").exists());
    assert!(host_mounts_under(dir.path()).is_empty());
}

#[test]
fn file_uploads_and_downloads_through_the_sandbox() {
    let (dir, root) = busybox_rootfs();
    let comm = sandbox(SandboxConfig::new(&root));
    let site = dir.path().join("site");
    std::fs::create_dir(&site).unwrap();
    std::fs::write(site.join("index.html"), "<p>hi</p>\n").unwrap();
    let upload = File::from(FileConfig {
        source: Some(site.display().to_string()),
        destination: Some("/srv".into()),
        ..FileConfig::default()
    });
    let (ui, r) = provision(&comm, &upload);
    assert!(r.is_ok(), "{r:?} {:?}", ui.of("error"));
    assert_eq!(
        std::fs::read_to_string(root.join("srv/site/index.html")).unwrap(),
        "<p>hi</p>\n"
    );

    let back = dir.path().join("back.html");
    let download = File::from(FileConfig {
        source: Some("/srv/site/index.html".into()),
        destination: Some(back.display().to_string()),
        direction: Some("download".into()),
        ..FileConfig::default()
    });
    let (ui, r) = provision(&comm, &download);
    assert!(r.is_ok(), "{r:?} {:?}", ui.of("error"));
    assert_eq!(std::fs::read_to_string(&back).unwrap(), "<p>hi</p>\n");
}
