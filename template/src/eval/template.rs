//! String templates: `"a ${x} b"`, heredocs, and `%{ if }` / `%{ for }`
//! directives, with `~` strip markers.

use super::{EvalResult, Evaluator, Scope};
use crate::diagnostic::Diagnostics;
use crate::value::{convert, Type, Value};
use hcl_edit::template::{Directive, Element, Template};
use hcl_edit::Span;

/// Rendered text, or "unknown" once any interpolated value is unknown.
enum Rendered {
    Known,
    Unknown,
}

impl Evaluator<'_> {
    pub(super) fn eval_template(&self, t: &Template, scope: &Scope) -> EvalResult {
        self.eval_template_dedented(t, scope, None)
    }

    /// `dedent`: the indent hcl-edit stripped from a `<<-` heredoc's own
    /// lines, to strip from lines inside its directives too (HCL dedents
    /// every line of the heredoc; hcl-edit only the top-level ones).
    pub(super) fn eval_template_dedented(
        &self,
        t: &Template,
        scope: &Scope,
        dedent: Option<usize>,
    ) -> EvalResult {
        // A template that is exactly one interpolation yields that value
        // unconverted ("${list}" is the list), as HCL does.
        if let Some(Element::Interpolation(i)) = t.as_single_element() {
            return self.eval(&i.expr, scope);
        }
        let mut out = String::new();
        let mut st = RenderState {
            strip_next: false,
            dedent,
            nested: false,
        };
        match self.render(t, scope, &mut out, &mut st)? {
            Rendered::Known => Ok(Value::String(out)),
            Rendered::Unknown => Ok(Value::Unknown(Type::String)),
        }
    }

    /// Append the template's text to `out`. `strip_next` carries a `~}`
    /// marker over to the next literal.
    fn render(
        &self,
        t: &Template,
        scope: &Scope,
        out: &mut String,
        st: &mut RenderState,
    ) -> Result<Rendered, Diagnostics> {
        let mut unknown = false;
        for el in t.iter() {
            match el {
                Element::Literal(lit) => {
                    let dedented;
                    let mut text: &str = lit.value();
                    if let (true, Some(n)) = (st.nested, st.dedent) {
                        dedented = dedent_lines(text, n, out.is_empty() || out.ends_with('\n'));
                        text = &dedented;
                    }
                    if std::mem::take(&mut st.strip_next) {
                        out.push_str(text.trim_start());
                    } else {
                        out.push_str(text);
                    }
                }
                Element::Interpolation(i) => {
                    strip_before(out, i.strip.strip_start());
                    let v = self.eval(&i.expr, scope)?;
                    match self.template_text(v, i.expr.span())? {
                        Some(s) => out.push_str(&s),
                        None => unknown = true,
                    }
                    st.strip_next = i.strip.strip_end();
                }
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(ifd) => {
                        strip_before(out, ifd.if_expr.strip.strip_start());
                        st.strip_next = ifd.if_expr.strip.strip_end();
                        let cond = self.eval(&ifd.if_expr.cond_expr, scope)?;
                        let cond = match convert(cond, &Type::Bool) {
                            Ok(Value::Bool(b)) => Some(b),
                            Ok(Value::Unknown(_)) => None,
                            _ => {
                                return Err(self
                                    .error(
                                        "Invalid template if directive",
                                        "The condition must be a bool value.",
                                        ifd.if_expr.cond_expr.span(),
                                    )
                                    .into())
                            }
                        };
                        match cond {
                            None => unknown = true,
                            Some(true) => {
                                if let Rendered::Unknown =
                                    self.render_nested(&ifd.if_expr.template, scope, out, st)?
                                {
                                    unknown = true;
                                }
                                if let Some(e) = &ifd.else_expr {
                                    strip_before(out, e.strip.strip_start());
                                }
                            }
                            Some(false) => {
                                if let Some(e) = &ifd.else_expr {
                                    st.strip_next = e.strip.strip_end();
                                    if let Rendered::Unknown =
                                        self.render_nested(&e.template, scope, out, st)?
                                    {
                                        unknown = true;
                                    }
                                }
                            }
                        }
                        strip_before(out, ifd.endif_expr.strip.strip_start());
                        st.strip_next = ifd.endif_expr.strip.strip_end();
                    }
                    Directive::For(ford) => {
                        let f = &ford.for_expr;
                        strip_before(out, f.strip.strip_start());
                        let coll = self.eval(&f.collection_expr, scope)?;
                        let items: Vec<(Value, Value)> = match coll {
                            Value::Unknown(_) => {
                                unknown = true;
                                Vec::new()
                            }
                            v @ (Value::List(_)
                            | Value::Set(_)
                            | Value::Tuple(_)
                            | Value::Map(_)
                            | Value::Object(_)) => v.into_pairs().unwrap_or_default(),
                            _ => {
                                return Err(self
                                    .error(
                                        "Invalid template for directive",
                                        "The collection must be a list, set, map or object.",
                                        f.collection_expr.span(),
                                    )
                                    .into())
                            }
                        };
                        for (k, v) in items {
                            let mut inner = scope.child();
                            if let Some(kv) = &f.key_var {
                                inner.set(kv.as_str(), k);
                            }
                            inner.set(f.value_var.as_str(), v);
                            st.strip_next = f.strip.strip_end();
                            if let Rendered::Unknown =
                                self.render_nested(&f.template, &inner, out, st)?
                            {
                                unknown = true;
                            }
                            strip_before(out, ford.endfor_expr.strip.strip_start());
                        }
                        st.strip_next = ford.endfor_expr.strip.strip_end();
                    }
                },
            }
        }
        Ok(if unknown {
            Rendered::Unknown
        } else {
            Rendered::Known
        })
    }

    /// Convert an interpolated value to text; `None` when it is unknown.
    fn template_text(
        &self,
        v: Value,
        span: Option<std::ops::Range<usize>>,
    ) -> Result<Option<String>, Diagnostics> {
        match v {
            Value::Unknown(_) => Ok(None),
            Value::Null => Err(self
                .error(
                    "Invalid template interpolation value",
                    "The expression result is null. Cannot include a null value in a string template.",
                    span,
                )
                .into()),
            v => match convert(v.clone(), &Type::String) {
                Ok(Value::String(s)) => Ok(Some(s)),
                _ => Err(self
                    .error(
                        "Invalid template interpolation value",
                        format!(
                            "Cannot include the given value in a string template: string required, but have {}.",
                            v.friendly_type()
                        ),
                        span,
                    )
                    .into()),
            },
        }
    }
}

/// State carried through one template's rendering.
struct RenderState {
    /// A `~}` marker asks the next literal to drop its leading space.
    strip_next: bool,
    dedent: Option<usize>,
    /// Inside a directive's body.
    nested: bool,
}

impl Evaluator<'_> {
    fn render_nested(
        &self,
        t: &Template,
        scope: &Scope,
        out: &mut String,
        st: &mut RenderState,
    ) -> Result<Rendered, Diagnostics> {
        let was = std::mem::replace(&mut st.nested, true);
        let r = self.render(t, scope, out, st);
        st.nested = was;
        r
    }
}

/// Remove up to `n` leading spaces from every line of `text`; the first
/// line counts only when `at_line_start`.
fn dedent_lines(text: &str, n: usize, at_line_start: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i == 0 && !at_line_start {
            out.push_str(line);
            continue;
        }
        let spaces = line.bytes().take(n).take_while(|b| *b == b' ').count();
        out.push_str(&line[spaces..]);
    }
    out
}

fn strip_before(out: &mut String, strip: bool) {
    if strip {
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
    }
}
