//! `post-processor "compress"`: pack an artifact's files into one
//! archive (tar or zip), compressed with gzip, bgzf, lz4, xz or zstd, or
//! compress its single file. gzip, bgzf, xz and zstd use every core.
//!
//! As in Packer the output is replaced if it exists (Packer's compress
//! does not look at `-force`), the format comes from the output name (see
//! `format`), and the result is a new artifact whose input is not kept
//! unless `keep_input_artifact` says so.

mod archive;
mod encoder;
mod format;
mod owners;

pub use format::{Algorithm, Archive, Format};

use kiln_core::component::{ConfigProblem, Validate};
use kiln_core::{Artifact, BuildError, PostProcessCtx, PostProcessed, PostProcessor};
use kiln_gocompat::atomic::AtomicFile;
use serde::Deserialize;
use std::fs::{self, File};
use std::io::BufWriter;
use std::path::PathBuf;

use crate::digest::Sha256Writer;
use crate::error::PostProcessError;
use crate::output_template;
use crate::watch::fail;
use archive::Watch;
use encoder::Encoder;

pub const BUILDER_ID: &str = "packer.post-processor.compress";
/// No extension: a gzipped tar.
pub const DEFAULT_OUTPUT: &str = "packer_{{.BuildName}}_{{.BuilderType}}";

/// Packer's compress fields (`keep_input_artifact` is a meta-argument the
/// engine applies).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompressConfig {
    /// Legacy template with `.BuildName`, `.BuilderType` and the build's
    /// generated values; its extension picks the format.
    pub output: Option<String>,
    /// Format to use whatever the output's extension (`tar.gz`, `zst`…).
    pub format: Option<String>,
    /// 1 (fast) to 9 (small), 22 for zstd; 0 and -1 mean the default.
    pub compression_level: Option<i64>,
}

impl CompressConfig {
    fn output_template(&self) -> &str {
        self.output.as_deref().unwrap_or(DEFAULT_OUTPUT)
    }

    /// What will be written.
    pub fn detect(&self) -> Result<Format, String> {
        format::detect(self.output_template(), self.format.as_deref())
    }
}

impl Validate for CompressConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        if let Some(o) = &self.output {
            out.extend(output_template::check("output", o));
        }
        if let Err(e) = self.detect() {
            let field = if self.format.is_some() {
                "format"
            } else {
                "output"
            };
            out.push(ConfigProblem::field(field, e));
        }
        if self.compression_level.is_some_and(|l| l < -1) {
            out.push(ConfigProblem::field(
                "compression_level",
                PostProcessError::Level.to_string(),
            ));
        }
        out
    }
}

/// The level to use: Packer reads 0 and -1 as "default" and lowers levels
/// above the maximum to it. zip entries are deflated, so they take gzip's.
fn level(algorithm: Option<Algorithm>, configured: Option<i64>) -> Result<i64, PostProcessError> {
    let a = algorithm.unwrap_or(Algorithm::Gzip);
    match configured.unwrap_or(0) {
        l if l < -1 => Err(PostProcessError::Level),
        -1 | 0 => Ok(a.default_level()),
        l => Ok(l.min(a.max_level())),
    }
}

pub struct Compress {
    pub config: CompressConfig,
}

impl From<CompressConfig> for Compress {
    fn from(config: CompressConfig) -> Compress {
        Compress { config }
    }
}

