//! docker-archive: `docker save`'s format, which `docker load`, `podman
//! load` and skopeo read: `manifest.json`, `repositories`, the config and
//! one uncompressed `layer.tar` per layer (so its digest is its diff id).

use super::compose::Built;
use super::oci_archive::{dir, file};
use super::{stage, Names, WriteOptions};
use crate::canonical_json;
use crate::digest::encoded;
use crate::error::{IoContext, OciError};
use crate::image::docker_archive::SaveEntry;
use std::collections::BTreeMap;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

pub fn write(
    built: &Built,
    dest: &Path,
    names: &Names,
    opts: &WriteOptions,
) -> Result<(), OciError> {
    stage::check_free(dest, opts.force)?;
    let staged = stage::file_for(dest)?;
    let werr = |e: io::Error| OciError::io(format!("write {}", dest.display()), e);
    let config_name = format!("{}.json", encoded(&built.config_digest).unwrap_or_default());
    let mut layer_names = Vec::new();
    {
        let mut tar = tar::Builder::new(BufWriter::new(staged.as_file()));
        // Layers are stored uncompressed: decompress each into a scratch
        // file first, since a tar member needs its size up front.
        for (l, diff_id) in built.layers.iter().zip(&built.diff_ids) {
            let hex = encoded(diff_id).unwrap_or_default();
            let name = format!("{hex}/layer.tar");
            if layer_names.contains(&name) {
                layer_names.push(name);
                continue;
            }
            let mut scratch = tempfile::tempfile_in(stage::parent_of(dest))
                .ctx(|| format!("create a file next to {}", dest.display()))?;
            let n = io::copy(&mut l.src.tar()?, &mut scratch).map_err(werr)?;
            scratch.seek(SeekFrom::Start(0)).map_err(werr)?;
            dir(&mut tar, &format!("{hex}/"), opts.epoch).map_err(werr)?;
            file(&mut tar, &name, n, &mut scratch, opts.epoch).map_err(werr)?;
            layer_names.push(name);
        }
        file(
            &mut tar,
            &config_name,
            built.config.len() as u64,
            built.config.as_slice(),
            opts.epoch,
        )
        .map_err(werr)?;
        let repo_tags: Vec<String> = names
            .tags
            .iter()
            .map(|t| format!("{}:{t}", names.repository))
            .collect();
        let manifest = vec![SaveEntry {
            config: config_name.clone(),
            repo_tags: Some(repo_tags),
            layers: layer_names.clone(),
        }];
        let manifest = canonical_json::to_vec("manifest.json", &manifest)?;
        file(
            &mut tar,
            "manifest.json",
            manifest.len() as u64,
            manifest.as_slice(),
            opts.epoch,
        )
        .map_err(werr)?;
        let top = built
            .diff_ids
            .last()
            .and_then(|d| encoded(d))
            .unwrap_or_default()
            .to_owned();
        let repos: BTreeMap<&str, BTreeMap<&str, &str>> = BTreeMap::from([(
            names.repository.as_str(),
            names
                .tags
                .iter()
                .map(|t| (t.as_str(), top.as_str()))
                .collect(),
        )]);
        let repos = canonical_json::to_vec("repositories", &repos)?;
        file(
            &mut tar,
            "repositories",
            repos.len() as u64,
            repos.as_slice(),
            opts.epoch,
        )
        .map_err(werr)?;
        let mut w = tar.into_inner().map_err(werr)?;
        w.flush().map_err(werr)?;
    }
    stage::commit_file(staged, dest, opts.force)
}
