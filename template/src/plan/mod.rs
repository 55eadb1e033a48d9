//! From a loaded configuration to the list of builds to run: one per
//! (build block, source) pair, named `[BUILD.]TYPE.NAME`, with the source,
//! provisioner and post-processor bodies evaluated for that source.
//!
//! Each evaluated body is handed to a [`Components`] implementation (the
//! binary's registry), which decodes it into the component's typed config;
//! this crate never knows what a builder is.

mod body;
mod meta;
mod selection;
mod supply;
mod tests;

pub(crate) use body::dynamic_spec;
pub use body::evaluate as evaluate_body;
pub use meta::{Meta, META_ARGS_POST_PROCESSOR, META_ARGS_PROVISIONER};
pub use selection::{glob, Selection};
pub use supply::{SbomFormat, SignSettings, SupplyChain};
pub use tests::{PlannedTest, TestSettings};

use crate::config::model::{BuildDecl, ComponentBlock, FileBody, SourceDecl};
use crate::config::Config;
use crate::decode::EvaluatedBody;
use crate::diagnostic::{did_you_mean, Diagnostic, Diagnostics};
use crate::eval::{Evaluator, Scope};
use crate::value::{Type, Value};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComponentKind {
    Builder,
    Provisioner,
    PostProcessor,
}

impl ComponentKind {
    pub fn noun(self) -> &'static str {
        match self {
            ComponentKind::Builder => "builder",
            ComponentKind::Provisioner => "provisioner",
            ComponentKind::PostProcessor => "post-processor",
        }
    }
}

/// The component types kiln knows, and how to check a config for one.
pub trait Components {
    /// Decode and validate `body` as a config of `type_name`. `None` when the
    /// type is unknown.
    fn check(
        &self,
        kind: ComponentKind,
        type_name: &str,
        body: &EvaluatedBody,
    ) -> Option<Diagnostics>;
    /// Every known type name of a kind, for error messages.
    fn known(&self, kind: ComponentKind) -> Vec<&'static str>;
    /// The `build.*` names a builder of `builder_type` provides once its
    /// machine exists, those every builder shares included (Packer's
    /// builders list their "generated data" the same way). `None` when the
    /// type is unknown.
    fn build_variables(&self, builder_type: &str) -> Option<Vec<&'static str>>;
    /// The data source types (`data "TYPE" …`) this implementation runs;
    /// `null` is the template layer's own and not among them.
    fn data_source_types(&self) -> Vec<&'static str> {
        Vec::new()
    }
    /// Why `type_name`, a data source kiln has, is not in this binary (it
    /// is behind a cargo feature the binary was built without).
    fn data_source_missing(&self, _type_name: &str) -> Option<&'static str> {
        None
    }
    /// Decode and check `body` as a data source config of `type_name` and,
    /// with `execute`, run it. The result is the object `data.TYPE.NAME`
    /// stands for: the outputs once run, otherwise each output attribute
    /// an unknown value of its type (so references are still checked).
    /// `None` when the type is unknown.
    fn data_source(
        &self,
        _type_name: &str,
        _body: &EvaluatedBody,
        _execute: bool,
    ) -> Option<Result<Value, Diagnostics>> {
        None
    }
}

/// A provisioner or post-processor for one build.
#[derive(Debug, Clone)]
pub struct PlannedComponent {
    pub kind: String,
    pub meta: Meta,
    pub body: EvaluatedBody,
    /// The unevaluated block, to evaluate again once `build.*` is known.
    pub raw: FileBody,
}

#[derive(Debug, Clone)]
pub struct PlannedBuild {
    /// `[BUILD.]TYPE.NAME`
    pub name: String,
    pub build_name: Option<String>,
    /// Which `build` block (of `cfg.decls.builds`) it comes from.
    pub build_index: usize,
    pub source_type: String,
    /// The name the build uses for the source (renamed by a nested block).
    pub source_name: String,
    pub source_body: EvaluatedBody,
    pub provisioners: Vec<PlannedComponent>,
    pub error_cleanup_provisioner: Option<PlannedComponent>,
    pub post_processors: Vec<Vec<PlannedComponent>>,
    /// `test` blocks that apply to this build, in order.
    pub tests: Vec<PlannedTest>,
    /// The source's `sbom` and `sign` settings.
    pub supply: SupplyChain,
}

