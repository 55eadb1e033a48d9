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
use std::time::Duration;

pub const META_ARGS_PROVISIONER: [&str; 7] = [
    "name",
    "only",
    "except",
    "pause_before",
    "max_retries",
    "timeout",
    "override",
];
pub const META_ARGS_POST_PROCESSOR: [&str; 4] = ["name", "only", "except", "keep_input_artifact"];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meta {
    pub name: Option<String>,
    pub only: Vec<String>,
    pub except: Vec<String>,
    pub pause_before: Option<Duration>,
    pub max_retries: u32,
    pub timeout: Option<Duration>,
    pub keep_input_artifact: Option<bool>,
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
            "keep_input_artifact" => Type::Bool,
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
            ("override", v) => override_value = Some(v),
            ("pause_before" | "timeout", Value::String(s)) => match parse_duration(&s) {
                Some(d) if *name == "timeout" => meta.timeout = Some(d),
                Some(d) => meta.pause_before = Some(d),
                None => diags.push(ev.error(
                    "Invalid duration",
                    format!("{s:?} is not a valid duration for \"{name}\": use a number with a unit, such as \"30s\", \"5m\" or \"1h30m\"."),
                    span,
                )),
            },
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

/// Go's `time.ParseDuration`: a sequence of decimal numbers with units
/// (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`), e.g. `1h30m`, `1.5s`; a plain
/// `0` is allowed. Negative durations are not meaningful here.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    if s == "0" {
        return Some(Duration::ZERO);
    }
    let mut rest = s.strip_prefix('+').unwrap_or(s);
    if rest.is_empty() {
        return None;
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, after) = rest.split_at(num_end);
        let n: f64 = num.parse().ok()?;
        let unit_end = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_end);
        let secs = match unit {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += n * secs;
        rest = next;
    }
    Duration::try_from_secs_f64(total).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("300ms"), Some(Duration::from_millis(300)));
        assert_eq!(parse_duration("0"), Some(Duration::ZERO));
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("5x"), None);
    }

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
