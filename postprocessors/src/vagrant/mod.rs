//! `post-processor "vagrant"`: turn a build's artifact into a Vagrant box
//! (packer-plugin-vagrant's post-processor) for the providers kiln's
//! artifacts can feed: libvirt (qemu, or artifice holding a qcow2 disk),
//! docker (docker-import, docker-tag, docker-push) and file.
//!
//! The box is a tar (gzip unless `compression_level = 0`) of the
//! provider's files, the `include` files, `metadata.json` and the
//! Vagrantfile. The returned artifact is the box; the input is dropped
//! unless `keep_input_artifact = true`, as the plugin's keep rules say.

mod box_file;
mod config;
mod disk;
mod docker;
mod error;
mod file;
mod libvirt;
mod metadata;
mod part;
mod provider;
mod vagrantfile;

pub use config::{VagrantConfig, DEFAULT_OUTPUT};
pub use error::VagrantError;
pub use provider::Provider;

use kiln_core::{Artifact, BuildError, PostProcessCtx, PostProcessed, PostProcessor};
use std::path::{Path, PathBuf};

use crate::output_template;
use box_file::{Entries, Entry};

pub const BUILDER_ID: &str = "mitchellh.post-processor.vagrant";

pub struct Vagrant {
    pub config: VagrantConfig,
}

impl From<VagrantConfig> for Vagrant {
    fn from(config: VagrantConfig) -> Vagrant {
        Vagrant { config }
    }
}

/// A file's name without its folders, as Go's `filepath.Base`.
fn base_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

impl Vagrant {
    fn provider(&self, input: &Artifact) -> Result<Provider, VagrantError> {
        match self.config.provider_override.as_deref() {
            Some(name) if !name.is_empty() => Provider::from_name(name),
            _ => Provider::for_artifact(input),
        }
    }

    fn run(
        &self,
        ctx: &PostProcessCtx<'_>,
        input: &Artifact,
        provider: Provider,
    ) -> Result<Artifact, VagrantError> {
        let name = provider.name();
        let config = self.config.for_provider(name);
        ctx.ui
            .say(&format!("Creating Vagrant box for '{name}' provider"));
        let arch = config.architecture_name();
        let tctx = output_template::context(
            ctx.info,
            ctx.generated,
            &[
                ("ArtifactId", &input.id),
                ("BuildName", &ctx.info.source_name),
                ("Provider", name),
                ("Architecture", &arch),
            ],
        );
        let target = PathBuf::from(
            output_template::render(config.output_template(), &tctx)
                .map_err(VagrantError::Output)?,
        );

        let mut entries = Entries::new();
        for src in config.include.iter().flatten() {
            ctx.ui.message(&format!("Copying from include: {src}"));
            let path = PathBuf::from(src);
            check_include(&path)?;
            entries.insert(base_name(&path), Entry::File(path));
        }
        let part = match provider {
            Provider::Libvirt => libvirt::process(ctx.ui, input)?,
            Provider::Docker => docker::process(input)?,
            Provider::File => file::process(ctx.ui, input),
        };
        for (n, path) in part.files {
            entries.insert(n, Entry::File(path));
        }
        let mut fields = part.metadata;
        if let Some(a) = config.architecture.as_deref().filter(|a| !a.is_empty()) {
            fields.push(("architecture", serde_json::json!(a)));
        }
        // As the plugin's WriteMetadata: an included metadata.json wins.
        entries
            .entry("metadata.json".to_owned())
            .or_insert_with(|| Entry::Bytes(metadata::render(&fields)));
        let custom = custom_vagrantfile(&config, ctx, &tctx)?;
        entries.insert(
            "Vagrantfile".to_owned(),
            Entry::Bytes(vagrantfile::compose(&part.vagrantfile, &custom).into_bytes()),
        );

        let sha256 = box_file::write(
            &box_file::Target {
                path: &target,
                level: config.level(),
                ui: ctx.ui,
                cancel: ctx.cancel,
            },
            &entries,
        )?;
        let mut out = Artifact::new(
            BUILDER_ID,
            name,
            format!("'{name}' provider box: {}", target.display()),
        )
        .with_files(vec![target.clone()]);
        out.sha256.insert(target, sha256);
        Ok(out)
    }
}

/// `vagrantfile_template` read and rendered with the output's data.
fn custom_vagrantfile(
    config: &VagrantConfig,
    ctx: &PostProcessCtx<'_>,
    tctx: &kiln_template::legacy::LegacyContext,
) -> Result<String, VagrantError> {
    let Some(t) = config
        .vagrantfile_template
        .as_deref()
        .filter(|t| !t.is_empty())
    else {
        return Ok(String::new());
    };
    ctx.ui.message(&format!("Using custom Vagrantfile: {t}"));
    let path = PathBuf::from(t);
    let text = std::fs::read_to_string(&path).map_err(|source| VagrantError::ReadVagrantfile {
        path: path.clone(),
        source,
    })?;
    output_template::render(&text, tctx)
        .map_err(|source| VagrantError::RenderVagrantfile { path, source })
}

fn check_include(path: &Path) -> Result<(), VagrantError> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(()),
        Ok(_) => Err(VagrantError::IncludeNotFile {
            path: path.to_owned(),
            message: "not a regular file",
        }),
        Err(source) => Err(VagrantError::Include {
            path: path.to_owned(),
            source,
        }),
    }
}

impl PostProcessor for Vagrant {
    fn post_process(
        &self,
        ctx: &PostProcessCtx<'_>,
        input: &Artifact,
    ) -> Result<PostProcessed, BuildError> {
        let provider = self.provider(input).map_err(BuildError::from)?;
        let artifact = self
            .run(ctx, input, provider)
            .map_err(|e| match ctx.cancel.reason() {
                Some(r) => BuildError::from_reason(r, None),
                None => e.into(),
            })?;
        Ok(PostProcessed {
            artifact: Some(artifact),
            keep_input: provider.box_needs_input(),
            // The plugin forces: the user's keep_input_artifact decides,
            // except that a box naming its input never drops it.
            force_keep: true,
        })
    }
}

#[cfg(test)]
mod tests;
