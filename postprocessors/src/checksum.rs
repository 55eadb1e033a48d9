//! `post-processor "checksum"`: write the digests of an artifact's files
//! to checksum files, one line `HASH<TAB>BASENAME` per file, appended to
//! whatever the file already holds (Packer opens it with `O_APPEND`).
//!
//! Each checksum file is updated under a side lock and replaced atomically
//! (parallel builds may share one `SHA256SUMS`). Every file is read once
//! whatever the number of checksum types.

use kiln_core::component::{ConfigProblem, Validate};
use kiln_core::{Artifact, BuildError, PostProcessCtx, PostProcessed, PostProcessor};
use kiln_gocompat::atomic::write_file as replace_file;
use serde::Deserialize;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::digest::{digest_open, HashKind};
use crate::error::PostProcessError;
use crate::lock::SideLock;
use crate::output_template;
use crate::watch::fail;

pub const BUILDER_ID: &str = "packer.post-processor.checksum";
pub const DEFAULT_OUTPUT: &str =
    "packer_{{.BuildName}}_{{.BuilderType}}_{{.ChecksumType}}.checksum";

/// Packer's checksum fields.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecksumConfig {
    /// `md5` when not set; an empty list writes nothing.
    pub checksum_types: Option<Vec<String>>,
    /// Legacy template with `.BuildName`, `.BuilderType`, `.ChecksumType`
    /// and the build's generated values.
    pub output: Option<String>,
}

impl Validate for ChecksumConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        for t in self.checksum_types.iter().flatten() {
            if HashKind::parse(t).is_none() {
                out.push(ConfigProblem::field(
                    "checksum_types",
                    format!("Unrecognized checksum type: {t}"),
                ));
            }
        }
        if let Some(o) = &self.output {
            out.extend(output_template::check("output", o));
        }
        out
    }
}

pub struct Checksum {
    pub config: ChecksumConfig,
}

impl From<ChecksumConfig> for Checksum {
    fn from(config: ChecksumConfig) -> Checksum {
        Checksum { config }
    }
}

impl Checksum {
    fn kinds(&self) -> Vec<HashKind> {
        match &self.config.checksum_types {
            None => vec![HashKind::Md5],
            // Validation refused unknown names.
            Some(types) => types.iter().filter_map(|t| HashKind::parse(t)).collect(),
        }
    }

    fn run(
        &self,
        ctx: &PostProcessCtx<'_>,
        input: &Artifact,
    ) -> Result<Artifact, PostProcessError> {
        let kinds = self.kinds();
        let digests = file_digests(input, &kinds, ctx)?;
        let template = self.config.output.as_deref().unwrap_or(DEFAULT_OUTPUT);

        // Lines per checksum file, in Packer's order (types, then files),
        // files in the order they are first written.
        let mut outputs: Vec<(PathBuf, String)> = Vec::new();
        for (ki, kind) in kinds.iter().enumerate() {
            let tctx = output_template::context(
                ctx.info,
                ctx.generated,
                &[
                    ("BuildName", &ctx.info.source_name),
                    ("BuilderType", &ctx.info.builder_type),
                    ("ChecksumType", kind.name()),
                ],
            );
            for (file, sums) in input.files.iter().zip(&digests) {
                // Rendered per file, as Packer does: `{{ uuid }}` differs each time.
                let out = PathBuf::from(
                    output_template::render(template, &tctx).map_err(PostProcessError::Output)?,
                );
                let base = file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let line = format!("{}\t{base}\n", sums.get(ki).map_or("", String::as_str));
                match outputs.iter_mut().find(|(p, _)| *p == out) {
                    Some((_, lines)) => lines.push_str(&line),
                    None => outputs.push((out, line)),
                }
            }
        }

        let mut files = input.files.clone();
        for (path, lines) in &outputs {
            // Packer lists only checksum files this run created.
            if fs::metadata(path).is_err() {
                files.push(path.clone());
            }
            append(path, lines, ctx)?;
        }
        let list: Vec<_> = files
            .iter()
            .map(|f| f.to_string_lossy().into_owned())
            .collect();
        let mut out = Artifact::new(
            BUILDER_ID,
            "",
            format!("Created artifact from files: {}", list.join(", ")),
        )
        .with_files(files);
        out.sha256 = input.sha256.clone();
        if let Some(ki) = kinds.iter().position(|k| *k == HashKind::Sha256) {
            for (file, sums) in input.files.iter().zip(&digests) {
                if let Some(s) = sums.get(ki) {
                    out.sha256.insert(file.clone(), s.clone());
                }
            }
        }
        Ok(out)
    }
}

/// Digests of every input file, one list per file in `kinds` order. A
/// sha256 the producer already knows is not computed again.
fn file_digests(
    input: &Artifact,
    kinds: &[HashKind],
    ctx: &PostProcessCtx<'_>,
) -> Result<Vec<Vec<String>>, PostProcessError> {
    let mut all = Vec::with_capacity(input.files.len());
    for file in &input.files {
        if kinds.is_empty() {
            all.push(Vec::new());
            continue;
        }
        if let (true, Some(known)) = (kinds == [HashKind::Sha256], input.sha256.get(file)) {
            all.push(vec![known.clone()]);
            continue;
        }
        let f = fs::File::open(file).map_err(|source| PostProcessError::OpenInput {
            path: file.clone(),
            source,
        })?;
        let sums = digest_open(f, kinds, ctx.cancel).map_err(|source| PostProcessError::Hash {
            kind: kinds.first().map_or("", |k| k.name()),
            path: file.clone(),
            source,
        })?;
        all.push(sums);
    }
    Ok(all)
}

/// Add `lines` to the end of `path`, creating it (and its directory).
fn append(path: &Path, lines: &str, ctx: &PostProcessCtx<'_>) -> Result<(), PostProcessError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(PostProcessError::CreateDir)?;
    }
    let _lock = SideLock::acquire(path, ctx.cancel)?;
    let mut contents = match fs::read(path) {
        Ok(c) => c,
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(source) => {
            return Err(PostProcessError::Read {
                path: path.to_owned(),
                source,
            })
        }
    };
    contents.extend_from_slice(lines.as_bytes());
    replace_file(path, 0o644, &contents).map_err(|source| PostProcessError::Write {
        path: path.to_owned(),
        source,
    })
}

impl PostProcessor for Checksum {
    fn post_process(
        &self,
        ctx: &PostProcessCtx<'_>,
        input: &Artifact,
    ) -> Result<PostProcessed, BuildError> {
        let artifact = self.run(ctx, input).map_err(|e| fail(ctx.cancel, e))?;
        // Keep and force-keep: never delete the files just checksummed.
        Ok(PostProcessed {
            artifact: Some(artifact),
            keep_input: true,
            force_keep: true,
        })
    }
}

#[cfg(test)]
mod tests;
