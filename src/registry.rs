//! Block type name → component factory. Adding a builder, provisioner or
//! post-processor is one line here plus its own crate or module.
//!
//! A factory decodes an evaluated body into the component's typed config,
//! runs the config's own validation, and builds the component; `validate`
//! uses the same factories and throws the component away.

use kiln_core::component::Validate;
use kiln_core::{Builder, PostProcessor, Provisioner};
use kiln_template::decode::{decode, EvaluatedBody};
use kiln_template::plan::{ComponentKind, Components, Selection};
use kiln_template::{config::Config, Diagnostic, Diagnostics};
use serde::de::DeserializeOwned;

pub type Make<T> = fn(&EvaluatedBody) -> Result<Box<T>, Diagnostics>;

const BUILDERS: &[(&str, Make<dyn Builder>)] = &[
    (
        "docker",
        builder::<kiln_builder_oci::DockerConfig, kiln_builder_oci::DockerBuilder>,
    ),
    (
        "file",
        builder::<kiln_builder_file::FileConfig, kiln_builder_file::FileBuilder>,
    ),
    (
        "null",
        builder::<kiln_builder_null::NullConfig, kiln_builder_null::NullBuilder>,
    ),
    (
        "oci",
        builder::<kiln_builder_oci::OciConfig, kiln_builder_oci::OciBuilder>,
    ),
    (
        "qemu",
        builder::<kiln_builder_qemu::QemuConfig, kiln_builder_qemu::QemuBuilder>,
    ),
];

/// Builders behind cargo features: heavy SDKs stay out of default builds.
#[cfg(feature = "amazon")]
const FEATURE_BUILDERS: &[(&str, Make<dyn Builder>)] = &[(
    "amazon-ebs",
    builder::<kiln_builder_amazon::AmazonConfig, kiln_builder_amazon::AmazonBuilder>,
)];
#[cfg(not(feature = "amazon"))]
const FEATURE_BUILDERS: &[(&str, Make<dyn Builder>)] = &[];

/// Builders this binary was built without: type name → the cargo feature
/// that brings it.
#[cfg(not(feature = "amazon"))]
const MISSING_BUILDERS: &[(&str, &str, &str)] = &[("amazon-ebs", "amazon", "Amazon")];
#[cfg(feature = "amazon")]
const MISSING_BUILDERS: &[(&str, &str, &str)] = &[];

const PROVISIONERS: &[(&str, Make<dyn Provisioner>)] = &[
    (
        "breakpoint",
        provisioner::<
            kiln_provisioners::breakpoint::BreakpointConfig,
            kiln_provisioners::breakpoint::Breakpoint,
        >,
    ),
    (
        "file",
        provisioner::<kiln_provisioners::file::FileConfig, kiln_provisioners::file::File>,
    ),
    (
        "shell",
        provisioner::<kiln_provisioners::shell::ShellConfig, kiln_provisioners::shell::Shell>,
    ),
    (
        "shell-local",
        provisioner::<
            kiln_provisioners::shell_local::ShellLocalConfig,
            kiln_provisioners::shell_local::ShellLocal,
        >,
    ),
];

const POST_PROCESSORS: &[(&str, Make<dyn PostProcessor>)] = &[
    (
        "checksum",
        post_processor::<kiln_postprocessors::ChecksumConfig, kiln_postprocessors::Checksum>,
    ),
    (
        "compress",
        post_processor::<kiln_postprocessors::CompressConfig, kiln_postprocessors::Compress>,
    ),
    (
        "docker-import",
        post_processor::<kiln_builder_oci::DockerImportConfig, kiln_builder_oci::DockerImport>,
    ),
    (
        "docker-push",
        post_processor::<kiln_builder_oci::DockerPushConfig, kiln_builder_oci::DockerPush>,
    ),
    (
        "docker-save",
        post_processor::<kiln_builder_oci::DockerSaveConfig, kiln_builder_oci::DockerSave>,
    ),
    (
        "docker-tag",
        post_processor::<kiln_builder_oci::DockerTagConfig, kiln_builder_oci::DockerTag>,
    ),
    (
        "manifest",
        post_processor::<kiln_postprocessors::ManifestConfig, kiln_postprocessors::Manifest>,
    ),
    (
        "oci-push",
        post_processor::<kiln_builder_oci::DockerPushConfig, kiln_builder_oci::DockerPush>,
    ),
    (
        "shell-local",
        post_processor::<
            kiln_provisioners::shell_local::ShellLocalConfig,
            kiln_provisioners::shell_local::ShellLocal,
        >,
    ),
];

fn builder<C, B>(body: &EvaluatedBody) -> Result<Box<dyn Builder>, Diagnostics>
where
    C: DeserializeOwned + Validate,
    B: Builder + From<C> + 'static,
{
    config::<C>(body).map(|c| Box::new(B::from(c)) as Box<dyn Builder>)
}

