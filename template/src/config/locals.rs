//! Locals and data sources, evaluated together in dependency order (a
//! local may use a data source's output and a data source a local).

use super::model::{DataDecl, LocalDecl};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::eval::{EvalContext, Evaluator, Scope};
use crate::plan::Components;
use crate::source::SourceSpan;
use crate::value::{Type, Value};
use hcl_edit::expr::{Expression, Traversal, TraversalOperator};
use hcl_edit::visit::{visit_traversal, Visit};
use hcl_edit::Span;
use indexmap::IndexMap;
use std::collections::{BTreeMap, HashSet};

/// The data source types the template layer evaluates itself (pure: no
/// I/O); every other type is a component run through [`Components`].
pub const DATA_SOURCE_TYPES: [&str; 1] = ["null"];

/// Where data sources other than `null` come from while loading.
#[derive(Clone, Copy)]
pub struct DataSources<'a> {
    pub components: &'a dyn Components,
    /// Run them (`build`, `validate -evaluate-datasources`); otherwise
    /// their outputs stay unknown (no network, no credentials).
    pub execute: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Node {
    Local(String),
    Data(String, String),
}

#[derive(Default)]
struct Refs(Vec<Node>);

impl Visit for Refs {
    fn visit_traversal(&mut self, t: &Traversal) {
        if let Expression::Variable(root) = &t.expr {
            let names: Vec<&str> = t
                .operators
                .iter()
                .map_while(|op| match op.value() {
                    TraversalOperator::GetAttr(i) => Some(i.as_str()),
                    _ => None,
                })
                .collect();
            match (root.as_str(), names.as_slice()) {
                ("local", [name, ..]) => self.0.push(Node::Local((*name).to_owned())),
                ("data", [kind, name, ..]) => {
                    self.0
                        .push(Node::Data((*kind).to_owned(), (*name).to_owned()));
                }
                _ => {}
            }
        }
        visit_traversal(self, t);
    }
}

/// Names of the input variables an expression refers to (`var.NAME`).
pub(super) fn var_refs(e: &Expression) -> Vec<String> {
    #[derive(Default)]
    struct Vars(Vec<String>);
    impl Visit for Vars {
        fn visit_traversal(&mut self, t: &Traversal) {
            if let (Expression::Variable(root), Some(op)) = (&t.expr, t.operators.first()) {
                if let (true, TraversalOperator::GetAttr(name)) =
                    (root.as_str() == "var", op.value())
                {
                    self.0.push(name.as_str().to_owned());
                }
            }
            visit_traversal(self, t);
        }
    }
    let mut v = Vars::default();
    v.visit_expr(e);
    v.0
}

fn refs_of_expr(e: &Expression) -> Vec<Node> {
    let mut r = Refs::default();
    r.visit_expr(e);
    r.0
}

fn refs_of_body(b: &hcl_edit::structure::Body) -> Vec<Node> {
    let mut r = Refs::default();
    r.visit_body(b);
    r.0
}

/// Evaluated locals and data sources.
#[derive(Debug, Clone, Default)]
pub struct LocalValues {
    pub locals: IndexMap<String, (Value, bool)>,
    /// `data.TYPE.NAME` → the data source's attributes.
    pub data: BTreeMap<String, BTreeMap<String, Value>>,
}

impl LocalValues {
    pub fn local_object(&self) -> Value {
        Value::Object(
            self.locals
                .iter()
                .map(|(k, (v, _))| (k.clone(), v.clone()))
                .collect(),
        )
    }

    pub fn data_object(&self) -> Value {
        Value::Object(
            self.data
                .iter()
                .map(|(k, m)| {
                    (
                        k.clone(),
                        Value::Object(m.iter().map(|(n, v)| (n.clone(), v.clone())).collect()),
                    )
                })
                .collect(),
        )
    }
}

