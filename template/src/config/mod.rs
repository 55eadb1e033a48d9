//! A whole configuration: files read, declarations checked, variables,
//! locals and data sources evaluated. Sources, provisioners and
//! post-processors stay unevaluated here: each build evaluates them with
//! its own `source.*`/`build.*` values.

mod blocks;
mod build_block;
mod dynamic_source;
pub mod files;
pub mod hcp_registry;
mod locals;
pub mod model;
mod variables;
mod version;

pub use blocks::{header_span, missing_argument};
pub use locals::{DataSources, LocalValues, DATA_SOURCE_TYPES};
pub use variables::{Strictness, VarArg, VarInputs, VariableValue};
pub use version::satisfies as version_satisfies;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::eval::{EvalContext, Evaluator, Scope};
use crate::parse::{self, ParsedFile};
use crate::plan::Components;
use crate::source::SourceMap;
use crate::value::{Type, Value};
use indexmap::IndexMap;
use model::Declarations;
use std::path::{Path, PathBuf};

/// The Packer version whose template language kiln implements; what
/// `packer.version` returns and `required_version` is checked against.
pub const PACKER_COMPAT_VERSION: &str = "1.11.2";

#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub vars: VarInputs,
    /// Stop after parsing and checking the structure.
    pub syntax_only: bool,
    /// Loading for `build`: values only a build has (`packer.iterationID`,
    /// `packer.versionFingerprint`) are known.
    pub for_build: bool,
    /// Run data sources (`build`, `validate -evaluate-datasources`);
    /// otherwise their outputs are unknown.
    pub evaluate_data_sources: bool,
    /// The catalog fingerprint of the run (`build`): the value of
    /// `packer.versionFingerprint` and `packer.iterationID`.
    pub version_fingerprint: Option<String>,
}

/// A loaded configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub ctx: EvalContext,
    /// `path.root`: the configuration's directory as given.
    pub root: PathBuf,
    pub files: Vec<ParsedFile>,
    pub decls: Declarations,
    pub variables: IndexMap<String, VariableValue>,
    pub locals: LocalValues,
    /// The template, when the configuration is a legacy JSON template
    /// (translated to HCL when loaded): builds are named after their
    /// builders alone, as Packer names them.
    pub legacy: Option<std::sync::Arc<crate::legacy_json::LegacyTemplate>>,
}

impl Config {
    /// A configuration with nothing declared: only functions and `path`,
    /// `packer` are available (a console without a template).
    pub fn empty(root: &Path) -> Config {
        let base_dir = std::env::current_dir().unwrap_or_default();
        Config {
            ctx: EvalContext::new(SourceMap::new(), base_dir),
            root: root.to_path_buf(),
            files: Vec::new(),
            decls: Declarations::default(),
            variables: IndexMap::new(),
            locals: LocalValues::default(),
            legacy: None,
        }
    }

    /// The `hcp_packer_registry` that applies to build block `i`: its
    /// own, else the top level's.
    pub fn registry_for(&self, i: usize) -> Option<&hcp_registry::HcpRegistry> {
        self.decls
            .builds
            .get(i)
            .and_then(|b| b.hcp_packer_registry.as_ref())
            .or(self.decls.hcp_packer_registry.as_ref())
    }

    pub fn sources(&self) -> &SourceMap {
        &self.ctx.sources
    }

    /// The root scope for sources, builds and the console: `var`, `local`,
    /// `data`, `path`, `packer`.
    pub fn scope(&self) -> Scope<'static> {
        let mut s = base_scope(&self.root, &self.variables, &self.ctx);
        s.set("local", self.locals.local_object());
        s.set("data", self.locals.data_object());
        s
    }

    /// Values that must never be shown: sensitive variables and locals.
    pub fn sensitive_values(&self) -> Vec<String> {
        let mut out = Vec::new();
        let vars = self
            .variables
            .values()
            .filter(|v| v.sensitive)
            .map(|v| &v.value);
        let locals = self
            .locals
            .locals
            .values()
            .filter(|(_, s)| *s)
            .map(|(v, _)| v);
        for v in vars.chain(locals) {
            collect_strings(v, &mut out);
        }
        out.retain(|s| !s.is_empty());
        out
    }
}

fn collect_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Number(n) => out.push(crate::value::format_number(*n)),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            items.iter().for_each(|i| collect_strings(i, out));
        }
        Value::Map(m) | Value::Object(m) => m.values().for_each(|i| collect_strings(i, out)),
        _ => {}
    }
}

