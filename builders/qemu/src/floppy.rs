//! `floppy_files`, `floppy_dirs`, `floppy_content`, `floppy_label`: a
//! 1.44 MB FAT12 floppy image, as Packer's `StepCreateFloppy` fills it.
//!
//! API: [`FloppySpec`] → [`FloppySpec::problems`] (Packer's config checks)
//! and [`create`]`(spec, cwd, dest, ui, cancel)`, which writes the image to
//! `dest` (through a temporary name next to it). The caller registers
//! `dest` for cleanup.
//!
//! Packer's rules: `floppy_files` entries (globs expanded when they hold
//! `*?[`) go flat into the root, a directory contributing every file under
//! it; `floppy_dirs` entries keep their structure under the directory's
//! own name; `floppy_content` (path → text) wins over both. The label
//! defaults to `packer`.
//!
//! The image is made by `mkfs.vfat` (dosfstools) and filled by one
//! `mcopy` (mtools) from a staging tree, so the layout rules are plain
//! file operations.

mod glob;

use kiln_core::cancel::Reason;
use kiln_core::process::{self, ProcessError};
use kiln_core::{Cancel, Output, Ui};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The floppy fields of a config.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FloppySpec {
    pub files: Vec<String>,
    pub dirs: Vec<String>,
    pub content: BTreeMap<String, String>,
    /// Empty means Packer's `packer`.
    pub label: String,
}

/// A 1.44 MB floppy, in KiB for `mkfs.vfat -C`.
const FLOPPY_KIB: &str = "1440";

#[derive(Debug, thiserror::Error)]
pub enum FloppyError {
    /// A `floppy_files` entry that is not there.
    #[error("Error trying to stat : {path} : {source}")]
    Stat {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Staging or renaming failed.
    #[error("Error creating floppy: {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `mkfs.vfat` or `mcopy` could not run.
    #[error("Error creating floppy: {0} (floppy images need mkfs.vfat from dosfstools and mcopy from mtools)")]
    Tool(ProcessError),
    /// A tool failed, e.g. the files do not fit.
    #[error("Error creating floppy: {tool} exited with {code}: {stderr}")]
    ToolFailed {
        tool: &'static str,
        code: i32,
        stderr: String,
    },
    /// The token fired.
    #[error("floppy creation interrupted: {0:?}")]
    Cancelled(Reason),
}

impl FloppySpec {
    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.dirs.is_empty() && self.content.is_empty()
    }

    fn label(&self) -> &str {
        if self.label.is_empty() {
            "packer"
        } else {
            &self.label
        }
    }

    /// Packer's checks: every plain entry exists (globs may match nothing),
    /// and kiln's: the label fits FAT's 11 characters.
    pub fn problems(&self, cwd: &Path) -> Vec<String> {
        let mut out = Vec::new();
        for (what, list) in [("file", &self.files), ("directory", &self.dirs)] {
            for p in list.iter().filter(|p| !glob::has_magic(p)) {
                if let Err(e) = std::fs::metadata(cwd.join(p)) {
                    out.push(format!(
                        "Bad Floppy disk {what} '{p}': stat {p}: {}",
                        go_io_message(&e)
                    ));
                }
            }
        }
        if self.label().chars().count() > 11 {
            out.push(format!(
                "floppy_label {:?} is longer than the 11 characters FAT allows",
                self.label
            ));
        }
        out
    }
}

/// Go's wording of the common errors.
fn go_io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Build the image at `dest`.
pub fn create(
    spec: &FloppySpec,
    cwd: &Path,
    dest: &Path,
    ui: &dyn Ui,
    cancel: &Cancel,
) -> Result<(), FloppyError> {
    ui.say("Creating floppy disk...");
    let parent = dest.parent().unwrap_or(Path::new("."));
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| FloppyError::Io { path, source }
    };
    let staging = tempfile::Builder::new()
        .prefix(".floppy-")
        .tempdir_in(parent)
        .map_err(io(parent))?;
    let root = staging.path().join("root");
    std::fs::create_dir(&root).map_err(io(&root))?;
    stage(spec, cwd, &root, ui)?;

    let image = staging.path().join("floppy.img");
    run_tool(
        "mkfs.vfat",
        Command::new(tool_path("mkfs.vfat"))
            .args(["-C", "-F", "12", "-n"])
            .arg(spec.label())
            .arg(&image)
            .arg(FLOPPY_KIB),
        cancel,
    )?;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&root)
        .map_err(io(&root))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    if !entries.is_empty() {
        run_tool(
            "mcopy",
            Command::new("mcopy")
                // No geometry sanity checks on an image file.
                .env("MTOOLS_SKIP_CHECK", "1")
                .arg("-i")
                .arg(&image)
                .args(["-s", "-o", "-Q"])
                .args(&entries)
                .arg("::/"),
            cancel,
        )?;
    }
    std::fs::rename(&image, dest).map_err(io(dest))?;
    Ok(())
}

