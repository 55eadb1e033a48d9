//! Block type name → component factory. Adding a builder, provisioner or
//! post-processor is one entry here plus its own crate or module (a
//! builder behind a cargo feature: its entry and its `Missing` twin, both
//! in [`BUILDERS`]).
//!
//! A factory decodes an evaluated body into the component's typed config,
//! runs the config's own validation, and builds the component; `validate`
//! uses the same factories and throws the component away. Types kiln
//! knows of but does not run are in [`unsupported`], each with its reason.

use kiln_core::build::COMMON_GENERATED;
use kiln_core::component::Validate;
use kiln_core::datasource::OutputType;
use kiln_core::{Builder, Cancel, DataSource, PostProcessor, Provisioner};
use kiln_template::decode::{decode, EvaluatedBody};
use kiln_template::plan::{ComponentKind, Components, Selection};
use kiln_template::{config::Config, Diagnostic, Diagnostics, Type, Value};
use serde::de::DeserializeOwned;

pub type Make<T> = fn(&EvaluatedBody) -> Result<Box<T>, Diagnostics>;

/// A builder type kiln knows.
enum BuilderEntry {
    /// In this binary: its factory, and the `build.*` names it provides on
    /// top of the ones every builder has ([`COMMON_GENERATED`]).
    Available {
        name: &'static str,
        make: Make<dyn Builder>,
        generated: &'static [&'static str],
    },
    /// Behind a cargo `feature` this binary was built without (heavy SDKs
    /// stay out of default builds); `what` names it in the error. A binary
    /// built with every feature has none (hence the `allow`).
    #[allow(dead_code)]
    Missing {
        name: &'static str,
        feature: &'static str,
        what: &'static str,
    },
}

/// Every builder. One behind a cargo feature is its `available` entry
/// under `#[cfg(feature = …)]` next to its `Missing` twin under
/// `#[cfg(not(feature = …))]`.
const BUILDERS: &[BuilderEntry] = &[
    #[cfg(feature = "amazon")]
    available::<kiln_builder_amazon::AmazonConfig, kiln_builder_amazon::AmazonBuilder>(
        "amazon-ebs",
        kiln_builder_amazon::AmazonBuilder::GENERATED,
    ),
    #[cfg(not(feature = "amazon"))]
    BuilderEntry::Missing {
        name: "amazon-ebs",
        feature: "amazon",
        what: "Amazon",
    },
    available::<kiln_builder_oci::DockerConfig, kiln_builder_oci::DockerBuilder>(
        "docker",
        kiln_builder_oci::DockerBuilder::GENERATED,
    ),
    available::<kiln_builder_file::FileConfig, kiln_builder_file::FileBuilder>("file", &[]),
    available::<kiln_builder_null::NullConfig, kiln_builder_null::NullBuilder>("null", &[]),
    available::<kiln_builder_oci::OciConfig, kiln_builder_oci::OciBuilder>(
        "oci",
        kiln_builder_oci::OciBuilder::GENERATED,
    ),
    available::<kiln_builder_qemu::QemuConfig, kiln_builder_qemu::QemuBuilder>("qemu", &[]),
];

const fn available<C, B>(name: &'static str, generated: &'static [&'static str]) -> BuilderEntry
where
    C: DeserializeOwned + Validate,
    B: Builder + From<C> + 'static,
{
    BuilderEntry::Available {
        name,
        make: builder::<C, B>,
        generated,
    }
}

impl BuilderEntry {
    fn name(&self) -> &'static str {
        match self {
            BuilderEntry::Available { name, .. } | BuilderEntry::Missing { name, .. } => name,
        }
    }

    fn find(name: &str) -> Option<&'static BuilderEntry> {
        BUILDERS.iter().find(|e| e.name() == name)
    }
}