/// `build.*` as provisioners and post-processors see it before the build
/// runs: `name` is known, the values the builder provides once its machine
/// exists (`variables`, from [`Components::build_variables`]) are unknown,
/// and any other name is an error (as in Packer). Without a list (a
/// builder type nobody knows, already an error) nothing under `build` is
/// checked, so that one error is not buried under follow-on ones.
fn build_object(name: Option<&str>, variables: Option<&[&str]>) -> Value {
    let Some(variables) = variables else {
        return Value::Unknown(Type::Any);
    };
    let mut attrs: BTreeMap<String, Value> = variables
        .iter()
        .map(|k| ((*k).to_owned(), Value::Unknown(Type::String)))
        .collect();
    attrs.insert("name".into(), Value::from(name.unwrap_or("")));
    Value::Object(attrs)
}

/// `build.*` once the builder has run: every variable of the builder that
/// it did not provide is an empty string, as in Packer.
fn build_object_known(
    name: Option<&str>,
    variables: Option<&[&str]>,
    values: &BTreeMap<String, String>,
) -> Value {
    let mut attrs: BTreeMap<String, Value> = variables
        .unwrap_or_default()
        .iter()
        .map(|k| ((*k).to_owned(), Value::from("")))
        .collect();
    for (k, v) in values {
        attrs.insert(k.clone(), Value::from(v.as_str()));
    }
    attrs.insert("name".into(), Value::from(name.unwrap_or("")));
    Value::Object(attrs)
}

/// `source.*` for a build's source and its components.
fn source_object(kind: &str, name: &str) -> Value {
    Value::object([("name", Value::from(name)), ("type", Value::from(kind))])
}

/// Plan every selected build, checking each component's config.
pub fn plan(
    cfg: &Config,
    sel: &Selection,
    components: &dyn Components,
) -> (Vec<PlannedBuild>, Diagnostics) {
    plan_inner(cfg, sel, components, None)
}

/// Plan the build named `name` (`[BUILD.]TYPE.NAME`) again with the
/// `build.*` values its builder produced, so provisioners and
/// post-processors see them. `None` if no such build exists.
pub fn replan(
    cfg: &Config,
    name: &str,
    components: &dyn Components,
    build_values: &BTreeMap<String, String>,
) -> Option<Result<PlannedBuild, Diagnostics>> {
    let sel = Selection {
        only: vec![name.to_owned()],
        except: Vec::new(),
    };
    let (mut builds, diags) = plan_inner(cfg, &sel, components, Some(build_values));
    let pos = builds.iter().position(|b| b.name == name);
    match pos {
        Some(i) if !diags.has_errors() => Some(Ok(builds.swap_remove(i))),
        _ if diags.has_errors() => Some(Err(diags)),
        _ => None,
    }
}

fn plan_inner(
    cfg: &Config,
    sel: &Selection,
    components: &dyn Components,
    build_values: Option<&BTreeMap<String, String>>,
) -> (Vec<PlannedBuild>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut out = Vec::new();
    let scope = cfg.scope();
    for (build_index, build) in cfg.decls.builds.iter().enumerate() {
        for bs in &build.sources {
            let Some(src) = cfg
                .decls
                .sources
                .iter()
                .find(|s| s.reference() == bs.reference)
            else {
                let known: Vec<String> = cfg
                    .decls
                    .sources
                    .iter()
                    .map(SourceDecl::reference)
                    .collect();
                let mut d = Diagnostic::error(
                    "Unknown source",
                    format!("Unknown source \"source.{}\": no source block with that type and name is declared.", bs.reference),
                )
                .at(bs.span.clone());
                if let Some(s) = did_you_mean(&bs.reference, known.iter().map(String::as_str)) {
                    d = d.with_hint(format!("Did you mean \"source.{s}\"?"));
                }
                diags.push(d);
                continue;
            };
            let short = format!("{}.{}", src.kind, bs.name);
            // Packer names a legacy JSON template's builds after their
            // builders alone.
            let name = match &build.name {
                _ if cfg.legacy.is_some() => bs.name.clone(),
                Some(b) => format!("{b}.{short}"),
                None => short.clone(),
            };
            if !sel.selects(&name, &short) {
                continue;
            }
            match plan_one(
                cfg,
                &scope,
                build,
                src,
                &bs.name,
                bs.extra.as_ref(),
                &bs.bindings,
                &name,
                components,
                build_values,
            ) {
                Ok(pb) => out.push(PlannedBuild { build_index, ..pb }),
                Err(d) => diags.extend(d),
            }
        }
    }
    (out, diags)
}