/// Lay the floppy's files out under `root` with Packer's rules.
fn stage(spec: &FloppySpec, cwd: &Path, root: &Path, ui: &dyn Ui) -> Result<(), FloppyError> {
    ui.message("Copying files flatly from floppy_files");
    for entry in &spec.files {
        let paths = if glob::has_magic(entry) {
            glob::glob(entry, cwd)
        } else {
            vec![entry.clone()]
        };
        for p in paths {
            let full = cwd.join(&p);
            let meta = std::fs::metadata(&full).map_err(|source| FloppyError::Stat {
                path: p.clone(),
                source,
            })?;
            if meta.is_dir() {
                ui.message(&format!("Copying directory: {p}"));
                for file in walk_files(&full)? {
                    copy_into(&file, &root.join(base_name(&file)))?;
                }
            } else {
                ui.message(&format!("Copying file: {p}"));
                copy_into(&full, &root.join(base_name(&full)))?;
            }
        }
    }
    ui.message("Done copying files from floppy_files");

    ui.message("Collecting paths from floppy_dirs");
    let mut queue = Vec::new();
    for entry in &spec.dirs {
        if glob::has_magic(entry) {
            queue.extend(glob::glob(entry, cwd));
        } else {
            queue.push(entry.clone());
        }
    }
    ui.message(&format!(
        "Resulting paths from floppy_dirs : [{}]",
        queue.join(" ")
    ));
    for p in &queue {
        ui.message(&format!("Recursively copying : {p}"));
        let full = cwd.join(p);
        let meta = std::fs::metadata(&full).map_err(|source| FloppyError::Stat {
            path: p.clone(),
            source,
        })?;
        let top = root.join(base_name(&full));
        if meta.is_dir() {
            for file in walk_files(&full)? {
                let rel = file.strip_prefix(&full).unwrap_or(&file);
                copy_into(&file, &top.join(rel))?;
            }
        } else {
            copy_into(&full, &top)?;
        }
    }
    ui.message("Done copying paths from floppy_dirs");

    for (name, text) in &spec.content {
        let rel = name.trim_start_matches('/');
        let dest = root.join(rel);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|source| FloppyError::Io {
                path: parent.to_owned(),
                source,
            })?;
        }
        std::fs::write(&dest, text).map_err(|source| FloppyError::Io { path: dest, source })?;
    }
    Ok(())
}

fn base_name(p: &Path) -> &std::ffi::OsStr {
    p.file_name().unwrap_or(p.as_os_str())
}

/// Every file under `dir`, in name order (Go's `filepath.Walk`).
fn walk_files(dir: &Path) -> Result<Vec<PathBuf>, FloppyError> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|source| FloppyError::Io {
            path: dir.to_owned(),
            source,
        })?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for e in entries {
        if e.is_dir() {
            out.extend(walk_files(&e)?);
        } else {
            out.push(e);
        }
    }
    Ok(out)
}

fn copy_into(src: &Path, dest: &Path) -> Result<(), FloppyError> {
    if let Some(parent) = dest.parent() {
        std::fs::create_dir_all(parent).map_err(|source| FloppyError::Io {
            path: parent.to_owned(),
            source,
        })?;
    }
    std::fs::copy(src, dest)
        .map(drop)
        .map_err(|source| FloppyError::Io {
            path: src.to_owned(),
            source,
        })
}

/// `mkfs.vfat` lives in `/sbin` or `/usr/sbin`, which a user's `PATH` may
/// lack.
fn tool_path(name: &str) -> PathBuf {
    ["/usr/sbin", "/sbin"]
        .iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from(name))
}

#[derive(Default)]
struct Captured {
    stderr: Vec<u8>,
}

impl Output for Captured {
    fn stdout(&mut self, _: &[u8]) {}
    fn stderr(&mut self, chunk: &[u8]) {
        self.stderr.extend_from_slice(chunk);
    }
}

