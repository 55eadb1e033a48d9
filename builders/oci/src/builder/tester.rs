//! The test stage for container images: the output image, as written,
//! becomes the base of a fresh sandbox (unpacked into a new rootfs, its
//! own Env, User and WorkingDir applied), through the same steps a build
//! starts with; nothing of the build is reused. The rootfs and the
//! sandbox go away afterwards, the image is untouched.

use super::settings::{Native, Output, Settings};
use super::state::State;
use super::{sandbox_step, steps};
use crate::error::OciError;
use crate::output::Format;
use crate::source::Source;
use kiln_core::tester::{boot_then, Checks, TestCtx, Tester, IMAGE_CMD, IMAGE_ENTRYPOINT};
use kiln_core::{Artifact, BuildError, Step};
use std::path::Path;

pub struct OciTester {
    pub(super) settings: Settings,
}

/// `kiln test -artifact=PATH`: the image at `PATH`, a directory being a
/// layout and a file an archive of the format the build writes (an
/// oci-archive when the build writes a layout).
pub fn given_output(configured: &Output, path: &Path) -> Output {
    let path = path.to_owned();
    if path.is_dir() {
        return Output::Image {
            format: Format::Layout,
            path,
        };
    }
    match configured {
        Output::Export(_) => Output::Export(path),
        Output::Image {
            format: format @ (Format::OciArchive | Format::DockerArchive),
            ..
        } => Output::Image {
            format: *format,
            path,
        },
        _ => Output::Image {
            format: Format::OciArchive,
            path,
        },
    }
}

impl OciTester {
    /// For `kiln test`: the output an earlier build left, if it is there.
    pub fn existing(&self) -> Option<Artifact> {
        let path = match &self.settings.output {
            Output::Image { path, .. } | Output::Export(path) => path,
            Output::Discard => return None,
        };
        path.exists().then(|| {
            Artifact::new(
                self.settings.builder_id,
                path.display().to_string(),
                format!("the image at {}", path.display()),
            )
        })
    }

    /// The build's output as a base image.
    fn base(&self) -> Result<Source, BuildError> {
        let tag = self.settings.names.tags.first().cloned();
        Ok(match &self.settings.output {
            Output::Image {
                format: Format::Layout,
                path,
            } => Source::Layout {
                path: path.clone(),
                tag,
            },
            Output::Image {
                format: Format::OciArchive,
                path,
            } => Source::OciArchive {
                path: path.clone(),
                tag,
            },
            Output::Image {
                format: Format::DockerArchive,
                path,
            } => Source::DockerArchive {
                path: path.clone(),
                repo_tag: None,
            },
            Output::Export(path) => Source::Rootfs { path: path.clone() },
            Output::Discard => return Err(BuildError::failed(OciError::NothingToTest)),
        })
    }
}

impl Tester for OciTester {
    fn with_machine(
        &self,
        _artifact: &Artifact,
        ctx: &TestCtx<'_>,
        checks: &mut Checks<'_>,
    ) -> Result<(), BuildError> {
        let mut s = self.settings.clone();
        s.base = self.base()?;
        s.output = Output::Discard;
        // The image's config already holds what the build applied.
        s.changes.clear();
        s.native = Native::default();
        let mut state = State::new(s);
        let boot: Vec<Box<dyn Step<State>>> = vec![
            Box::new(steps::StepWorkDir),
            Box::new(steps::StepBase),
            Box::new(steps::StepUnpack),
            Box::new(sandbox_step::StepSandbox),
        ];
        boot_then(boot, &mut state, &ctx.build_ctx(), |state| {
            let mut generated = state.generated.clone();
            let run = state.base.as_ref().and_then(|b| b.config.config().as_ref());
            let list = |v: Option<&Vec<String>>| {
                serde_json::to_string(&v.cloned().unwrap_or_default()).unwrap_or_default()
            };
            generated.insert(
                IMAGE_ENTRYPOINT.into(),
                list(run.and_then(|c| c.entrypoint().as_ref())),
            );
            generated.insert(IMAGE_CMD.into(), list(run.and_then(|c| c.cmd().as_ref())));
            match state.sandbox.as_ref() {
                Some(comm) => checks(comm, &generated),
                None => Err(BuildError::failed(OciError::MissingState {
                    step: "test",
                    what: "sandbox",
                })),
            }
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_given_artifact_is_a_layout_or_an_archive() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("app.tar");
        std::fs::write(&file, "").unwrap();
        let layout = Output::Image {
            format: Format::Layout,
            path: "image".into(),
        };
        let docker = Output::Image {
            format: Format::DockerArchive,
            path: "app.tar".into(),
        };
        let is = |o: Output, f: Format, p: &Path| matches!(o, Output::Image { format, path } if format == f && path == p);
        assert!(is(
            given_output(&docker, dir.path()),
            Format::Layout,
            dir.path()
        ));
        assert!(is(given_output(&layout, &file), Format::OciArchive, &file));
        assert!(is(
            given_output(&docker, &file),
            Format::DockerArchive,
            &file
        ));
        assert!(matches!(
            given_output(&Output::Export("x".into()), &file),
            Output::Export(p) if p == file
        ));
    }
}