fn base_scope(
    root: &Path,
    variables: &IndexMap<String, VariableValue>,
    ctx: &EvalContext,
) -> Scope<'static> {
    let mut s = Scope::default();
    let cwd = std::env::current_dir().unwrap_or_default();
    s.set(
        "path",
        Value::object([
            ("root", Value::String(root.display().to_string())),
            ("cwd", Value::String(cwd.display().to_string())),
        ]),
    );
    s.set(
        "packer",
        packer_object(ctx.for_build, ctx.version_fingerprint.as_deref()),
    );
    s.set(
        "var",
        Value::Object(
            variables
                .iter()
                .map(|(k, v)| (k.clone(), v.value.clone()))
                .collect(),
        ),
    );
    s
}

/// What Packer hands a plugin for a value that is still unknown when the
/// plugin is configured (`hcl2shim.UnknownVariableValue`).
pub const PACKER_UNKNOWN_VALUE: &str = "74D93920-ED26-11E3-AC10-0800200C9A66";

/// `packer.*`. `iterationID` and `versionFingerprint` name the catalog
/// version being built (its fingerprint); `validate` leaves them unknown,
/// as Packer does. A build without a fingerprint gives them what Packer's
/// plugins get without HCP, `PACKER_UNKNOWN_VALUE`.
fn packer_object(for_build: bool, fingerprint: Option<&str>) -> Value {
    let hcp = || match (for_build, fingerprint) {
        (true, Some(f)) => Value::from(f),
        (true, None) => Value::from(PACKER_UNKNOWN_VALUE),
        (false, _) => Value::Unknown(Type::String),
    };
    Value::object([
        ("version", Value::from(PACKER_COMPAT_VERSION)),
        ("iterationID", hcp()),
        ("versionFingerprint", hcp()),
    ])
}

/// Load the configuration at `path` (a file or a directory). Returns the
/// configuration when it could be read, and every diagnostic found.
pub fn load(path: &Path, opts: &LoadOptions) -> (Option<Config>, Diagnostics) {
    load_with(path, opts, None)
}