fn run_tool(tool: &'static str, cmd: &mut Command, cancel: &Cancel) -> Result<(), FloppyError> {
    let mut out = Captured::default();
    match process::run(cmd, &mut out, cancel) {
        Ok(0) => Ok(()),
        Ok(code) => Err(FloppyError::ToolFailed {
            tool,
            code,
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        }),
        Err(ProcessError::Stopped { reason, .. }) => Err(FloppyError::Cancelled(reason)),
        Err(e) => Err(FloppyError::Tool(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_core::ui::RecordingUi;

    fn tree() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        for (p, text) in [
            ("fl/a.txt", "a"),
            ("fl/b.cfg", "b"),
            ("fl/dir1/c.txt", "c"),
            ("fl/dir1/sub/d.txt", "d"),
            ("fl/dir2/e.txt", "e"),
            ("fl/both.txt", "from disk"),
        ] {
            let path = d.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        d
    }

    /// `mtype` of a file in the image.
    fn read(image: &Path, path: &str) -> String {
        let out = Command::new("mtype")
            .env("MTOOLS_SKIP_CHECK", "1")
            .arg("-i")
            .arg(image)
            .arg(format!("::/{path}"))
            .output()
            .expect("mtools missing: run scripts/setup.sh");
        assert!(
            out.status.success(),
            "{path}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn listing(image: &Path) -> String {
        let out = Command::new("mdir")
            .env("MTOOLS_SKIP_CHECK", "1")
            .args(["-/", "-b", "-i"])
            .arg(image)
            .arg("::/")
            .output()
            .expect("mtools missing: run scripts/setup.sh");
        String::from_utf8(out.stdout).unwrap()
    }

    #[test]
    fn packer_layout_rules() {
        let d = tree();
        let spec = FloppySpec {
            files: vec!["fl/a.txt".into(), "fl/*.cfg".into(), "fl/dir1".into()],
            dirs: vec!["fl/dir2".into(), "fl/dir1".into()],
            content: BTreeMap::from([
                ("both.txt".to_owned(), "from content".to_owned()),
                ("/meta/user-data".to_owned(), "#cloud-config".to_owned()),
            ]),
            label: "cidata".into(),
        };
        let mut with_both = spec.clone();
        with_both.files.push("fl/both.txt".into());
        assert!(with_both.problems(d.path()).is_empty());
        let image = d.path().join("out/floppy.img");
        std::fs::create_dir(d.path().join("out")).unwrap();
        let ui = RecordingUi::default();
        create(&with_both, d.path(), &image, &ui, &Cancel::new()).unwrap();

        assert_eq!(std::fs::metadata(&image).unwrap().len(), 1_474_560);
        assert_eq!(read(&image, "a.txt"), "a");
        assert_eq!(read(&image, "b.cfg"), "b");
        // floppy_files flattens directories…
        assert_eq!(read(&image, "c.txt"), "c");
        assert_eq!(read(&image, "d.txt"), "d");
        // …floppy_dirs keeps them under their own name.
        assert_eq!(read(&image, "dir2/e.txt"), "e");
        assert_eq!(read(&image, "dir1/sub/d.txt"), "d");
        assert_eq!(read(&image, "both.txt"), "from content");
        assert_eq!(read(&image, "meta/user-data"), "#cloud-config");
        assert_eq!(
            ui.of("message"),
            [
                "Copying files flatly from floppy_files",
                "Copying file: fl/a.txt",
                "Copying file: fl/b.cfg",
                "Copying directory: fl/dir1",
                "Copying file: fl/both.txt",
                "Done copying files from floppy_files",
                "Collecting paths from floppy_dirs",
                "Resulting paths from floppy_dirs : [fl/dir2 fl/dir1]",
                "Recursively copying : fl/dir2",
                "Recursively copying : fl/dir1",
                "Done copying paths from floppy_dirs",
            ]
        );
        let label = Command::new("mlabel")
            .env("MTOOLS_SKIP_CHECK", "1")
            .args(["-s", "-i"])
            .arg(&image)
            .arg("::")
            .output()
            .unwrap();
        let label = String::from_utf8(label.stdout).unwrap();
        assert!(label.contains("cidata"), "{label}");
        // Only the image is left next to it.
        let names: Vec<_> = std::fs::read_dir(d.path().join("out"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["floppy.img"]);
        assert!(listing(&image).contains("::/a.txt"));
    }

    #[test]
    fn problems_and_failures() {
        let d = tree();
        let spec = FloppySpec {
            files: vec!["fl/missing.txt".into(), "fl/*.none".into()],
            dirs: vec!["nodir".into()],
            label: "much-too-long-label".into(),
            ..FloppySpec::default()
        };
        assert_eq!(
            spec.problems(d.path()),
            [
                "Bad Floppy disk file 'fl/missing.txt': stat fl/missing.txt: no such file or directory",
                "Bad Floppy disk directory 'nodir': stat nodir: no such file or directory",
                "floppy_label \"much-too-long-label\" is longer than the 11 characters FAT allows",
            ]
        );
        // More than fits on a floppy.
        std::fs::write(d.path().join("big.bin"), vec![7u8; 2_000_000]).unwrap();
        let spec = FloppySpec {
            files: vec!["big.bin".into()],
            ..FloppySpec::default()
        };
        let image = d.path().join("f.img");
        let err = create(
            &spec,
            d.path(),
            &image,
            &RecordingUi::default(),
            &Cancel::new(),
        )
        .expect_err("an error");
        assert!(
            matches!(err, FloppyError::ToolFailed { tool: "mcopy", .. }),
            "{err}"
        );
        assert!(!image.exists());
    }
}