/// Evaluate every local and data source. `base` holds the other root names
/// (`var`, `path`, `packer`).
pub(super) fn evaluate(
    ctx: &EvalContext,
    locals: &[LocalDecl],
    data: &[DataDecl],
    base: &Scope,
    sources: Option<DataSources>,
) -> (LocalValues, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut out = LocalValues::default();
    let mut supported: Vec<&str> = DATA_SOURCE_TYPES.to_vec();
    if let Some(s) = sources {
        supported.extend(s.components.data_source_types());
    }
    supported.sort_unstable();
    for d in data {
        if !supported.contains(&d.kind.as_str()) {
            let missing = sources.and_then(|s| s.components.data_source_missing(&d.kind));
            let message = match missing {
                Some(why) => format!(
                    "The data source type {:?} is not supported by kiln: {why}.",
                    d.kind
                ),
                None => format!(
                    "The data source type {:?} is not supported by kiln. Supported data source types: {}.",
                    d.kind,
                    supported.join(", ")
                ),
            };
            diags.push(
                Diagnostic::error("Unsupported data source", message).at(d.body.span.clone()),
            );
            // Unknown, so that what refers to it is not a second error
            // ("does not have an attribute") on top of this one.
            out.data
                .entry(d.kind.clone())
                .or_default()
                .insert(d.name.clone(), Value::Unknown(Type::Any));
        }
    }
    let mut deps: BTreeMap<Node, Vec<Node>> = BTreeMap::new();
    for l in locals {
        deps.insert(Node::Local(l.name.clone()), refs_of_expr(&l.expr.expr));
    }
    for d in data.iter().filter(|d| supported.contains(&d.kind.as_str())) {
        deps.insert(
            Node::Data(d.kind.clone(), d.name.clone()),
            refs_of_body(&d.body.body),
        );
    }
    let order = match topo_order(&deps) {
        Ok(o) => o,
        Err(cycle) => {
            for n in &cycle {
                let (what, span) = match n {
                    Node::Local(name) => (
                        format!("local.{name}"),
                        locals
                            .iter()
                            .find(|l| &l.name == name)
                            .and_then(|l| l.span.clone()),
                    ),
                    Node::Data(k, name) => (
                        format!("data.{k}.{name}"),
                        data.iter()
                            .find(|d| &d.kind == k && &d.name == name)
                            .and_then(|d| d.body.span.clone()),
                    ),
                };
                diags.push(
                    Diagnostic::error(
                        "Cyclic reference",
                        format!("{what} refers to itself through a chain of other locals or data sources."),
                    )
                    .at(span),
                );
            }
            return (out, diags);
        }
    };
    let mut failed: HashSet<Node> = HashSet::new();
    for node in order {
        // Skip what depends on something that already failed: its error
        // would only repeat the first one.
        if deps
            .get(&node)
            .is_some_and(|ds| ds.iter().any(|d| failed.contains(d)))
        {
            failed.insert(node);
            continue;
        }
        let mut scope = base.child();
        scope.set("local", out.local_object());
        scope.set("data", out.data_object());
        let result = match &node {
            Node::Local(name) => {
                let Some(l) = locals.iter().find(|l| &l.name == name) else {
                    continue;
                };
                let ev = Evaluator::new(ctx, l.expr.file);
                ev.eval(&l.expr.expr, &scope).map(|v| {
                    out.locals.insert(name.clone(), (v, l.sensitive));
                })
            }
            Node::Data(kind, name) => {
                let Some(d) = data.iter().find(|d| &d.kind == kind && &d.name == name) else {
                    continue;
                };
                let value = match sources {
                    Some(s) if kind != "null" => component_data_source(ctx, d, &scope, s),
                    // `validate` leaves every data source unknown, `null`
                    // too (Packer's placeholder of its output spec).
                    Some(s) if !s.execute => null_data_source(ctx, d, &scope).map(|_| {
                        Value::Object(BTreeMap::from([(
                            "output".to_owned(),
                            Value::Unknown(Type::Any),
                        )]))
                    }),
                    _ => null_data_source(ctx, d, &scope).map(Value::Object),
                };
                value.map(|v| {
                    out.data
                        .entry(kind.clone())
                        .or_default()
                        .insert(name.clone(), v);
                })
            }
        };
        if let Err(d) = result {
            diags.extend(d);
            failed.insert(node);
        }
    }
    // Keep declaration order for display.
    out.locals.sort_by_cached_key(|k, _| {
        locals
            .iter()
            .position(|l| &l.name == k)
            .unwrap_or(usize::MAX)
    });
    (out, diags)
}

/// A data source the components provide: its body evaluated here, decoded,
/// checked and (when executing) run there.
fn component_data_source(
    ctx: &EvalContext,
    d: &DataDecl,
    scope: &Scope,
    sources: DataSources,
) -> Result<Value, Diagnostics> {
    let ev = Evaluator::new(ctx, d.body.file);
    let body = crate::plan::evaluate_body(&ev, &d.body.body, scope, d.body.span.clone())?;
    sources
        .components
        .data_source(&d.kind, &body, sources.execute)
        .unwrap_or(Ok(Value::Unknown(Type::Any)))
}

/// The `null` data source: `input` comes back as `output` (its only
/// output attribute, as in Packer).
fn null_data_source(
    ctx: &EvalContext,
    d: &DataDecl,
    scope: &Scope,
) -> Result<BTreeMap<String, Value>, Diagnostics> {
    let ev = Evaluator::new(ctx, d.body.file);
    let mut attrs = BTreeMap::new();
    let mut diags = Diagnostics::new();
    for a in d.body.body.attributes() {
        match a.key.as_str() {
            "input" => {
                let v = ev.eval(&a.value, scope)?;
                attrs.insert("output".to_owned(), v);
            }
            other => diags.push(
                Diagnostic::error(
                    "Unsupported argument",
                    format!("An argument named \"{other}\" is not expected here."),
                )
                .at(a.key.span().map(|r| SourceSpan::new(d.body.file, r))),
            ),
        }
    }
    if !attrs.contains_key("output") {
        diags.push(super::blocks::missing_argument(
            "input",
            d.body.span.clone(),
        ));
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(attrs)
}

/// Kahn's algorithm over the known nodes; references to unknown nodes are
/// left for evaluation to report. On a cycle, returns the nodes in it.
fn topo_order(deps: &BTreeMap<Node, Vec<Node>>) -> Result<Vec<Node>, Vec<Node>> {
    let mut done: HashSet<&Node> = HashSet::new();
    let mut order = Vec::new();
    loop {
        let ready: Vec<&Node> = deps
            .iter()
            .filter(|(n, ds)| {
                !done.contains(n) && ds.iter().all(|d| done.contains(d) || !deps.contains_key(d))
            })
            .map(|(n, _)| n)
            .collect();
        if ready.is_empty() {
            break;
        }
        for n in ready {
            done.insert(n);
            order.push(n.clone());
        }
    }
    if order.len() == deps.len() {
        Ok(order)
    } else {
        Err(deps.keys().filter(|n| !done.contains(n)).cloned().collect())
    }
}