impl Compress {
    fn run(
        &self,
        ctx: &PostProcessCtx<'_>,
        input: &Artifact,
    ) -> Result<Artifact, PostProcessError> {
        let format = self.config.detect().map_err(PostProcessError::Format)?;
        let level = level(format.algorithm, self.config.compression_level)?;
        let tctx = output_template::context(
            ctx.info,
            ctx.generated,
            &[
                ("BuildName", &ctx.info.source_name),
                ("BuilderType", &ctx.info.builder_type),
            ],
        );
        let target = PathBuf::from(
            output_template::render(self.config.output_template(), &tctx)
                .map_err(PostProcessError::Output)?,
        );
        let t = target.display().to_string();
        // Checked before anything is created (Packer leaves an empty
        // output behind here).
        let single = match format.archive {
            Some(_) => None,
            None => match input.files.as_slice() {
                [one] => Some(one.clone()),
                files => {
                    return Err(PostProcessError::WrongInputCount {
                        count: files.len(),
                        files: files.iter().map(|f| f.display().to_string()).collect(),
                    })
                }
            },
        };

        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|source| PostProcessError::ArchiveDir {
                path: target.clone(),
                source,
            })?;
        }
        let create_err = |source| PostProcessError::CreateArchive {
            path: target.clone(),
            source,
        };
        let staged = AtomicFile::create(&target, 0o666).map_err(create_err)?;
        let file = staged.file().try_clone().map_err(create_err)?;
        let sink = Sha256Writer::new(BufWriter::with_capacity(1 << 20, file));

        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let compression = format.algorithm.map_or("no compression", Algorithm::name);
        if let Some(a) = format.algorithm {
            let n = encoder::threads_for(a, cores);
            let unit = if n == 1 { "core" } else { "cores" };
            ctx.ui.say(&format!(
                "Using {} compression with {n} {unit} for {t}",
                a.name()
            ));
        }
        let mut enc = Encoder::new(sink, format.algorithm, level, cores).map_err(|e| {
            PostProcessError::Format(format!("error creating {compression} writer: {e}"))
        })?;

        let total = input
            .files
            .iter()
            .filter_map(|f| fs::metadata(f).ok())
            .map(|m| m.len())
            .sum();
        let progress = ctx.ui.progress(&format!("Compressing {t}"), Some(total));
        let watch = Watch {
            cancel: ctx.cancel,
            progress: progress.as_ref(),
        };
        let enc = match (format.archive, single) {
            (Some(Archive::Tar), _) => {
                ctx.ui.say(&format!("Tarring {t} with {compression}"));
                archive::tar(&input.files, enc, &watch).map_err(PostProcessError::Tar)?
            }
            (Some(Archive::Zip), _) => {
                ctx.ui.say(&format!("Zipping {t}"));
                archive::zip(&input.files, enc, level, &watch).map_err(PostProcessError::Zip)?
            }
            (None, Some(file)) => {
                ctx.ui
                    .say(&format!("Archiving {} with {compression}", file.display()));
                let src = File::open(&file).map_err(|source| PostProcessError::OpenSource {
                    path: file.clone(),
                    source,
                })?;
                archive::single(src, &mut enc, &watch).map_err(|source| {
                    PostProcessError::Compress {
                        path: file.clone(),
                        source,
                    }
                })?;
                enc
            }
            (None, None) => enc,
        };
        progress.finish();
        let write_err = |source| PostProcessError::Write {
            path: target.clone(),
            source,
        };
        let (buffered, sha256) = enc.finish().map_err(write_err)?.finish();
        buffered
            .into_inner()
            .map_err(|e| write_err(e.into_error()))?;
        staged.commit().map_err(write_err)?;
        ctx.ui.say(&format!("Archive {t} completed"));

        let mut out = Artifact::new(BUILDER_ID, "", format!("compressed artifacts in: {t}"))
            .with_files(vec![target.clone()]);
        out.sha256.insert(target, sha256);
        Ok(out)
    }
}

impl PostProcessor for Compress {
    fn post_process(
        &self,
        ctx: &PostProcessCtx<'_>,
        input: &Artifact,
    ) -> Result<PostProcessed, BuildError> {
        let artifact = self.run(ctx, input).map_err(|e| fail(ctx.cancel, e))?;
        // Packer returns keep = false, force = false: the input goes unless
        // the user keeps it.
        Ok(PostProcessed {
            artifact: Some(artifact),
            keep_input: false,
            force_keep: false,
        })
    }
}

#[cfg(test)]
mod tests;