#[allow(clippy::too_many_arguments)]
fn plan_one(
    cfg: &Config,
    scope: &Scope,
    build: &BuildDecl,
    src: &SourceDecl,
    source_name: &str,
    extra: Option<&FileBody>,
    bindings: &[(String, Value)],
    name: &str,
    components: &dyn Components,
    build_values: Option<&BTreeMap<String, String>>,
) -> Result<PlannedBuild, Diagnostics> {
    let mut diags = Diagnostics::new();
    // `source.name`/`source.type` are known in the source block itself, the
    // name being the one the build uses (renamed by a nested block), as in
    // Packer.
    let mut src_scope = scope.child();
    src_scope.set("source", source_object(&src.kind, source_name));
    let scope = &src_scope;
    let ev = Evaluator::new(&cfg.ctx, src.body.file);
    let mut source_body = body::evaluate(&ev, &src.body.body, scope, src.body.span.clone())?;
    // A nested `source` block in the build adds fields to (but may not
    // redefine fields of) the top-level source.
    if let Some(extra) = extra {
        let xev = Evaluator::new(&cfg.ctx, extra.file);
        let mut extra_scope = scope.child();
        for (k, v) in bindings {
            extra_scope.set(k.clone(), v.clone());
        }
        let more = body::evaluate(&xev, &extra.body, &extra_scope, extra.span.clone())?;
        for (k, v) in more.attrs {
            if source_body.attrs.contains_key(&k) {
                diags.push(
                    Diagnostic::error(
                        "Attribute redefined",
                        format!("The argument {k:?} was already set in the source block. Each argument may be set only once."),
                    )
                    .at(v.name_span.clone()),
                );
            } else {
                source_body.attrs.insert(k, v);
            }
        }
        source_body.blocks.extend(more.blocks);
    }
    let supply = supply::split(&mut source_body).unwrap_or_else(|d| {
        diags.extend(d);
        SupplyChain::default()
    });
    check(
        components,
        ComponentKind::Builder,
        &src.kind,
        &source_body,
        src.body.span.clone(),
        &mut diags,
    );

    let mut comp_scope = scope.child();
    let variables = components.build_variables(&src.kind);
    comp_scope.set(
        "build",
        match build_values {
            Some(v) => build_object_known(build.name.as_deref(), variables.as_deref(), v),
            None => build_object(build.name.as_deref(), variables.as_deref()),
        },
    );
    let short = format!("{}.{source_name}", src.kind);
    let mut provisioners = Vec::new();
    for p in &build.provisioners {
        if p.dynamic {
            provisioners.extend(plan_dynamic(
                cfg,
                &comp_scope,
                p,
                ComponentKind::Provisioner,
                name,
                &short,
                source_name,
                components,
                &mut diags,
            ));
        } else if let Some(pc) = plan_component(
            cfg,
            &comp_scope,
            p,
            ComponentKind::Provisioner,
            name,
            &short,
            source_name,
            components,
            &mut diags,
        ) {
            provisioners.push(pc);
        }
    }
    let error_cleanup_provisioner = build.error_cleanup_provisioner.as_ref().and_then(|p| {
        plan_component(
            cfg,
            &comp_scope,
            p,
            ComponentKind::Provisioner,
            name,
            &short,
            source_name,
            components,
            &mut diags,
        )
    });
    let mut post_processors = Vec::new();
    for chain in &build.post_processor_chains {
        if let [p] = chain.as_slice() {
            if p.dynamic {
                // Each generated post-processor is a chain of its own.
                post_processors.extend(
                    plan_dynamic(
                        cfg,
                        &comp_scope,
                        p,
                        ComponentKind::PostProcessor,
                        name,
                        &short,
                        source_name,
                        components,
                        &mut diags,
                    )
                    .into_iter()
                    .map(|pc| vec![pc]),
                );
                continue;
            }
        }
        let mut planned = Vec::new();
        for p in chain {
            if let Some(pc) = plan_component(
                cfg,
                &comp_scope,
                p,
                ComponentKind::PostProcessor,
                name,
                &short,
                source_name,
                components,
                &mut diags,
            ) {
                planned.push(pc);
            }
        }
        if !planned.is_empty() {
            post_processors.push(planned);
        }
    }
    let tests = build
        .tests
        .iter()
        .filter_map(|t| {
            tests::plan(
                cfg,
                &comp_scope,
                t,
                name,
                &short,
                source_name,
                components,
                &mut diags,
            )
        })
        .collect();
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(PlannedBuild {
        name: name.to_owned(),
        build_name: build.name.clone(),
        build_index: 0,
        source_type: src.kind.clone(),
        source_name: source_name.to_owned(),
        source_body,
        provisioners,
        error_cleanup_provisioner,
        post_processors,
        tests,
        supply,
    })
}