const PROVISIONERS: &[(&str, Make<dyn Provisioner>)] = &[
    (
        "ansible",
        provisioner::<kiln_provisioners::ansible::AnsibleConfig, kiln_provisioners::ansible::Ansible>,
    ),
    (
        "ansible-local",
        provisioner::<
            kiln_provisioners::ansible_local::AnsibleLocalConfig,
            kiln_provisioners::ansible_local::AnsibleLocal,
        >,
    ),
    (
        "breakpoint",
        provisioner::<
            kiln_provisioners::breakpoint::BreakpointConfig,
            kiln_provisioners::breakpoint::Breakpoint,
        >,
    ),
    (
        "check",
        provisioner::<kiln_provisioners::check::CheckConfig, kiln_provisioners::check::Check>,
    ),
    (
        "file",
        provisioner::<kiln_provisioners::file::FileConfig, kiln_provisioners::file::File>,
    ),
    (
        "puppet-masterless",
        provisioner::<
            kiln_provisioners::puppet_masterless::PuppetMasterlessConfig,
            kiln_provisioners::puppet_masterless::PuppetMasterless,
        >,
    ),
    (
        "salt-masterless",
        provisioner::<
            kiln_provisioners::salt_masterless::SaltMasterlessConfig,
            kiln_provisioners::salt_masterless::SaltMasterless,
        >,
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
    (
        "testinfra",
        provisioner::<
            kiln_provisioners::testinfra::TestinfraConfig,
            kiln_provisioners::testinfra::Testinfra,
        >,
    ),
];

const POST_PROCESSORS: &[(&str, Make<dyn PostProcessor>)] = &[
    (
        "artifice",
        post_processor::<kiln_postprocessors::ArtificeConfig, kiln_postprocessors::Artifice>,
    ),
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
    (
        "vagrant",
        post_processor::<kiln_postprocessors::VagrantConfig, kiln_postprocessors::Vagrant>,
    ),
];

/// Data sources other than `null` (which the template layer evaluates
/// itself).
const DATA_SOURCES: &[(&str, Make<dyn DataSource>)] = &[
    #[cfg(feature = "amazon")]
    (
        "amazon-ami",
        data_source::<
            kiln_builder_amazon::datasource::ami::AmiDataConfig,
            kiln_builder_amazon::datasource::ami::AmiData,
        >,
    ),
    #[cfg(feature = "amazon")]
    (
        "amazon-parameterstore",
        data_source::<
            kiln_builder_amazon::datasource::parameterstore::ParameterStoreConfig,
            kiln_builder_amazon::datasource::parameterstore::ParameterStore,
        >,
    ),
    #[cfg(feature = "amazon")]
    (
        "amazon-secretsmanager",
        data_source::<
            kiln_builder_amazon::datasource::secretsmanager::SecretsManagerConfig,
            kiln_builder_amazon::datasource::secretsmanager::SecretsManager,
        >,
    ),
    (
        "hcp-packer-artifact",
        data_source::<
            kiln_catalog::datasource::artifact::ArtifactConfig,
            kiln_catalog::datasource::artifact::Artifact,
        >,
    ),
    (
        "hcp-packer-version",
        data_source::<
            kiln_catalog::datasource::version::VersionConfig,
            kiln_catalog::datasource::version::Version,
        >,
    ),
    (
        "http",
        data_source::<kiln_datasources::http::HttpConfig, kiln_datasources::http::Http>,
    ),
];

/// Data sources behind a cargo feature this binary was built without
/// (the `Missing` builders' twins): the template layer reports them with
/// this reason instead of as unknown types.
#[cfg(not(feature = "amazon"))]
const MISSING_DATA_SOURCES: &[(&str, &str)] = &[
    ("amazon-ami", MISSING_AMAZON),
    ("amazon-parameterstore", MISSING_AMAZON),
    ("amazon-secretsmanager", MISSING_AMAZON),
];
#[cfg(feature = "amazon")]
const MISSING_DATA_SOURCES: &[(&str, &str)] = &[];

#[cfg(not(feature = "amazon"))]
const MISSING_AMAZON: &str = "this kiln binary was built without Amazon support; rebuild it with `cargo build --features amazon`";

fn data_source<C, D>(body: &EvaluatedBody) -> Result<Box<dyn DataSource>, Diagnostics>
where
    C: DeserializeOwned + Validate,
    D: DataSource + From<C> + 'static,
{
    config::<C>(body).map(|c| Box::new(D::from(c)) as Box<dyn DataSource>)
}

/// What `data.TYPE.NAME` is for the template: the outputs once run;
/// unknown values of the declared types when not running (`validate`) or
/// when the config still holds unknowns (it depends on an unsupported data
/// source, already an error).
fn data_source_value(
    ds: &dyn DataSource,
    body: &EvaluatedBody,
    execute: bool,
) -> Result<Value, Diagnostics> {
    if !execute || body.attrs.values().any(|a| !a.value.is_wholly_known()) {
        return Ok(Value::Object(
            ds.outputs()
                .iter()
                .map(|(name, ty)| ((*name).to_owned(), Value::Unknown(output_type(*ty))))
                .collect(),
        ));
    }
    // Loading happens before the Ctrl-C handler exists: an interrupt ends
    // the process, and a data source leaves nothing behind to clean up.
    match ds.execute(&Cancel::new()) {
        Ok(out) => Ok(Value::from_json(&serde_json::Value::Object(out))),
        Err(e) => {
            let mut diags = Diagnostics::new();
            diags.push(
                Diagnostic::error("Datasource.Execute failed", e.to_string()).at(body.span.clone()),
            );
            Err(diags)
        }
    }
}

fn output_type(t: OutputType) -> Type {
    match t {
        OutputType::String => Type::String,
        OutputType::Number => Type::Number,
        OutputType::Bool => Type::Bool,
        OutputType::StringMap => Type::Map(Box::new(Type::String)),
    }
}

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
    // Also with problems: whatever a template holds, deriving settings
    // from it must not panic (the fuzz tests drive every component here).
    config.resolve_settings();
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
    if let Some(e) = unsupported::error(ComponentKind::Builder, name, body) {
        return Some(Err(e));
    }
    Some(match BuilderEntry::find(name)? {
        BuilderEntry::Available { make, .. } => make(body),
        BuilderEntry::Missing { feature, what, .. } => {
            Err(missing_builder(name, feature, what, body))
        }
    })
}

