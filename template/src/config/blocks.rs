//! Reading the top-level blocks of every file into [`Declarations`],
//! checking block types, labels, arguments and duplicates.

use super::model::*;
use crate::diagnostic::{did_you_mean, Diagnostic, Diagnostics};
use crate::eval::{typeexpr, EvalContext, Evaluator, Scope};
use crate::parse::ParsedFile;
use crate::source::{FileId, SourceSpan};
use crate::value::{convert, Type, Value};
use hcl_edit::structure::{Attribute, Block, Structure};
use hcl_edit::Span;

const TOP_LEVEL_BLOCKS: [&str; 9] = [
    "packer",
    "variable",
    "variables",
    "locals",
    "local",
    "source",
    "build",
    "data",
    "hcp_packer_registry",
];

pub(super) struct Reader<'a> {
    pub ctx: &'a EvalContext,
    pub diags: Diagnostics,
    pub decls: Declarations,
}

fn span_of(file: FileId, s: &impl Span) -> Option<SourceSpan> {
    s.span().map(|r| SourceSpan::new(file, r))
}

/// The span of a block's header (type and labels), where errors about the
/// block as a whole point.
pub fn header_span(file: FileId, block: &Block) -> Option<SourceSpan> {
    let start = block.ident.span()?.start;
    let end = block
        .labels
        .last()
        .and_then(|l| l.span())
        .map_or_else(|| block.ident.span().map_or(start, |s| s.end), |s| s.end);
    Some(SourceSpan::new(file, start..end))
}