fn provisioner<C, P>(body: &EvaluatedBody) -> Result<Box<dyn Provisioner>, Diagnostics>
where
    C: DeserializeOwned + Validate,
    P: Provisioner + From<C> + 'static,
{
    config::<C>(body).map(|c| Box::new(P::from(c)) as Box<dyn Provisioner>)
}

fn post_processor<C, P>(body: &EvaluatedBody) -> Result<Box<dyn PostProcessor>, Diagnostics>
where
    C: DeserializeOwned + Validate,
    P: PostProcessor + From<C> + 'static,
{
    config::<C>(body).map(|c| Box::new(P::from(c)) as Box<dyn PostProcessor>)
}

/// Decode a body into `C`, then run its own validation, pointing each
/// problem at the attribute it names.
fn config<C: DeserializeOwned + Validate>(body: &EvaluatedBody) -> Result<C, Diagnostics> {
    let config: C = decode(body)?;
    let mut diags = Diagnostics::new();
    // A value only the build knows (`build.*`) decodes as unset until the
    // engine decodes the body again with real values: a problem with such
    // an attribute, or with the block while one of its attributes is still
    // unknown ("Destination must be specified."), waits for that decode.
    let unknown = |a: &kiln_template::decode::EvaluatedAttr| !a.value.is_wholly_known();
    let any_unknown = body.attrs.values().any(unknown);
    for p in config.validate() {
        let deferred = match p.field {
            Some(f) => body.attrs.get(f).is_some_and(unknown),
            None => any_unknown,
        };
        if deferred {
            continue;
        }
        let span = p
            .field
            .and_then(|f| body.attrs.get(f))
            .and_then(|a| a.span.clone())
            .or_else(|| body.span.clone());
        diags.push(Diagnostic::error("Invalid configuration", p.message).at(span));
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(config)
    }
}

fn find<T: ?Sized>(table: &[(&'static str, Make<T>)], name: &str) -> Option<Make<T>> {
    table.iter().find(|(n, _)| *n == name).map(|(_, m)| *m)
}

pub fn make_builder(
    name: &str,
    body: &EvaluatedBody,
) -> Option<Result<Box<dyn Builder>, Diagnostics>> {
    if let Some(diags) = missing_builder(name, body) {
        return Some(Err(diags));
    }
    find(BUILDERS, name)
        .or_else(|| find(FEATURE_BUILDERS, name))
        .map(|m| m(body))
}

/// A clear error for a builder kiln has but this binary was built
/// without.
fn missing_builder(name: &str, body: &EvaluatedBody) -> Option<Diagnostics> {
    let (_, feature, what) = MISSING_BUILDERS.iter().find(|(n, _, _)| *n == name)?;
    let mut diags = Diagnostics::new();
    diags.push(
        Diagnostic::error(
            "Builder not available",
            format!(
                "this kiln binary was built without {what} support, so it cannot run `source \"{name}\"`: rebuild it with `cargo build --features {feature}`"
            ),
        )
        .at(body.span.clone()),
    );
    Some(diags)
}

pub fn make_provisioner(
    name: &str,
    body: &EvaluatedBody,
) -> Option<Result<Box<dyn Provisioner>, Diagnostics>> {
    find(PROVISIONERS, name).map(|m| m(body))
}

pub fn make_post_processor(
    name: &str,
    body: &EvaluatedBody,
) -> Option<Result<Box<dyn PostProcessor>, Diagnostics>> {
    find(POST_PROCESSORS, name).map(|m| m(body))
}

fn names<T: ?Sized>(table: &[(&'static str, Make<T>)]) -> Vec<&'static str> {
    table.iter().map(|(n, _)| *n).collect()
}

pub struct Registry;

impl Components for Registry {
    fn check(
        &self,
        kind: ComponentKind,
        type_name: &str,
        body: &EvaluatedBody,
    ) -> Option<Diagnostics> {
        let diags = |r: Result<(), Diagnostics>| r.err().unwrap_or_default();
        match kind {
            ComponentKind::Builder => make_builder(type_name, body).map(|r| diags(r.map(drop))),
            ComponentKind::Provisioner => {
                make_provisioner(type_name, body).map(|r| diags(r.map(drop)))
            }
            ComponentKind::PostProcessor => {
                make_post_processor(type_name, body).map(|r| diags(r.map(drop)))
            }
        }
    }

    fn known(&self, kind: ComponentKind) -> Vec<&'static str> {
        match kind {
            ComponentKind::Builder => {
                let mut all = names(BUILDERS);
                all.extend(names(FEATURE_BUILDERS));
                all.extend(MISSING_BUILDERS.iter().map(|(n, _, _)| *n));
                all.sort_unstable();
                all
            }
            ComponentKind::Provisioner => names(PROVISIONERS),
            ComponentKind::PostProcessor => names(POST_PROCESSORS),
        }
    }
}

/// Plan the selected builds and check every component config.
pub fn check_builds(cfg: &Config, selection: &Selection) -> Diagnostics {
    kiln_template::plan::plan(cfg, selection, &Registry).1
}
