//! Meta-arguments the engine applies to every provisioner and
//! post-processor: `name`, `only`, `except`, `pause_before`, `max_retries`,
//! `timeout`, `override`, `keep_input_artifact`.

use super::selection::glob;
use super::ComponentKind;
use crate::diagnostic::Diagnostics;
use crate::eval::{Evaluator, Scope};
use crate::value::{convert, Type, Value};
use hcl_edit::structure::Body;
use hcl_edit::Span;
use kiln_gocompat::GoDuration;

pub const META_ARGS_PROVISIONER: [&str; 9] = [
    "name",
    "only",
    "except",
    "pause_before",
    "max_retries",
    "timeout",
    "override",
    // kiln's step cache.
    "cache",
    "cache_ttl",
];
pub const META_ARGS_POST_PROCESSOR: [&str; 4] = ["name", "only", "except", "keep_input_artifact"];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meta {
    pub name: Option<String>,
    pub only: Vec<String>,
    pub except: Vec<String>,
    /// Set unless zero (Packer pauses only for a non-zero duration; a
    /// negative one prints its pause and waits no time).
    pub pause_before: Option<GoDuration>,
    pub max_retries: u32,
    /// Set unless zero; a negative one times out at once, as in Packer.
    pub timeout: Option<GoDuration>,
    pub keep_input_artifact: Option<bool>,
    /// `cache = false`: always run (and every later step too).
    pub cache: Option<bool>,
    /// `cache_ttl`: a cached result older than this runs again.
    pub cache_ttl: Option<GoDuration>,
}

impl Meta {
    /// Whether the component runs for this build.
    pub fn applies_to(&self, build_name: &str, short_name: &str) -> bool {
        let hit = |ps: &[String]| {
            ps.iter()
                .any(|p| glob(p, build_name) || glob(p, short_name))
        };
        (self.only.is_empty() || hit(&self.only)) && !hit(&self.except)
    }
}

/// Take the meta-arguments out of a component body: the meta values, the
/// body without them, and the raw `override` value.
pub(super) fn split(
    ev: &Evaluator,
    body: &Body,
    scope: &Scope,
    kind: ComponentKind,
) -> Result<(Meta, Body, Option<Value>), Diagnostics> {
    let names: &[&str] = match kind {
        ComponentKind::PostProcessor => &META_ARGS_POST_PROCESSOR,
        _ => &META_ARGS_PROVISIONER,
    };
    let mut rest = body.clone();
    let mut meta = Meta::default();
    let mut override_value = None;
    let mut diags = Diagnostics::new();
    for name in names {
        let Some(attr) = rest.remove_attribute(name) else {
            continue;
        };
        let span = attr.value.span();
        let value = match ev.eval(&attr.value, scope) {
            Ok(v) => v,
            Err(d) => {
                diags.extend(d);
                continue;
            }
        };
        let want = match *name {
            "only" | "except" => Type::list(Type::String),
            "max_retries" => Type::Number,
            "keep_input_artifact" | "cache" => Type::Bool,
            "override" => Type::Any,
            _ => Type::String,
        };
        let value = match convert(value, &want) {
            Ok(v) => v,
            Err(e) => {
                diags.push(ev.error(
                    "Incorrect attribute value type",
                    format!("Inappropriate value for attribute \"{name}\": {e}."),
                    span,
                ));
                continue;
            }
        };
        match (*name, value) {
            ("name", Value::String(s)) => meta.name = Some(s),
            ("only", Value::List(v)) => meta.only = strings(v),
            ("except", Value::List(v)) => meta.except = strings(v),
            ("max_retries", Value::Number(n)) if n >= 0.0 && n.fract() == 0.0 => {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let n = n.min(f64::from(u32::MAX)) as u32;
                meta.max_retries = n;
            }
            ("max_retries", _) => diags.push(ev.error(
                "Invalid max_retries",
                "max_retries must be a whole number of at least 0.",
                span,
            )),
            ("keep_input_artifact", Value::Bool(b)) => meta.keep_input_artifact = Some(b),
            ("cache", Value::Bool(b)) => meta.cache = Some(b),
            ("override", v) => override_value = Some(v),
            ("pause_before" | "timeout" | "cache_ttl", Value::String(s)) => {
                match GoDuration::parse(&s) {
                    Ok(d) => {
                        let d = (!d.is_zero()).then_some(d);
                        match *name {
                            "timeout" => meta.timeout = d,
                            "cache_ttl" => meta.cache_ttl = d,
                            _ => meta.pause_before = d,
                        }
                    }
                    // Packer's words; the detail is Go's error.
                    Err(e) => diags.push(ev.error(
                        format!("Failed to parse {name} duration"),
                        e.to_string(),
                        span,
                    )),
                }
            }
            _ => {}
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok((meta, rest, override_value))
}

fn strings(v: Vec<Value>) -> Vec<String> {
    v.into_iter()
        .filter_map(|x| x.as_str().map(str::to_owned))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_except() {
        let m = Meta {
            only: vec!["null.a".into()],
            ..Meta::default()
        };
        assert!(m.applies_to("null.a", "null.a"));
        assert!(!m.applies_to("null.b", "null.b"));
        let m = Meta {
            except: vec!["null.*".into()],
            ..Meta::default()
        };
        assert!(!m.applies_to("x.null.a", "null.a"));
    }
}