impl<'a> Reader<'a> {
    pub fn new(ctx: &'a EvalContext) -> Reader<'a> {
        Reader {
            ctx,
            diags: Diagnostics::new(),
            decls: Declarations::default(),
        }
    }

    pub fn read_file(&mut self, f: &ParsedFile) {
        for s in f.body.iter() {
            match s {
                Structure::Attribute(a) => self.unsupported_argument(f.file, a, "here"),
                Structure::Block(b) => self.read_top_block(f.file, b),
            }
        }
    }

    fn read_top_block(&mut self, file: FileId, b: &Block) {
        let kind = b.ident.as_str();
        match kind {
            "packer" if self.labels(file, b, &[]) => self.read_packer(file, b),
            "variable" if self.labels(file, b, &["name"]) => self.read_variable(file, b),
            "variables" if self.labels(file, b, &[]) => self.read_variables_block(file, b),
            "locals" if self.labels(file, b, &[]) => {
                for s in b.body.iter() {
                    match s {
                        Structure::Attribute(a) => self.add_local(LocalDecl {
                            name: a.key.as_str().to_owned(),
                            expr: FileExpr {
                                file,
                                expr: a.value.clone(),
                            },
                            sensitive: false,
                            span: span_of(file, a),
                        }),
                        Structure::Block(inner) => self.unsupported_block(file, inner, &[]),
                    }
                }
            }
            "local" if self.labels(file, b, &["name"]) => self.read_local(file, b),
            "source" if self.labels(file, b, &["type", "name"]) => {
                let decl = SourceDecl {
                    kind: label(b, 0),
                    name: label(b, 1),
                    body: FileBody {
                        file,
                        body: b.body.clone(),
                        span: header_span(file, b),
                    },
                };
                let reference = decl.reference();
                if self
                    .decls
                    .sources
                    .iter()
                    .any(|s| s.reference() == reference)
                {
                    self.diags.push(
                        Diagnostic::error(
                            "Duplicate source block",
                            format!("This \"{reference}\" source has already been defined."),
                        )
                        .at(header_span(file, b)),
                    );
                } else {
                    self.decls.sources.push(decl);
                }
            }
            "data" if self.labels(file, b, &["type", "name"]) => {
                let decl = DataDecl {
                    kind: label(b, 0),
                    name: label(b, 1),
                    body: FileBody {
                        file,
                        body: b.body.clone(),
                        span: header_span(file, b),
                    },
                };
                if self
                    .decls
                    .data
                    .iter()
                    .any(|d| d.kind == decl.kind && d.name == decl.name)
                {
                    self.diags.push(
                        Diagnostic::error(
                            "Duplicate data block",
                            format!(
                                "This \"data.{}.{}\" has already been defined.",
                                decl.kind, decl.name
                            ),
                        )
                        .at(header_span(file, b)),
                    );
                } else {
                    self.decls.data.push(decl);
                }
            }
            "build" if self.labels(file, b, &[]) => {
                if let Some(build) = super::build_block::read(self, file, b) {
                    self.decls.builds.push(build);
                }
            }
            super::hcp_registry::BLOCK if self.labels(file, b, &[]) => {
                super::hcp_registry::read(
                    &mut self.decls.hcp_packer_registry,
                    file,
                    b,
                    &mut self.diags,
                );
            }
            k if TOP_LEVEL_BLOCKS.contains(&k) => {} // label errors already reported
            _ => self.unsupported_block(file, b, &TOP_LEVEL_BLOCKS),
        }
    }

    /// Check a block's labels; report and return false when they do not fit.
    pub(super) fn labels(&mut self, file: FileId, b: &Block, names: &[&str]) -> bool {
        let kind = b.ident.as_str();
        let want = names.len();
        let got = b.labels.len();
        if got == want {
            return true;
        }
        let names = names.join(", ");
        let d = if got < want {
            Diagnostic::error(
                format!("Missing name for {kind}"),
                format!("All {kind} blocks must have {want} labels ({names})."),
            )
        } else if want == 0 {
            Diagnostic::error(
                format!("Extraneous label for {kind}"),
                format!("No labels are expected for {kind} blocks."),
            )
        } else {
            Diagnostic::error(
                format!("Extraneous label for {kind}"),
                format!("Only {want} labels ({names}) are expected for {kind} blocks."),
            )
        };
        self.diags.push(d.at(header_span(file, b)));
        false
    }

    pub(super) fn unsupported_block(&mut self, file: FileId, b: &Block, expected: &[&str]) {
        let name = b.ident.as_str();
        let mut d = Diagnostic::error(
            "Unsupported block type",
            format!("Blocks of type \"{name}\" are not expected here."),
        )
        .at(span_of(file, &b.ident));
        if let Some(s) = did_you_mean(name, expected.iter().copied()) {
            d = d.with_hint(format!("Did you mean \"{s}\"?"));
        }
        self.diags.push(d);
    }

    pub(super) fn unsupported_argument(&mut self, file: FileId, a: &Attribute, _where: &str) {
        self.diags.push(
            Diagnostic::error(
                "Unsupported argument",
                format!(
                    "An argument named \"{}\" is not expected here.",
                    a.key.as_str()
                ),
            )
            .at(span_of(file, &a.key)),
        );
    }

    /// Evaluate a literal-ish expression (no variables in scope).
    pub(super) fn eval_static(
        &mut self,
        file: FileId,
        expr: &hcl_edit::expr::Expression,
    ) -> Option<Value> {
        let ev = Evaluator::new(self.ctx, file);
        match ev.eval(expr, &Scope::default()) {
            Ok(v) => Some(v),
            Err(d) => {
                self.diags.extend(variables_not_allowed(d));
                None
            }
        }
    }

    pub(super) fn eval_static_as(
        &mut self,
        file: FileId,
        a: &Attribute,
        ty: &Type,
    ) -> Option<Value> {
        let v = self.eval_static(file, &a.value)?;
        match convert(v, ty) {
            Ok(v) => Some(v),
            Err(e) => {
                self.diags.push(
                    Diagnostic::error(
                        "Incorrect attribute value type",
                        format!(
                            "Inappropriate value for attribute \"{}\": {e}.",
                            a.key.as_str()
                        ),
                    )
                    .at(span_of(file, &a.value)),
                );
                None
            }
        }
    }

    fn read_packer(&mut self, file: FileId, b: &Block) {
        let mut pb = PackerBlock {
            required_version: None,
            required_plugins: Vec::new(),
            span: header_span(file, b),
        };
        for s in b.body.iter() {
            match s {
                Structure::Attribute(a) if a.key.as_str() == "required_version" => {
                    pb.required_version = Some(FileExpr {
                        file,
                        expr: a.value.clone(),
                    });
                }
                Structure::Attribute(a) => self.unsupported_argument(file, a, "packer"),
                Structure::Block(inner) if inner.ident.as_str() == "required_plugins" => {
                    for s in inner.body.iter() {
                        match s {
                            Structure::Attribute(a) => {
                                if let Some(v) = self.eval_static(file, &a.value) {
                                    pb.required_plugins.push((a.key.as_str().to_owned(), v));
                                }
                            }
                            Structure::Block(x) => self.unsupported_block(file, x, &[]),
                        }
                    }
                }
                Structure::Block(inner) => {
                    self.unsupported_block(file, inner, &["required_plugins"])
                }
            }
        }
        self.decls.packer.push(pb);
    }

    fn read_variable(&mut self, file: FileId, b: &Block) {
        let name = label(b, 0);
        let mut decl = VariableDecl {
            name: name.clone(),
            ty: None,
            default: None,
            default_span: None,
            description: String::new(),
            sensitive: false,
            validations: Vec::new(),
            span: header_span(file, b),
        };
        if hcl_edit::Ident::try_new(name.as_str()).is_err() {
            self.diags.push(
                Diagnostic::error(
                    "Invalid variable name",
                    "A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes.",
                )
                .at(header_span(file, b)),
            );
        }
        for s in b.body.iter() {
            match s {
                Structure::Attribute(a) => match a.key.as_str() {
                    "type" => {
                        let ev = Evaluator::new(self.ctx, file);
                        match typeexpr::parse(&ev, &a.value, false) {
                            // Packer wants an exact type for variables.
                            Ok(t) if t.ty.has_dynamic() => self.diags.push(
                                Diagnostic::error(
                                    "Invalid type specification",
                                    "The keyword \"any\" cannot be used in this type specification: an exact type is required.",
                                )
                                .at(span_of(file, &a.value)),
                            ),
                            Ok(t) => decl.ty = Some(t.ty),
                            Err(d) => self.diags.extend(d),
                        }
                    }
                    "default" => {
                        // Defaults may call env(), as in Packer, but may
                        // not refer to other variables.
                        let ctx = self.ctx.with_env();
                        let ev = Evaluator::new(&ctx, file);
                        decl.default_span = span_of(file, &a.value);
                        match ev.eval(&a.value, &Scope::default()) {
                            Ok(v) => decl.default = Some(v),
                            Err(d) => self.diags.extend(variables_not_allowed(d)),
                        }
                    }
                    "description" => {
                        if let Some(Value::String(s)) = self.eval_static_as(file, a, &Type::String)
                        {
                            decl.description = s;
                        }
                    }
                    "sensitive" => {
                        if let Some(Value::Bool(v)) = self.eval_static_as(file, a, &Type::Bool) {
                            decl.sensitive = v;
                        }
                    }
                    _ => self.unsupported_argument(file, a, "variable"),
                },
                Structure::Block(v) if v.ident.as_str() == "validation" => {
                    if !self.labels(file, v, &[]) {
                        continue;
                    }
                    let cond = v.body.get_attribute("condition");
                    let msg = v.body.get_attribute("error_message");
                    for s in v.body.iter() {
                        match s {
                            Structure::Attribute(a)
                                if matches!(a.key.as_str(), "condition" | "error_message") => {}
                            Structure::Attribute(a) => {
                                self.unsupported_argument(file, a, "validation")
                            }
                            Structure::Block(x) => self.unsupported_block(file, x, &[]),
                        }
                    }
                    if let Some(c) = cond {
                        self.check_validation_refs(file, &name, c);
                    }
                    if let Some(m) = msg {
                        self.check_error_message(file, m);
                    }
                    match (cond, msg) {
                        (Some(c), Some(m)) => decl.validations.push(Validation {
                            condition: FileExpr {
                                file,
                                expr: c.value.clone(),
                            },
                            error_message: FileExpr {
                                file,
                                expr: m.value.clone(),
                            },
                            span: header_span(file, v),
                        }),
                        (c, _) => {
                            let missing = if c.is_none() {
                                "condition"
                            } else {
                                "error_message"
                            };
                            self.diags
                                .push(missing_argument(missing, header_span(file, v)));
                        }
                    }
                }
                Structure::Block(v) => self.unsupported_block(file, v, &["validation"]),
            }
        }
        if let (Some(ty), Some(default)) = (&decl.ty, &decl.default) {
            match convert(default.clone(), ty) {
                Ok(v) => decl.default = Some(v),
                Err(e) => {
                    let at = b
                        .body
                        .get_attribute("default")
                        .and_then(|a| span_of(file, &a.value));
                    self.diags.push(
                        Diagnostic::error(
                            "Invalid default value for variable",
                            format!("This default value is not compatible with the variable's type constraint: {e}."),
                        )
                        .at(at),
                    );
                }
            }
        }
        self.add_variable(decl);
    }

    /// A validation condition may only refer to its own variable.
    fn check_validation_refs(&mut self, file: FileId, name: &str, cond: &Attribute) {
        let refs = super::locals::var_refs(&cond.value);
        if refs.iter().all(|r| r == name) && !refs.is_empty() {
            return;
        }
        let d = if refs.is_empty() {
            Diagnostic::error(
                "Invalid variable validation condition",
                format!("The condition for variable \"{name}\" must refer to var.{name} in order to test incoming values."),
            )
        } else {
            Diagnostic::error(
                "Invalid reference in variable validation",
                format!("The condition for variable \"{name}\" can only refer to the variable itself, using var.{name}."),
            )
        };
        self.diags.push(d.at(span_of(file, &cond.value)));
    }

    /// Packer wants validation messages to read as sentences.
    fn check_error_message(&mut self, file: FileId, msg: &Attribute) {
        let Some(text) = msg.value.as_str() else {
            return;
        };
        let text = text.trim();
        let starts_ok = text.chars().next().is_some_and(|c| !c.is_lowercase());
        let ends_ok = text.ends_with('.') || text.ends_with('?');
        if text.is_empty() || !starts_ok || !ends_ok {
            self.diags.push(
                Diagnostic::error(
                    "Invalid validation error message",
                    "Validation error message must be at least one full sentence starting with an uppercase letter ( if the alphabet permits it ) and ending with a period or question mark.",
                )
                .at(span_of(file, &msg.value)),
            );
        }
    }

    /// `variables { name = default }`: each attribute declares a variable.
    fn read_variables_block(&mut self, file: FileId, b: &Block) {
        for s in b.body.iter() {
            match s {
                Structure::Attribute(a) => {
                    let ctx = self.ctx.with_env();
                    let ev = Evaluator::new(&ctx, file);
                    let default = match ev.eval(&a.value, &Scope::default()) {
                        Ok(v) => Some(v),
                        Err(d) => {
                            self.diags.extend(variables_not_allowed(d));
                            None
                        }
                    };
                    self.add_variable(VariableDecl {
                        name: a.key.as_str().to_owned(),
                        ty: None,
                        default,
                        default_span: span_of(file, &a.value),
                        description: String::new(),
                        sensitive: false,
                        validations: Vec::new(),
                        span: span_of(file, &a.key),
                    });
                }
                Structure::Block(inner) => self.unsupported_block(file, inner, &[]),
            }
        }
    }

    fn add_variable(&mut self, decl: VariableDecl) {
        if self.decls.variables.iter().any(|v| v.name == decl.name) {
            self.diags.push(
                Diagnostic::error(
                    "Duplicate variable",
                    format!("Duplicate {:?} variable definition found.", decl.name),
                )
                .at(decl.span.clone()),
            );
        } else {
            self.decls.variables.push(decl);
        }
    }

    fn read_local(&mut self, file: FileId, b: &Block) {
        let mut expr = None;
        let mut sensitive = false;
        for s in b.body.iter() {
            match s {
                Structure::Attribute(a) if a.key.as_str() == "expression" => {
                    expr = Some(FileExpr {
                        file,
                        expr: a.value.clone(),
                    });
                }
                Structure::Attribute(a) if a.key.as_str() == "sensitive" => {
                    if let Some(Value::Bool(v)) = self.eval_static_as(file, a, &Type::Bool) {
                        sensitive = v;
                    }
                }
                Structure::Attribute(a) => self.unsupported_argument(file, a, "local"),
                Structure::Block(x) => self.unsupported_block(file, x, &[]),
            }
        }
        match expr {
            Some(expr) => self.add_local(LocalDecl {
                name: label(b, 0),
                expr,
                sensitive,
                span: header_span(file, b),
            }),
            None => self
                .diags
                .push(missing_argument("expression", header_span(file, b))),
        }
    }

    fn add_local(&mut self, decl: LocalDecl) {
        if self.decls.locals.iter().any(|l| l.name == decl.name) {
            self.diags.push(
                Diagnostic::error(
                    "Duplicate local definition",
                    format!("Local variable {:?} is defined twice.", decl.name),
                )
                .at(decl.span.clone()),
            );
        } else {
            self.decls.locals.push(decl);
        }
    }
}

pub(super) fn label(b: &Block, i: usize) -> String {
    b.labels
        .get(i)
        .map(|l| l.as_str().to_owned())
        .unwrap_or_default()
}

pub fn missing_argument(name: &str, span: Option<SourceSpan>) -> Diagnostic {
    Diagnostic::error(
        "Missing required argument",
        format!("The argument \"{name}\" is required, but no definition was found."),
    )
    .at(span)
}

/// Outside of locals and blocks, references are not allowed: reword the
/// evaluator's "unknown variable" as Packer does.
fn variables_not_allowed(d: Diagnostics) -> Diagnostics {
    Diagnostics(
        d.into_iter()
            .map(|mut d| {
                if d.summary == "Unknown variable" {
                    d.summary = "Variables not allowed".into();
                    d.detail = "Variables may not be used here.".into();
                    d.hint = None;
                }
                d
            })
            .collect(),
    )
}
