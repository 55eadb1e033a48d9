//! `post-processor "docker-import"`: a flat file system tarball (the
//! docker builder's `export_path`) as a one-layer image, written as an
//! OCI layout tagged `repository:tag`.

use crate::builder::common;
use crate::compression::Compression;
use crate::config::RunConfig;
use crate::error::OciError;
use crate::image::platform::Platform;
use crate::image::{BlobRef, Image};
use crate::output::compose::{self, Blob, NewLayer};
use crate::output::{layout, stage};
use kiln_core::component::{ConfigProblem, Validate};
use kiln_core::{Artifact, BuildError, PostProcessCtx, PostProcessed, PostProcessor};
use oci_spec::image::{Arch, ImageConfiguration, Os};
use serde::Deserialize;
use std::io::{Read, Write};
use std::path::PathBuf;

pub const BUILDER_ID: &str = "packer.post-processor.docker-import";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DockerImportConfig {
    pub repository: Option<String>,
    pub tag: Option<String>,
    pub changes: Option<Vec<String>>,
    /// kiln: `os/arch` recorded in the config (default: the host's).
    pub platform: Option<String>,
    /// kiln: where the layout goes (default `output-import`).
    pub output_directory: Option<String>,
}

impl Validate for DockerImportConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        if self.repository.as_deref().unwrap_or("").is_empty() {
            out.push(ConfigProblem::field("repository", "repository must be set"));
        }
        if let Some(t) = self.tag.as_deref().filter(|t| !t.is_empty()) {
            if !common::valid_tag(t) {
                out.push(ConfigProblem::field("tag", format!("invalid tag {t:?}")));
            }
        }
        common::check_platform(self.platform.as_deref(), &mut out);
        common::check_changes(self.changes.as_deref(), &mut out);
        out
    }
}

pub struct DockerImport {
    config: DockerImportConfig,
}

impl From<DockerImportConfig> for DockerImport {
    fn from(config: DockerImportConfig) -> Self {
        DockerImport { config }
    }
}

impl PostProcessor for DockerImport {
    fn post_process(
        &self,
        ctx: &PostProcessCtx<'_>,
        a: &Artifact,
    ) -> Result<PostProcessed, BuildError> {
        let Some(tar) = a.files.first().filter(|f| f.is_file()) else {
            return Err(OciError::NotAnExport(a.builder_id.clone()).into());
        };
        let repo = self.config.repository.clone().unwrap_or_default();
        let tag = self
            .config
            .tag
            .clone()
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "latest".into());
        ctx.ui.message(&format!("Importing image: {}", a.id));
        ctx.ui.message(&format!("Repository: {repo}:{tag}"));
        let dest = PathBuf::from(
            self.config
                .output_directory
                .clone()
                .unwrap_or_else(|| "output-import".into()),
        );
        let staged = stage::dir_for(&dest)?;
        // The tarball becomes the layer, gzipped; its diff id is the
        // digest of the tar itself.
        let work = staged.path().join(".layer");
        let (layer, diff_id) = compress(tar, &work)?;
        let platform = common::platform(self.config.platform.as_deref());
        let base = Image {
            config: config_for(&platform),
            layers: Vec::new(),
            digest: None,
        };
        let mut rc = RunConfig::default();
        for c in self.config.changes.iter().flatten() {
            crate::config::changes::apply(&mut rc, c).map_err(OciError::Change)?;
        }
        let epoch = crate::builder::settings::env_epoch();
        let created = match epoch {
            Some(e) => jiff::Timestamp::from_second(e).unwrap_or(jiff::Timestamp::UNIX_EPOCH),
            None => jiff::Timestamp::now(),
        }
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
        let built = compose::compose(
            &base,
            &[NewLayer {
                blob: layer,
                diff_id,
                created_by: format!("docker-import {}", tar.display()),
            }],
            &rc,
            &compose::Meta {
                created,
                author: None,
                comment: None,
            },
            &[],
        )?;
        layout::fill(&built, staged.path(), std::slice::from_ref(&tag))?;
        let _ = std::fs::remove_file(&work);
        stage::commit_dir(staged, &dest, true)?;
        ctx.ui
            .message(&format!("Imported ID: {}", built.manifest_digest));
        let mut out = Artifact::new(
            BUILDER_ID,
            built.manifest_digest.clone(),
            format!("Imported Docker image: {}", built.manifest_digest),
        )
        .with_files(vec![dest.clone()]);
        let st = &mut out.state;
        st.insert("oci_layout".into(), dest.display().to_string().into());
        st.insert("oci_ref".into(), tag.clone().into());
        st.insert("digest".into(), built.manifest_digest.into());
        st.insert("repository".into(), repo.into());
        st.insert("tags".into(), vec![tag].into());
        Ok(PostProcessed {
            artifact: Some(out),
            keep_input: false,
            force_keep: false,
        })
    }
}

fn config_for(p: &Platform) -> ImageConfiguration {
    let mut c = ImageConfiguration::default();
    c.set_os(Os::from(p.os.as_str()));
    c.set_architecture(Arch::from(p.arch.as_str()));
    c
}

fn compress(tar: &std::path::Path, out: &std::path::Path) -> Result<(Blob, String), BuildError> {
    let io = |e: std::io::Error| OciError::io(format!("import {}", tar.display()), e);
    let f = std::fs::File::open(tar).map_err(io)?;
    let dst = std::fs::File::create(out).map_err(io)?;
    let inner = crate::digest::DigestWriter::new(std::io::BufWriter::new(dst));
    let mut enc = crate::compression::Compressor::new(inner, Compression::Gzip).map_err(io)?;
    let mut r = crate::digest::DigestReader::new(std::io::BufReader::new(f));
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = r.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        enc.write_all(buf.get(..n).unwrap_or_default())
            .map_err(io)?;
    }
    let (w, digest, size) = enc.finish().map_err(io)?.finish();
    w.into_inner()
        .map_err(|e| io(e.into_error()))?
        .sync_all()
        .map_err(io)?;
    Ok((
        Blob {
            media_type: Compression::Gzip.media_type().into(),
            digest,
            size,
            src: BlobRef::whole(out.to_path_buf(), size),
        },
        r.digest(),
    ))
}