#[allow(clippy::too_many_arguments)]
fn plan_component(
    cfg: &Config,
    scope: &Scope,
    block: &ComponentBlock,
    kind: ComponentKind,
    build_name: &str,
    short_name: &str,
    source_name: &str,
    components: &dyn Components,
    diags: &mut Diagnostics,
) -> Option<PlannedComponent> {
    let ev = Evaluator::new(&cfg.ctx, block.body.file);
    let (meta, rest, override_value) = match meta::split(&ev, &block.body.body, scope, kind) {
        Ok(x) => x,
        Err(d) => {
            diags.extend(d);
            return None;
        }
    };
    if !meta.applies_to(build_name, short_name) {
        return None;
    }
    let mut body = match body::evaluate(&ev, &rest, scope, block.body.span.clone()) {
        Ok(b) => b,
        Err(d) => {
            diags.extend(d);
            return None;
        }
    };
    if let Some(Value::Object(per_source) | Value::Map(per_source)) = override_value {
        apply_override(&mut body, &per_source, source_name, short_name);
    }
    check(
        components,
        kind,
        &block.kind,
        &body,
        block.body.span.clone(),
        diags,
    );
    Some(PlannedComponent {
        kind: block.kind.clone(),
        meta,
        body,
        raw: block.body.clone(),
    })
}

/// Provisioner labels of a build as `inspect` lists them (`TYPE` or
/// `TYPE.NAME`), with `dynamic` blocks expanded against the configuration's
/// values. Blocks whose expansion fails are left out.
pub fn provisioner_labels(cfg: &Config, build: &BuildDecl) -> Vec<String> {
    let scope = cfg.scope();
    build
        .provisioners
        .iter()
        .flat_map(|p| expanded_labels(cfg, &scope, p))
        .collect()
}

/// The labels of each post-processor chain, as for
/// [`provisioner_labels`]; a `dynamic "post-processor"` block gives one
/// chain per generated post-processor.
pub fn post_processor_labels(cfg: &Config, build: &BuildDecl) -> Vec<Vec<String>> {
    let scope = cfg.scope();
    let mut out = Vec::new();
    for chain in &build.post_processor_chains {
        match chain.as_slice() {
            [p] if p.dynamic => {
                out.extend(expanded_labels(cfg, &scope, p).into_iter().map(|l| vec![l]))
            }
            _ => out.push(
                chain
                    .iter()
                    .flat_map(|p| expanded_labels(cfg, &scope, p))
                    .collect(),
            ),
        }
    }
    out
}

fn expanded_labels(cfg: &Config, scope: &Scope, p: &ComponentBlock) -> Vec<String> {
    if !p.dynamic {
        return vec![component_label(&p.kind, &p.body.body)];
    }
    let ev = Evaluator::new(&cfg.ctx, p.body.file);
    let Ok(spec) = body::dynamic_spec(&ev, p.kind.clone(), &p.body.body, None) else {
        return Vec::new();
    };
    let Ok(items) = spec.items(&ev, scope) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, item) in items {
        let mut inner = scope.child();
        inner.set(name, item);
        if let Ok(labels) = spec.labels(&ev, &inner) {
            if let Some(kind) = labels.first() {
                out.push(component_label(kind, &spec.content.body));
            }
        }
    }
    out
}

