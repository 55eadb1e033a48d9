//! The test stage for VM images: a fresh VM on a throw-away overlay of the
//! output disk, booted as a consumer boots the image. A new temporary key
//! reaches it through a NoCloud seed with an instance id of its own (so
//! cloud-init treats the boot as a new instance even when the build did
//! not clean its state); the credentials the template gives are offered
//! after that key, for images without cloud-init. Nothing of the build is
//! reused: no installer, CD, floppy, boot command or HTTP server, and no
//! `qemuargs` row that attaches media (they name the build's files).
//! The VM is killed and the overlay removed afterwards.

use crate::accel::StepProbeAccelerator;
use crate::builder::QemuBuilder;
use crate::config::Settings;
use crate::connect::StepConnect;
use crate::media::{CdKind, StepCreateCd, StepTemporaryKey};
use crate::state::State;
use crate::test_overlay::StepTestOverlay;
use crate::vm::StepRun;
use crate::workdir::StepWorkDir;
use kiln_communicator_ssh::CommKind;
use kiln_core::cloud_init::StepWaitCloudInit;
use kiln_core::step::Step;
use kiln_core::tester::{boot_then, Checks, TestCtx, Tester};
use kiln_core::{Artifact, BuildError, BuildInfo};
use std::path::PathBuf;

/// Whether a `qemuargs` row attaches a disk, CD or floppy, or a device
/// that sits on one: such rows name the build's files, not the test's.
fn attaches_media(row: &[String]) -> bool {
    let key = row.first().map(|k| k.trim_start_matches('-')).unwrap_or("");
    let value = row.get(1..).map(|r| r.concat()).unwrap_or_default();
    matches!(
        key,
        "drive" | "blockdev" | "cdrom" | "hda" | "hdb" | "hdc" | "hdd" | "fda" | "fdb"
    ) || (key == "device" && value.contains("drive="))
        || (key == "smbios" && value.contains("nocloud"))
}

/// The build's settings, reduced to what booting the finished disk needs.
fn test_settings(mut s: Settings) -> Settings {
    s.disk_image = true;
    // The overlay's format; the artifact's is its backing format.
    s.format = "qcow2".into();
    s.boot_command.clear();
    s.boot_steps.clear();
    s.boot_wait = std::time::Duration::ZERO;
    s.qmp_socket_path = None;
    s.qemuargs.retain(|row| !attaches_media(row));
    s
}

impl QemuBuilder {
    /// The artifact's disks as files: the first disk, then the others.
    fn disks(artifact: &Artifact) -> Vec<PathBuf> {
        artifact.files.clone()
    }

    fn test_steps(
        &self,
        s: &Settings,
        disks: Vec<PathBuf>,
        ctx: &TestCtx<'_>,
    ) -> Vec<Box<dyn Step<State>>> {
        let comm = self.config.communicator_config();
        let ssh = comm.kind() == Some(CommKind::Ssh);
        let mut steps: Vec<Box<dyn Step<State>>> = vec![Box::new(StepWorkDir)];
        if s.accelerator.is_none() {
            steps.push(Box::new(StepProbeAccelerator {
                qemu_binary: s.qemu_binary.clone(),
            }));
        }
        steps.push(Box::new(StepTestOverlay { disks }));
        if ssh {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            steps.push(Box::new(StepTemporaryKey));
            steps.push(Box::new(StepCreateCd {
                kind: CdKind::Seed {
                    username: comm.ssh_username.clone().unwrap_or_default(),
                    instance: format!("kiln-test-{}-{nanos:x}", ctx.info.run_uuid),
                },
                settings: s.clone(),
            }));
        }
        if s.vtpm {
            steps.push(Box::new(crate::vtpm::StepCreateVtpm::new(s.use_tpm1)));
        }
        steps.push(Box::new(StepRun {
            settings: s.clone(),
            forward_ssh: ssh && !s.skip_nat_mapping && s.net_bridge.is_none(),
            guest_port: comm.ssh_port.filter(|p| *p != 0).unwrap_or(22),
        }));
        if ssh {
            steps.push(Box::new(
                StepConnect::new(comm.clone(), s.skip_nat_mapping).with_timeout(ctx.boot_timeout),
            ));
            steps.push(Box::new(StepWaitCloudInit { required: false }));
        }
        steps
    }
}