/// A clear error for a builder kiln has but this binary was built
/// without.
fn missing_builder(name: &str, feature: &str, what: &str, body: &EvaluatedBody) -> Diagnostics {
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
    diags
}

pub fn make_provisioner(
    name: &str,
    body: &EvaluatedBody,
) -> Option<Result<Box<dyn Provisioner>, Diagnostics>> {
    if let Some(e) = unsupported::error(ComponentKind::Provisioner, name, body) {
        return Some(Err(e));
    }
    find(PROVISIONERS, name).map(|m| m(body))
}

pub fn make_post_processor(
    name: &str,
    body: &EvaluatedBody,
) -> Option<Result<Box<dyn PostProcessor>, Diagnostics>> {
    if let Some(e) = unsupported::error(ComponentKind::PostProcessor, name, body) {
        return Some(Err(e));
    }
    find(POST_PROCESSORS, name).map(|m| m(body))
}

/// The step cache's shared tier (registry or shared disk), where
/// `KILN_CACHE` names one.
pub fn step_cache_remote(
) -> Result<Option<kiln_step_cache_remote::Remote>, kiln_step_cache_remote::RemoteError> {
    kiln_step_cache_remote::Remote::from_env()
}

/// An SBOM format's writer (inventory, creation, whether the artifact is
/// a container image) and the suffix of its file.
pub type SbomWriter =
    fn(&kiln_sbom::Inventory, &kiln_sbom::Creation, bool) -> (&'static str, serde_json::Value);

/// `sbom = [...]` formats → writer.
pub fn sbom_writer(format: kiln_template::plan::SbomFormat) -> SbomWriter {
    use kiln_template::plan::SbomFormat;
    match format {
        SbomFormat::SpdxJson => |i, c, container| {
            let purpose = if container {
                "CONTAINER"
            } else {
                "OPERATING-SYSTEM"
            };
            (".spdx.json", kiln_sbom::spdx::document(i, c, purpose))
        },
        SbomFormat::CyclonedxJson => |i, c, container| {
            let kind = if container {
                "container"
            } else {
                "operating-system"
            };
            (".cdx.json", kiln_sbom::cyclonedx::document(i, c, kind))
        },
    }
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
                let mut all: Vec<_> = BUILDERS.iter().map(BuilderEntry::name).collect();
                all.sort_unstable();
                all
            }
            ComponentKind::Provisioner => names(PROVISIONERS),
            ComponentKind::PostProcessor => names(POST_PROCESSORS),
        }
    }

    fn build_variables(&self, builder_type: &str) -> Option<Vec<&'static str>> {
        match BuilderEntry::find(builder_type)? {
            BuilderEntry::Available { generated, .. } => {
                Some(COMMON_GENERATED.iter().chain(*generated).copied().collect())
            }
            // Its own names are in the crate this binary lacks; its
            // `build.*` references wait for a binary that has it.
            BuilderEntry::Missing { .. } => None,
        }
    }

    fn data_source_types(&self) -> Vec<&'static str> {
        names(DATA_SOURCES)
    }

    fn data_source_missing(&self, type_name: &str) -> Option<&'static str> {
        MISSING_DATA_SOURCES
            .iter()
            .find(|(n, _)| *n == type_name)
            .map(|(_, why)| *why)
    }

    fn data_source(
        &self,
        type_name: &str,
        body: &EvaluatedBody,
        execute: bool,
    ) -> Option<Result<Value, Diagnostics>> {
        let make = find(DATA_SOURCES, type_name)?;
        Some(make(body).and_then(|ds| data_source_value(&*ds, body, execute)))
    }
}

