//! Registering a `kiln build` run in the image catalog: after every
//! build (and its post-processors) of the run succeeded, each bucket named
//! by an `hcp_packer_registry` block gets one new version holding its
//! builds. A failed, cancelled or partly failed run registers nothing.

mod records;

pub use records::LOCAL;

use crate::engine::{Outcome, RunCtx};
use kiln_catalog::fingerprint::Fingerprint;
use kiln_catalog::register::NewVersion;
use kiln_template::plan::PlannedBuild;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// What the run registers under, decided before the builds run (the
/// fingerprint is `packer.versionFingerprint` during the build).
pub struct RunIdentity {
    pub fingerprint: Fingerprint,
    pub id: String,
    /// The template as given on the command line.
    pub template: String,
    /// Its folder.
    pub dir: std::path::PathBuf,
}

impl RunIdentity {
    pub fn new(template: &std::path::Path) -> RunIdentity {
        let dir = if template.is_dir() {
            template.to_path_buf()
        } else {
            template
                .parent()
                .map(|p| p.to_path_buf())
                .unwrap_or_default()
        };
        RunIdentity {
            fingerprint: kiln_catalog::fingerprint::of_template(&dir),
            id: ulid::Ulid::new().to_string(),
            template: template.display().to_string(),
            dir,
        }
    }
}

/// The bucket a build block registers in: `HCP_PACKER_BUCKET_NAME`, else
/// the block's `bucket_name`, else the build's name (Packer's order).
fn bucket_of(
    reg: &kiln_template::config::hcp_registry::HcpRegistry,
    build: &PlannedBuild,
) -> String {
    std::env::var("HCP_PACKER_BUCKET_NAME")
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| reg.bucket_name.clone().filter(|s| !s.is_empty()))
        .or_else(|| build.build_name.clone())
        .unwrap_or_default()
}

/// Does the run register anything? Said before the builds start, so a
/// bad bucket name or an unreachable catalog stops the run early.
pub fn check(
    ctx_cfg: &kiln_template::config::Config,
    builds: &[PlannedBuild],
) -> Result<bool, String> {
    let mut any = false;
    for b in builds {
        let Some(reg) = ctx_cfg.registry_for(b.build_index) else {
            continue;
        };
        any = true;
        let bucket = bucket_of(reg, b);
        if bucket.is_empty() {
            return Err(format!(
                "{}: hcp_packer_registry needs a bucket_name (or a named build, or HCP_PACKER_BUCKET_NAME)",
                b.name
            ));
        }
        kiln_catalog::names::check_bucket(&bucket).map_err(|e| e.to_string())?;
        for c in &reg.channels {
            kiln_catalog::names::check_channel(c).map_err(|e| e.to_string())?;
        }
    }
    Ok(any)
}

/// Register the run; the exit code to end with.
pub fn register(
    ctx: &RunCtx<'_>,
    identity: &RunIdentity,
    builds: &[PlannedBuild],
    outcomes: &[Option<Outcome>],
    code: i32,
) -> i32 {
    let console = &ctx.console;
    let mut by_bucket: BTreeMap<
        String,
        (
            Vec<usize>,
            &kiln_template::config::hcp_registry::HcpRegistry,
        ),
    > = BTreeMap::new();
    for (i, b) in builds.iter().enumerate() {
        if let Some(reg) = ctx.cfg.registry_for(b.build_index) {
            by_bucket
                .entry(bucket_of(reg, b))
                .or_insert((Vec::new(), reg))
                .0
                .push(i);
        }
    }
    if by_bucket.is_empty() {
        return code;
    }
    let complete = code == 0
        && !ctx.cancel.is_cancelled()
        && outcomes
            .iter()
            .all(|o| o.as_ref().is_some_and(|o| o.error.is_none()));
    if !complete {
        console.error("\n==> The run did not complete: nothing was registered in the catalog.");
        return if code == 0 { 1 } else { code };
    }
    let catalog = match kiln_catalog::locate::from_env() {
        Ok(c) => c,
        Err(e) => {
            console.error(&format!("\n==> Catalog: {e}"));
            return 1;
        }
    };
    let parents = kiln_catalog::datasource::parents();
    let template_digest = template_digest(ctx.cfg);
    let mut code = code;
    for (bucket, (members, reg)) in by_bucket {
        let new = NewVersion {
            bucket: bucket.clone(),
            id: identity.id.clone(),
            fingerprint: identity.fingerprint.value.clone(),
            fingerprint_source: identity.fingerprint.source.to_owned(),
            template_path: identity.template.clone(),
            template_digest: template_digest.clone(),
            kiln_version: env!("CARGO_PKG_VERSION").to_owned(),
            author: kiln_catalog::identity::who(),
            description: reg.description.clone().unwrap_or_default(),
            bucket_labels: reg.bucket_labels.clone(),
            build_labels: reg.build_labels.clone(),
            run_uuid: ctx.run_uuid.clone(),
            builds: members
                .iter()
                .filter_map(|&i| {
                    let o = outcomes[i].as_ref()?;
                    Some(records::build(&builds[i], o, reg))
                })
                .collect(),
            parents: parents.clone(),
        };
        match catalog.register(&new) {
            Ok(rec) => {
                console.say(&format!(
                    "\n==> Registered {}:v{} in the catalog at {} (fingerprint {})",
                    rec.bucket,
                    rec.version,
                    catalog.location(),
                    rec.fingerprint
                ));
                for ch in &reg.channels {
                    match catalog.promote(
                        &rec.bucket,
                        rec.version,
                        ch,
                        "hcp_packer_registry channels",
                    ) {
                        Ok(_) => console.say(&format!("    channel {ch} → v{}", rec.version)),
                        Err(e) => {
                            console.error(&format!("==> Catalog: {e}"));
                            code = 1;
                        }
                    }
                }
            }
            Err(e) => {
                console.error(&format!("\n==> Catalog: registering {bucket} failed: {e}"));
                code = 1;
            }
        }
    }
    code
}

/// sha256 over the configuration's files, by name.
fn template_digest(cfg: &kiln_template::config::Config) -> String {
    let mut files: Vec<(String, String)> = cfg
        .files
        .iter()
        .filter_map(|f| cfg.sources().get(f.file))
        .map(|f| (f.name.clone(), f.text.clone()))
        .collect();
    files.sort();
    let mut h = Sha256::new();
    for (name, text) in files {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
        h.update([0]);
    }
    format!("sha256:{}", hex::encode(h.finalize()))
}
