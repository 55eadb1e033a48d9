//! The SLSA provenance statement of one artifact, in kiln's build type
//! (README, "Supply chain"): the template by path and digest with its git
//! commit and remote, the non-sensitive variables, `-only`/`-except`;
//! the base image, uploaded files and scripts as resolved dependencies;
//! the run's id and times.

use super::Facts;
use crate::engine::RunCtx;
use kiln_attest::provenance::{
    BuildDefinition, Builder, Metadata, Provenance, RunDetails, BUILD_TYPE, PREDICATE_TYPE,
};
use kiln_attest::{ResourceDescriptor, Statement};
use kiln_core::Artifact;
use kiln_template::plan::PlannedBuild;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// `builder.id` unless `KILN_BUILDER_ID` names the platform (a CI
/// runner's URI, say).
const DEFAULT_BUILDER_ID: &str = "https://kiln.dev/builder/local/v1";

pub struct Times {
    pub started: jiff::Timestamp,
    pub finished: jiff::Timestamp,
}

pub fn statement(
    run: &RunCtx<'_>,
    pb: &PlannedBuild,
    artifact: &Artifact,
    subject: ResourceDescriptor,
    facts: &Facts,
    times: &Times,
) -> Statement {
    let mut deps = Vec::new();
    if let Some(base) = artifact.state.get(kiln_core::artifact::BASE_IMAGE) {
        let digest: BTreeMap<String, String> = base
            .get("digest")
            .and_then(|d| serde_json::from_value(d.clone()).ok())
            .unwrap_or_default();
        deps.push(ResourceDescriptor {
            name: Some("base image".into()),
            uri: base.get("uri").and_then(|u| u.as_str()).map(str::to_owned),
            digest,
            ..ResourceDescriptor::default()
        });
    }
    deps.extend(facts.dependencies.iter().cloned());
    let predicate = Provenance {
        build_definition: BuildDefinition {
            build_type: BUILD_TYPE.into(),
            external_parameters: external(run, pb),
            internal_parameters: json!({
                "builderType": pb.source_type,
                "artifactBuilderId": artifact.builder_id,
            }),
            resolved_dependencies: deps,
        },
        run_details: RunDetails {
            builder: Builder {
                id: std::env::var("KILN_BUILDER_ID")
                    .ok()
                    .filter(|v| !v.trim().is_empty())
                    .unwrap_or_else(|| DEFAULT_BUILDER_ID.into()),
                version: BTreeMap::from([("kiln".into(), env!("CARGO_PKG_VERSION").into())]),
            },
            metadata: Metadata {
                invocation_id: run.run_uuid.clone(),
                started_on: rfc3339(times.started),
                finished_on: rfc3339(times.finished),
            },
            byproducts: Vec::new(),
        },
    };
    Statement::new(
        vec![subject],
        PREDICATE_TYPE,
        serde_json::to_value(predicate).unwrap_or(Value::Null),
    )
}

fn rfc3339(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn external(run: &RunCtx<'_>, pb: &PlannedBuild) -> Value {
    let p = &run.opts.provenance;
    let mut out = Map::new();
    let mut template = Map::new();
    if let Some(path) = &p.template {
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.clone());
        template.insert("path".into(), abs.display().to_string().into());
        if let Ok(d) = kiln_core::step_cache::digest_path(path) {
            template.insert("digest".into(), json!({ "sha256": d }));
        }
        if let Some(git) = &p.git {
            template.insert(
                "git".into(),
                json!({ "commit": git.commit, "remote": git.remote, "dirty": git.dirty }),
            );
        }
    }
    out.insert("template".into(), Value::Object(template));
    out.insert("build".into(), pb.name.clone().into());
    // Sensitive variables are left out by name and value: their names
    // can say what they hold.
    let vars: Map<String, Value> = run
        .cfg
        .variables
        .iter()
        .filter(|(_, v)| !v.sensitive)
        .map(|(k, v)| (k.clone(), v.value.to_json()))
        .collect();
    out.insert("variables".into(), Value::Object(vars));
    if !p.only.is_empty() {
        out.insert("only".into(), json!(p.only));
    }
    if !p.except.is_empty() {
        out.insert("except".into(), json!(p.except));
    }
    Value::Object(out)
}