/// [`load`], with data sources other than `null` checked (and, with
/// [`LoadOptions::evaluate_data_sources`], run) by `components`.
pub fn load_with(
    path: &Path,
    opts: &LoadOptions,
    components: Option<&dyn Components>,
) -> (Option<Config>, Diagnostics) {
    let data_sources = components.map(|components| DataSources {
        components,
        execute: opts.evaluate_data_sources,
    });
    let mut diags = Diagnostics::new();
    let sources = SourceMap::new();
    let base_dir = std::env::current_dir().unwrap_or_default();
    let mut ctx = EvalContext::new(sources.clone(), base_dir);
    ctx.for_build = opts.for_build;
    let found = match files::discover(path) {
        Ok(f) => f,
        Err(e) => {
            diags.push(Diagnostic::error(
                "Failed to read configuration",
                format!("Could not read {}: {e}.", path.display()),
            ));
            return (None, diags);
        }
    };
    if found.templates.is_empty() {
        diags.push(Diagnostic::error(
            "No configuration files",
            format!(
                "Could not find any config file in {}: expected files named *.pkr.hcl or *.pkr.json.",
                path.display()
            ),
        ));
        return (None, diags);
    }
    let mut parsed = Vec::new();
    let mut legacy = None;
    for f in &found.templates {
        let name = f.display().to_string();
        let text = match std::fs::read_to_string(f) {
            Ok(t) => t,
            Err(e) => {
                diags.push(Diagnostic::error(
                    "Failed to read file",
                    format!("{name}: {e}."),
                ));
                continue;
            }
        };
        let result = if crate::legacy_json::is_legacy_file(f, &text) {
            // `-syntax-only` checks the template's structure, as Packer
            // does, without needing its variables.
            if opts.syntax_only {
                if let Err(d) = crate::legacy_json::read(&sources, &name, &text) {
                    diags.extend(d);
                }
                continue;
            }
            match crate::legacy_json::translate(&sources, f, &text, &opts.vars.args) {
                Ok(t) => {
                    let parsed = t.parsed.clone();
                    legacy = Some(t);
                    Ok(parsed)
                }
                Err(d) => {
                    diags.extend(d);
                    continue;
                }
            }
        } else if files::is_json(f) {
            crate::json::parse_json_config(&sources, &name, &text)
        } else {
            parse::parse_hcl(&sources, &name, &text)
        };
        match result {
            Ok(p) => parsed.push(p),
            Err(d) => diags.push(d),
        }
    }
    let mut reader = blocks::Reader::new(&ctx);
    for p in &parsed {
        reader.read_file(p);
    }
    let mut decls = reader.decls;
    diags.extend(reader.diags);
    // As in Packer, the version's fingerprint is known only to a run that
    // registers one; any other build sees the unknown placeholder.
    let registers = decls.hcp_packer_registry.is_some()
        || decls.builds.iter().any(|b| b.hcp_packer_registry.is_some());
    if registers {
        ctx.version_fingerprint = opts.version_fingerprint.clone();
    }
    if let Some(t) = &legacy {
        legacy_sources(&mut decls, t);
        ctx.weak_decoding = true;
    }
    let root = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    let root = if root.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        root
    };
    let mut config = Config {
        ctx,
        root,
        files: parsed,
        decls,
        variables: IndexMap::new(),
        locals: LocalValues::default(),
        legacy: legacy.map(|t| std::sync::Arc::new(t.template)),
    };
    if opts.syntax_only {
        return (Some(config), diags);
    }
    diags.extend(check_required_version(&config));
    // A legacy template's variables were resolved, the legacy way, when it
    // was translated: its declarations already hold the values.
    let legacy_vars = VarInputs::default();
    let (values, vdiags) = variables::resolve(
        &config.ctx,
        &config.decls.variables,
        &found.auto_var_files,
        if config.legacy.is_some() {
            &legacy_vars
        } else {
            &opts.vars
        },
    );
    diags.extend(vdiags);
    diags.extend(variables::validate(&config.ctx, &values));
    config.variables = values;
    let base = base_scope(&config.root, &config.variables, &config.ctx);
    let (locals, ldiags) = locals::evaluate(
        &config.ctx,
        &config.decls.locals,
        &config.decls.data,
        &base,
        data_sources,
    );
    diags.extend(ldiags);
    config.locals = locals;
    let scope = config.scope();
    diags.extend(build_block::resolve_sources(
        &config.ctx,
        &mut config.decls.builds,
        &scope,
    ));
    diags.extend(hcp_registry::resolve(
        &config.ctx,
        config.decls.hcp_packer_registry.as_mut(),
        &mut config.decls.builds,
        &scope,
    ));
    (Some(config), diags)
}

/// Build block `i` of a translated legacy template runs builder `i`. The
/// sources are set here rather than written in the HCL, since a builder's
/// name may hold characters a `source.TYPE.NAME` reference cannot.
fn legacy_sources(decls: &mut Declarations, t: &crate::legacy_json::Translated) {
    for (build, (kind, name, span)) in decls.builds.iter_mut().zip(&t.builders) {
        build.sources = vec![model::BuildSource {
            reference: format!("{kind}.{name}"),
            name: name.clone(),
            extra: None,
            span: Some(span.clone()),
            bindings: Vec::new(),
        }];
    }
}

fn check_required_version(config: &Config) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for pb in &config.decls.packer {
        let Some(fe) = &pb.required_version else {
            continue;
        };
        let ev = Evaluator::new(&config.ctx, fe.file);
        let v = match ev.eval(&fe.expr, &Scope::default()) {
            Ok(v) => v,
            Err(d) => {
                diags.extend(d);
                continue;
            }
        };
        let span = hcl_edit::Span::span(&fe.expr);
        let Ok(Value::String(constraint)) = crate::value::convert(v, &Type::String) else {
            diags.push(ev.error(
                "Invalid version constraint",
                "required_version must be a string.",
                span,
            ));
            continue;
        };
        match version::satisfies(PACKER_COMPAT_VERSION, &constraint) {
            Ok(true) => {}
            Ok(false) => diags.push(ev.error(
                "Unsupported Packer Core version",
                format!(
                    "This configuration does not support Packer version {PACKER_COMPAT_VERSION} (kiln's compatibility level). To proceed, either choose another supported Packer version or update this version constraint. Version constraints are normally set for good reason, so updating the constraint may lead to other errors or unexpected behavior."
                ),
                span,
            )),
            Err(clause) => diags.push(ev.error(
                "Invalid version constraint",
                format!("This string does not use correct version constraint syntax: {clause:?}."),
                span,
            )),
        }
    }
    diags
}