/// Plan the selected builds and check every component config.
pub fn check_builds(cfg: &Config, selection: &Selection) -> Diagnostics {
    kiln_template::plan::plan(cfg, selection, &Registry).1
}

mod unsupported;

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_template::config::{self, LoadOptions};

    /// The plan's errors for a build of `source` (a `source` block) whose
    /// provisioner echoes `expr`; empty when it is valid.
    fn errors_of(source: &str, reference: &str, expr: &str) -> String {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.pkr.hcl");
        let text = format!(
            "{source}\nbuild {{\n  sources = [\"{reference}\"]\n  provisioner \"shell-local\" {{\n    inline = [\"echo ${{{expr}}}\"]\n  }}\n}}\n"
        );
        std::fs::write(&path, text).expect("write");
        let (cfg, diags) = config::load(&path, &LoadOptions::default());
        let cfg = cfg.unwrap_or_else(|| panic!("{diags:?}"));
        let diags = check_builds(&cfg, &Selection::default());
        if diags.has_errors() {
            diags.render(cfg.sources())
        } else {
            String::new()
        }
    }

    #[test]
    fn each_builder_has_the_common_build_variables_and_its_own() {
        let null = Registry.build_variables("null").expect("null");
        for common in COMMON_GENERATED {
            assert!(null.contains(common), "{common}");
        }
        assert!(!null.contains(&"Rootfs") && !null.contains(&"SourceAMI"));
        for oci in ["oci", "docker"] {
            let vars = Registry.build_variables(oci).expect(oci);
            assert!(vars.contains(&"Rootfs") && vars.contains(&"ID"), "{vars:?}");
        }
        assert_eq!(Registry.build_variables("nope"), None);
        assert!(Registry
            .known(ComponentKind::Builder)
            .contains(&"amazon-ebs"));
    }

    #[test]
    fn a_build_variable_is_checked_against_the_builds_own_builder() {
        let null = |expr: &str| {
            errors_of(
                "source \"null\" \"a\" { communicator = \"none\" }",
                "source.null.a",
                expr,
            )
        };
        assert_eq!(null("build.ID"), "");
        assert_eq!(null("build.PackerHTTPAddr"), "");
        for other in ["build.Rootfs", "build.SourceAMI"] {
            let e = null(other);
            assert!(e.contains("Unsupported attribute"), "{other}: {e}");
        }
    }

    #[cfg(feature = "amazon")]
    #[test]
    fn amazon_ebs_adds_its_source_ami_variables() {
        let vars = Registry.build_variables("amazon-ebs").expect("amazon-ebs");
        assert!(vars.contains(&"SourceAMI") && vars.contains(&"BuildRegion"));
        assert!(vars.contains(&"ID") && !vars.contains(&"Rootfs"));
    }

    #[cfg(not(feature = "amazon"))]
    #[test]
    fn a_builder_this_binary_lacks_is_the_one_error() {
        let e = errors_of(
            "source \"amazon-ebs\" \"a\" {}",
            "source.amazon-ebs.a",
            "build.SourceAMI",
        );
        assert!(e.contains("built without Amazon support"), "{e}");
        assert!(!e.contains("SourceAMI"), "{e}");
    }
}
