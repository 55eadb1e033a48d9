//! Before the disks are made: ask the engine for the build's step cache,
//! keyed by what the boot depends on, and find the snapshot to resume
//! from. A resumed build takes the temporary SSH key its snapshots trust.

use super::{entry, Resume};
use crate::config::Settings;
use crate::error::QemuError;
use crate::state::State;
use kiln_communicator_ssh::KeyPair;
use kiln_core::step::Step;
use kiln_core::step_cache::{digest_path, Input, StepCache};
use kiln_core::{BuildCtx, BuildError};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

pub struct StepPlanCache {
    pub settings: Settings,
    /// The communicator's user, which the boot's seed names.
    pub ssh_username: String,
    /// The build makes its own key (so a snapshot must give it back).
    pub temporary_key: bool,
}

/// Why this build's machine cannot be snapshotted, if it cannot.
pub fn why_not(s: &Settings) -> Option<&'static str> {
    let why = if s.format != "qcow2" {
        "the disk format is not qcow2"
    } else if s.use_backing_file {
        "use_backing_file keeps the output on its source"
    } else if !s.additional_disks.is_empty() {
        "disk_additional_size disks are not snapshotted"
    } else if s.vtpm {
        "a vTPM's state is not snapshotted"
    } else if s.efi_boot && !s.efi_drop_efivars {
        "EFI variables are not snapshotted"
    } else if s.net_bridge.is_some() {
        "a bridged network cannot be restored"
    } else {
        qemuargs_why_not(&s.qemuargs)?
    };
    Some(why)
}

/// `qemuargs` rows a snapshot cannot hold: writable disks other than
/// the build's (their contents are not in the layer chain), and the
/// switches the cache itself drives.
fn qemuargs_why_not(rows: &[Vec<String>]) -> Option<&'static str> {
    for row in rows {
        let (Some(switch), value) = (row.first(), row.get(1).map(String::as_str)) else {
            continue;
        };
        let value = value.unwrap_or("");
        let read_only = value.contains("media=cdrom")
            || value.contains("readonly=on")
            || value.contains("read-only=on");
        match switch.as_str() {
            "-drive" if !read_only => return Some("qemuargs attach a writable -drive"),
            "-hda" | "-hdb" | "-hdc" | "-hdd" | "-blockdev" | "-pflash" | "-mtdblock" | "-sd"
            | "-virtfs" | "-fsdev" => return Some("qemuargs attach storage kiln cannot snapshot"),
            "-incoming" | "-loadvm" | "-snapshot" => {
                return Some("qemuargs start the VM from a state of their own")
            }
            _ => {}
        }
    }
    None
}

fn sha(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// QEMU's version line: a snapshot only loads into the QEMU that wrote it.
fn qemu_version(binary: &str) -> String {
    std::process::Command::new(binary)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|t| t.lines().next().map(str::to_owned))
        .unwrap_or_default()
}

impl StepPlanCache {
    /// What the machine is after the boot: the source image by content,
    /// the builder's settings (not where the output goes), the files the
    /// boot reads, the user the seed makes, QEMU and the accelerator.
    fn boot_inputs(&self, state: &State) -> Result<Vec<Input>, QemuError> {
        let s = &self.settings;
        let source = match &state.source_path {
            Some(p) => {
                digest_path(p).map_err(|e| QemuError::io(format!("reading {}", p.display()), e))?
            }
            None => String::new(),
        };
        let mut settings = s.clone();
        settings.vnc_password = None;
        settings.output_dir = PathBuf::new();
        settings.source.urls.clear();
        settings.source.checksum.clear();
        settings.source.target_path = None;
        let mut inputs = vec![
            Input::new("source image", source),
            Input::new("builder settings", sha(&format!("{settings:?}"))),
            Input::new("ssh_username", sha(&self.ssh_username)),
            Input::new("qemu", sha(&qemu_version(&s.qemu_binary))),
            Input::new("accelerator", state.accelerator.clone()),
        ];
        let boot_files = s
            .http_directory
            .iter()
            .chain(&s.cd_files)
            .chain(&s.floppy_files);
        for f in boot_files.filter(|f| !f.is_empty()) {
            let d = digest_path(std::path::Path::new(f))
                .map_err(|e| QemuError::io(format!("reading {f}"), e))?;
            inputs.push(Input::new(format!("file {f}"), d));
        }
        Ok(inputs)
    }

    /// The longest run of entries 0, 1, … that the cache holds whole.
    fn resume(&self, cache: &dyn StepCache) -> Option<Resume> {
        let hits: Vec<_> = (0..=cache.provisioners())
            .map_while(|i| cache.hit(i))
            .collect();
        let dirs: Vec<PathBuf> = hits.iter().map(|h| h.dir.clone()).collect();
        let whole = entry::whole_prefix(&dirs);
        let upto = whole.checked_sub(1)?;
        let hit = hits.into_iter().nth(upto)?;
        Some(Resume { upto, hit })
    }
}

impl Step<State> for StepPlanCache {
    fn name(&self) -> &str {
        "stepCache"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if let Some(why) = why_not(&self.settings) {
            tracing::info!(why, "no step cache for this qemu build");
            if ctx.hook.step_cache(ctx, Vec::new()).is_some() {
                ctx.ui.message(&format!("Step cache: not used: {why}"));
            }
            return Ok(());
        }
        // The accelerator is part of the key: settle it now.
        if state.accelerator.is_empty() {
            state.accelerator = match (&self.settings.accelerator, state.accel_probe.take()) {
                (Some(a), _) => a.clone(),
                (None, Some(h)) => h.join().unwrap_or_else(|_| "tcg".into()),
                (None, None) => {
                    crate::accel::detect(&self.settings.qemu_binary, &state.work_dir, ctx.cancel)
                        .into()
                }
            };
        }
        let inputs = self.boot_inputs(state)?;
        let Some(cache) = ctx.hook.step_cache(ctx, inputs) else {
            return Ok(());
        };
        let resume = self.resume(cache.as_ref());
        if let Some(r) = &resume {
            let boot = cache.hit(0).map(|h| h.dir);
            match boot.as_deref().and_then(entry::key) {
                Some(k) => {
                    state.key_pair =
                        Some(KeyPair::from_private_openssh(&k).map_err(QemuError::from)?);
                }
                None if self.temporary_key => {
                    ctx.ui.message(
                        "Step cache: the boot snapshot has no SSH key: building from scratch",
                    );
                    state.cache = Some(cache);
                    return Ok(());
                }
                None => {}
            }
            tracing::info!(upto = r.upto, "resuming from a snapshot");
        }
        state.resume = resume;
        state.cache = Some(cache);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(r: &[&[&str]]) -> Vec<Vec<String>> {
        r.iter()
            .map(|row| row.iter().map(|s| (*s).to_owned()).collect())
            .collect()
    }

    #[test]
    fn read_only_media_and_plain_switches_keep_the_cache() {
        let ok = rows(&[
            &["-m", "2048"],
            &["-cdrom", "seed.iso"],
            &["-drive", "file=seed.iso,media=cdrom"],
            &["-smbios", "type=1,serial=ds=nocloud"],
        ]);
        assert_eq!(qemuargs_why_not(&ok), None);
        for bad in [
            &["-drive", "file=data.qcow2,if=virtio"][..],
            &["-hdb", "data.img"],
            &["-loadvm", "x"],
        ] {
            assert!(qemuargs_why_not(&rows(&[bad])).is_some(), "{bad:?}");
        }
    }
}
