//! The VM's disks, made with qemu-img as Packer makes them: a copy of the
//! cloud image (`qemu-img convert`) or a qcow2 overlay on it
//! (`use_backing_file`), grown to `disk_size` (`qemu-img resize`); or empty
//! disks for an installer (`qemu-img create`, plus `disk_additional_size`).
//! The first disk lives under a temporary name until the build finishes.

use crate::config::Settings;
use crate::error::QemuError;
use crate::state::State;
use crate::tool;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError, Cancel};
use std::path::{Path, PathBuf};

/// The temporary name of the first disk inside the output directory.
pub fn work_disk_path(s: &Settings) -> PathBuf {
    s.output_dir.join(format!(".{}.kiln-partial", s.vm_name))
}

pub struct StepDisks {
    pub settings: Settings,
}

/// What `qemu-img info` says of `path`.
fn image_info(path: &Path, cancel: &Cancel) -> Result<serde_json::Value, QemuError> {
    let json = tool::run(
        "qemu-img",
        &tool::args(["info", "--output=json", &path.display().to_string()]),
        cancel,
    )?;
    serde_json::from_str(&json)
        .map_err(|e| QemuError::Source(format!("qemu-img info {}: {e}", path.display())))
}

/// The format qemu-img sees in `path`.
pub fn image_format(path: &Path, cancel: &Cancel) -> Result<String, QemuError> {
    Ok(image_info(path, cancel)?
        .get("format")
        .and_then(|f| f.as_str())
        .unwrap_or("raw")
        .to_owned())
}

/// Whether a byte copy of `path` is already a standalone image in
/// `format` (same format, no backing file of its own).
fn copy_suffices(path: &Path, format: &str, cancel: &Cancel) -> Result<bool, QemuError> {
    let info = image_info(path, cancel)?;
    Ok(info.get("format").and_then(|f| f.as_str()) == Some(format)
        && info.get("backing-filename").is_none())
}

fn with_extra(
    mut head: Vec<String>,
    extra: &Option<Vec<String>>,
    tail: Vec<String>,
) -> Vec<String> {
    head.extend(extra.iter().flatten().cloned());
    head.extend(tail);
    head
}

impl StepDisks {
    fn copy(&self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), QemuError> {
        let s = &self.settings;
        let source = state
            .source_path
            .clone()
            .ok_or_else(|| QemuError::Source("no source image".into()))?;
        let work = state.work_disk.display().to_string();
        if s.use_backing_file {
            ctx.ui
                .say("Creating a qcow2 overlay of the source image...");
            let abs = std::fs::canonicalize(&source)
                .map_err(|e| QemuError::io(format!("resolving {}", source.display()), e))?;
            let fmt = image_format(&abs, ctx.cancel)?;
            let args = with_extra(
                tool::args(["create", "-f", "qcow2"]),
                &s.img_args.create,
                tool::args(["-b", &abs.display().to_string(), "-F", &fmt, &work]),
            );
            tool::run("qemu-img", &args, ctx.cancel)?;
        } else if copy_suffices(&source, &s.format, ctx.cancel)? {
            // Packer copies the file when no conversion is needed; a plain
            // copy (copy_file_range, a reflink where the filesystem has
            // them) is much faster than qemu-img's decompress-and-rewrite.
            ctx.ui.message(
                "File extension already matches desired output format. Skipping qemu-img convert step",
            );
            std::fs::copy(&source, &state.work_disk)
                .map_err(|e| QemuError::io(format!("copying {}", source.display()), e))?;
        } else {
            ctx.ui.say("Copying hard drive...");
            let args = with_extra(
                tool::args(["convert"]),
                &s.img_args.convert,
                tool::args(["-O", &s.format, &source.display().to_string(), &work]),
            );
            tool::run("qemu-img", &args, ctx.cancel)?;
        }
        if !s.skip_resize_disk {
            ctx.ui.say("Resizing hard drive...");
            let args = with_extra(
                tool::args(["resize", "-f", &s.format]),
                &s.img_args.resize,
                tool::args([work.as_str(), &s.disk_size]),
            );
            tool::run("qemu-img", &args, ctx.cancel)?;
        }
        Ok(())
    }