impl Tester for QemuBuilder {
    fn with_machine(
        &self,
        artifact: &Artifact,
        ctx: &TestCtx<'_>,
        checks: &mut Checks<'_>,
    ) -> Result<(), BuildError> {
        let s = test_settings(self.config.settings(&ctx.info.source_name));
        let steps = self.test_steps(&s, Self::disks(artifact), ctx);
        let mut state = State::default();
        boot_then(steps, &mut state, &ctx.build_ctx(), |state| {
            let generated = state.generated.clone();
            match &state.ssh {
                Some(comm) => checks(comm, &generated),
                None => checks(&kiln_core::NoneComm, &generated),
            }
        })
    }
}

/// For `kiln test`: the disks an earlier build wrote to
/// `output_directory`, when the first one is there.
pub fn existing(builder: &QemuBuilder, info: &BuildInfo) -> Option<Artifact> {
    let s = builder.config.settings(&info.source_name);
    // `-artifact`: a disk, or an output directory holding `vm_name`.
    if let Some(given) = info.artifact.as_deref().map(std::path::Path::new) {
        let (dir, image) = if given.is_dir() {
            (given.to_owned(), given.join(&s.vm_name))
        } else {
            let dir = given
                .parent()
                .map(std::path::Path::to_owned)
                .unwrap_or_default();
            (dir, given.to_owned())
        };
        return image
            .is_file()
            .then(|| crate::artifact::vm_artifact(&dir, vec![image]));
    }
    let image = s.output_dir.join(&s.vm_name);
    if !image.is_file() {
        return None;
    }
    let mut files = vec![image];
    files.extend(
        (1..=s.additional_disks.len())
            .map(|i| s.output_dir.join(format!("{}-{i}", s.vm_name)))
            .filter(|p| p.is_file()),
    );
    Some(crate::artifact::vm_artifact(&s.output_dir, files))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::QemuConfig;

    fn row(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_test_boot_keeps_no_media_of_the_build() {
        let c = QemuConfig {
            iso_url: Some("installer.iso".into()),
            boot_command: Some(vec!["<enter>".into()]),
            format: Some("raw".into()),
            qemuargs: Some(vec![
                row(&["-m", "2G"]),
                row(&["-drive", "file=out/disk,if=virtio"]),
                row(&["-device", "virtio-blk-pci,drive=drive0"]),
                row(&["-device", "virtio-net,netdev=user.0"]),
                row(&["-cdrom", "seed.iso"]),
                row(&["-smbios", "type=1,serial=ds=nocloud-net;s=http://x/"]),
            ]),
            ..QemuConfig::default()
        };
        let s = test_settings(c.settings("x"));
        assert!(s.disk_image);
        assert_eq!(s.format, "qcow2");
        assert!(s.boot_command.is_empty());
        assert_eq!(
            s.qemuargs,
            vec![
                row(&["-m", "2G"]),
                row(&["-device", "virtio-net,netdev=user.0"])
            ]
        );
    }

    #[test]
    fn kiln_test_finds_the_disks_of_an_earlier_build() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let c = QemuConfig {
            output_directory: Some(out.display().to_string()),
            vm_name: Some("img.qcow2".into()),
            disk_additional_size: Some(vec!["1G".into()]),
            ..QemuConfig::default()
        };
        let b = QemuBuilder::from(c);
        let info = BuildInfo::default();
        assert!(existing(&b, &info).is_none());
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("img.qcow2"), "").unwrap();
        std::fs::write(out.join("img.qcow2-1"), "").unwrap();
        let a = existing(&b, &info).unwrap();
        assert_eq!(
            a.files,
            vec![out.join("img.qcow2"), out.join("img.qcow2-1")]
        );
        // `-artifact`: a disk, or a directory holding vm_name.
        let elsewhere = dir.path().join("v7");
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::fs::write(elsewhere.join("img.qcow2"), "").unwrap();
        std::fs::write(elsewhere.join("other.raw"), "").unwrap();
        let given = |a: &std::path::Path| BuildInfo {
            artifact: Some(a.display().to_string()),
            ..BuildInfo::default()
        };
        assert_eq!(
            existing(&b, &given(&elsewhere)).unwrap().files,
            vec![elsewhere.join("img.qcow2")]
        );
        assert_eq!(
            existing(&b, &given(&elsewhere.join("other.raw")))
                .unwrap()
                .files,
            vec![elsewhere.join("other.raw")]
        );
        assert!(existing(&b, &given(&dir.path().join("nope"))).is_none());
    }
}