/// `TYPE`, or `TYPE.NAME` when the block sets a literal `name`.
pub fn component_label(kind: &str, body: &hcl_edit::structure::Body) -> String {
    match body.get_attribute("name").and_then(|a| a.value.as_str()) {
        Some(n) => format!("{kind}.{n}"),
        None => kind.to_owned(),
    }
}

/// Expand `dynamic "provisioner"` (or `"post-processor"`): one component
/// per `for_each` element, of the type its `labels` name, evaluated with
/// the iterator in scope.
#[allow(clippy::too_many_arguments)]
fn plan_dynamic(
    cfg: &Config,
    scope: &Scope,
    block: &ComponentBlock,
    kind: ComponentKind,
    build_name: &str,
    short_name: &str,
    source_name: &str,
    components: &dyn Components,
    diags: &mut Diagnostics,
) -> Vec<PlannedComponent> {
    let ev = Evaluator::new(&cfg.ctx, block.body.file);
    let spec = match body::dynamic_spec(
        &ev,
        block.kind.clone(),
        &block.body.body,
        block.body.span.clone(),
    ) {
        Ok(s) => s,
        Err(d) => {
            diags.extend(d);
            return Vec::new();
        }
    };
    let items = match spec.items(&ev, scope) {
        Ok(i) => i,
        Err(d) => {
            diags.extend(d);
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (name, item) in items {
        let mut inner = scope.child();
        inner.set(name, item);
        let type_name = match spec.labels(&ev, &inner) {
            Ok(labels) if labels.len() == 1 => labels.into_iter().next().unwrap_or_default(),
            Ok(_) => {
                diags.push(
                    Diagnostic::error(
                        "Invalid dynamic labels",
                        format!(
                            "A dynamic {0} needs exactly one label: the {0} type.",
                            kind.noun()
                        ),
                    )
                    .at(block.body.span.clone()),
                );
                return out;
            }
            Err(d) => {
                diags.extend(d);
                return out;
            }
        };
        let generated = ComponentBlock {
            kind: type_name,
            body: FileBody {
                file: block.body.file,
                body: spec.content.body.clone(),
                span: block.body.span.clone(),
            },
            dynamic: false,
        };
        if let Some(pc) = plan_component(
            cfg,
            &inner,
            &generated,
            kind,
            build_name,
            short_name,
            source_name,
            components,
            diags,
        ) {
            out.push(pc);
        }
    }
    out
}

/// `override = { NAME = { field = value } }`: per-source replacement fields.
fn apply_override(
    body: &mut EvaluatedBody,
    per_source: &BTreeMap<String, Value>,
    source_name: &str,
    short_name: &str,
) {
    let Some(Value::Object(fields) | Value::Map(fields)) = per_source
        .get(source_name)
        .or_else(|| per_source.get(short_name))
    else {
        return;
    };
    for (k, v) in fields {
        let span = body.attrs.get(k).and_then(|a| a.span.clone());
        let mut attr = crate::decode::EvaluatedAttr::new(v.clone());
        attr.span = span.clone();
        attr.name_span = span;
        body.attrs.insert(k.clone(), attr);
    }
}

fn check(
    components: &dyn Components,
    kind: ComponentKind,
    type_name: &str,
    body: &EvaluatedBody,
    span: Option<crate::source::SourceSpan>,
    diags: &mut Diagnostics,
) {
    match components.check(kind, type_name, body) {
        Some(d) => diags.extend(d),
        None => {
            let known = components.known(kind);
            let mut d = Diagnostic::error(
                format!("Unknown {} type", kind.noun()),
                format!(
                    "unknown {} type {type_name:?}; known types: {}.",
                    kind.noun(),
                    known.join(", ")
                ),
            )
            .at(span);
            if let Some(s) = did_you_mean(type_name, known.iter().copied()) {
                d = d.with_hint(format!("Did you mean \"{s}\"?"));
            }
            diags.push(d);
        }
    }
}