    fn create(&self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), QemuError> {
        let s = &self.settings;
        // A cloud image's first disk is the copy; Packer 1.6.6 still adds
        // the extra disks to its VM.
        let mut disks = Vec::new();
        if !s.disk_image {
            disks.push((state.work_disk.clone(), s.disk_size.clone()));
        } else if s.additional_disks.is_empty() {
            return Ok(());
        }
        ctx.ui.say("Creating required virtual machine disks");
        for (i, size) in s.additional_disks.iter().enumerate() {
            let path = s.output_dir.join(format!("{}-{}", s.vm_name, i + 1));
            state.additional_disks.push(path.clone());
            disks.push((path, size.clone()));
        }
        for (path, size) in disks {
            let args = with_extra(
                tool::args(["create", "-f", &s.format]),
                &s.img_args.create,
                tool::args([path.display().to_string(), size]),
            );
            tool::run("qemu-img", &args, ctx.cancel)?;
        }
        Ok(())
    }
}

impl StepDisks {
    /// The disks of a cold build (a restore that failed starts over).
    pub fn make_cold(&self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), QemuError> {
        let _ = std::fs::remove_file(&state.work_disk);
        if self.settings.disk_image {
            self.copy(state, ctx).and_then(|()| self.create(state, ctx))
        } else {
            self.create(state, ctx)
        }
    }
}

impl Step<State> for StepDisks {
    fn name(&self) -> &str {
        if self.settings.disk_image {
            "stepCopyDisk"
        } else {
            "stepCreateDisk"
        }
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        // Absolute: the step cache's overlays name it as their backing file.
        let work = work_disk_path(&self.settings);
        state.work_disk = std::path::absolute(&work).unwrap_or(work);
        let r = if let Some(resume) = &state.resume {
            crate::snapshot::overlay_on_cache(state, resume, ctx.cancel)
        } else if self.settings.disk_image {
            self.copy(state, ctx).and_then(|()| self.create(state, ctx))
        } else {
            self.create(state, ctx)
        };
        r.map_err(|e| {
            ctx.ui.error(&e.to_string());
            e.into()
        })
    }

    // The disks live in the output directory, which its own step removes
    // when the build fails; the temporary first disk goes here in case the
    // output directory is kept (a -force rerun into an existing one).
    fn cleanup(&mut self, state: &mut State, _ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if state.image.is_none() {
            let _ = std::fs::remove_file(&state.work_disk);
        }
        Ok(())
    }

    fn left_behind(&self, state: &State) -> Vec<String> {
        if state.image.is_some() || !state.work_disk.exists() {
            return Vec::new();
        }
        vec![format!("partial disk image {}", state.work_disk.display())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::QemuConfig;

    fn virtual_size(p: &Path) -> (u64, serde_json::Value) {
        let out = std::process::Command::new("qemu-img")
            .args(["info", "--output=json"])
            .arg(p)
            .output()
            .expect("qemu-img (scripts/setup.sh)");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (v["virtual-size"].as_u64().unwrap(), v)
    }

    #[test]
    fn copy_overlay_resize_and_create() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src.qcow2");
        tool::run(
            "qemu-img",
            &tool::args(["create", "-f", "qcow2", &src.display().to_string(), "64M"]),
            &Cancel::new(),
        )
        .unwrap();
        let t = kiln_core::StepTestCtx::default();
        let ctx = t.ctx();
        for backing in [false, true] {
            let out = dir.path().join(format!("out-{backing}"));
            std::fs::create_dir_all(&out).unwrap();
            let settings = QemuConfig {
                disk_image: Some(true),
                use_backing_file: Some(backing),
                disk_size: Some("128".into()),
                output_directory: Some(out.display().to_string()),
                ..QemuConfig::default()
            }
            .settings("t");
            let mut state = State {
                source_path: Some(src.clone()),
                ..State::default()
            };
            StepDisks { settings }.run(&mut state, &ctx).unwrap();
            let (size, info) = virtual_size(&state.work_disk);
            assert_eq!(size, 128 << 20, "disk_size without unit is megabytes");
            assert_eq!(
                info.get("backing-filename").is_some(),
                backing,
                "overlay only with use_backing_file: {info}"
            );
        }
        let out = dir.path().join("iso");
        std::fs::create_dir_all(&out).unwrap();
        let settings = QemuConfig {
            disk_size: Some("32M".into()),
            disk_additional_size: Some(vec!["16M".into()]),
            output_directory: Some(out.display().to_string()),
            vm_name: Some("vm".into()),
            ..QemuConfig::default()
        }
        .settings("t");
        let mut state = State::default();
        StepDisks { settings }.run(&mut state, &ctx).unwrap();
        assert_eq!(virtual_size(&state.work_disk).0, 32 << 20);
        assert_eq!(state.additional_disks, [out.join("vm-1")]);
        assert_eq!(virtual_size(&out.join("vm-1")).0, 16 << 20);
    }
}
