//! A legacy template as HCL, with every value as Packer's core would hand
//! it to the component: template functions (`{{ user `x` }}`,
//! `{{ timestamp }}`, `{{ build_name }}`…) rendered, actions that read a
//! component's own data (`{{ .HTTPIP }}`, `{{ .Path }}`) left for the
//! component to render. Each builder gets a `source` and a `build` block of
//! its own, holding the provisioners and post-processors that apply to it
//! (`only`/`except` decided and `override` laid over here), so a value can
//! differ per builder as `{{ build_name }}` makes it. Every part of the
//! text is recorded with the JSON range it came from, so that errors point
//! at what the user wrote.

use super::model::{LegacyTemplate, PostProcessor, Provisioner, Settings};
use crate::json::spanned::{Json, Member, Spanned};
use crate::legacy::{self, CleanStyle, LegacyContext, LegacyFuncs};
use crate::source::{FileId, Origin, SourceSpan};
use crate::value::display::write_quoted;
use indexmap::IndexMap;
use std::ops::Range;

/// The HCL text and where its parts came from.
pub struct Baked {
    pub text: String,
    pub origin: Origin,
    /// Each builder's build name: its `name` rendered (Packer renders
    /// user variables and functions in builder names).
    pub names: Vec<String>,
}

/// A value that could not be rendered, and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct BakeProblem {
    pub message: String,
    pub range: Range<usize>,
}

struct Out {
    text: String,
    origin: Origin,
    json: FileId,
    problems: Vec<BakeProblem>,
}

impl Out {
    /// Record that the text written since `start` came from `range`.
    fn mark(&mut self, start: usize, range: &Range<usize>) {
        self.origin.push(
            start..self.text.len(),
            SourceSpan::new(self.json, range.clone()),
        );
    }

    fn problem(&mut self, message: String, range: &Range<usize>) {
        self.problems.push(BakeProblem {
            message,
            range: range.clone(),
        });
    }

    fn indent(&mut self, depth: usize) {
        self.text.extend(std::iter::repeat_n("  ", depth));
    }

    fn string(&mut self, s: &str, range: &Range<usize>, ctx: &LegacyContext) {
        match legacy::render_functions(s, ctx) {
            Ok(r) => write_quoted(&mut self.text, &r),
            Err(e) => {
                self.problem(e.to_string(), range);
                write_quoted(&mut self.text, s);
            }
        }
    }

    fn value(&mut self, v: &Spanned, ctx: &LegacyContext, depth: usize) {
        let start = self.text.len();
        match &v.value {
            Json::Null => self.text.push_str("null"),
            Json::Bool(b) => self.text.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => self.text.push_str(n),
            Json::String(s) => self.string(s, &v.range, ctx),
            Json::Array(items) => {
                self.text.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.text.push_str(", ");
                    }
                    self.value(item, ctx, depth);
                }
                self.text.push(']');
            }
            Json::Object(members) => {
                self.text.push_str("{\n");
                for m in members {
                    self.indent(depth + 1);
                    let key_start = self.text.len();
                    self.string(&m.key, &m.key_range, ctx);
                    self.mark(key_start, &m.key_range);
                    self.text.push_str(" = ");
                    self.value(&m.value, ctx, depth + 1);
                    self.text.push('\n');
                }
                self.indent(depth);
                self.text.push('}');
            }
        }
        self.mark(start, &v.range);
    }

    /// `key = value` lines of a component body.
    fn settings(&mut self, settings: &[Member], ctx: &LegacyContext, depth: usize) {
        for m in settings {
            if hcl_edit::Ident::try_new(m.key.as_str()).is_err() {
                self.problem(
                    format!("unknown configuration key: {:?}", m.key),
                    &m.key_range,
                );
                continue;
            }
            self.attribute(&m.key, &m.key_range, &m.value, ctx, depth);
        }
    }

    fn attribute(
        &mut self,
        key: &str,
        key_range: &Range<usize>,
        value: &Spanned,
        ctx: &LegacyContext,
        depth: usize,
    ) {
        self.indent(depth);
        let start = self.text.len();
        self.text.push_str(key);
        self.mark(start, key_range);
        self.text.push_str(" = ");
        self.value(value, ctx, depth);
        self.mark(start, &(key_range.start..value.range.end));
        self.text.push('\n');
    }

    /// `kind "label" … {`, marked as the component's whole object (where
    /// "missing required argument" errors point).
    fn header(&mut self, depth: usize, kind: &str, labels: &[&str], range: &Range<usize>) {
        self.indent(depth);
        let start = self.text.len();
        self.text.push_str(kind);
        for l in labels {
            self.text.push(' ');
            write_quoted(&mut self.text, l);
        }
        self.mark(start, range);
        self.text.push_str(" {\n");
    }

    fn close(&mut self, depth: usize) {
        self.indent(depth);
        self.text.push_str("}\n");
    }
}

/// The `clean_resource_name` of a builder type, as the plugins define it.
fn clean_style(kind: &str) -> Option<CleanStyle> {
    if kind.starts_with("amazon-") {
        Some(CleanStyle::Amazon)
    } else if kind.starts_with("googlecompute") {
        Some(CleanStyle::Google)
    } else if kind.starts_with("azure-") {
        Some(CleanStyle::Azure)
    } else {
        None
    }
}

pub fn bake(
    t: &LegacyTemplate,
    json: FileId,
    values: &IndexMap<String, String>,
    funcs: &LegacyFuncs,
) -> Result<Baked, Vec<BakeProblem>> {
    let mut out = Out {
        text: String::new(),
        origin: Origin::default(),
        json,
        problems: Vec::new(),
    };
    variables(&mut out, t, values);
    let user: std::collections::BTreeMap<String, String> =
        values.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let mut names = Vec::new();
    for b in &t.builders {
        let name_ctx = LegacyContext {
            funcs: LegacyFuncs {
                user_variables: Some(user.clone()),
                ..funcs.clone()
            },
            ..LegacyContext::default()
        };
        let name = match legacy::render_functions(&b.name, &name_ctx) {
            Ok(n) => n,
            Err(e) => {
                out.problem(e.to_string(), &b.range);
                b.name.clone()
            }
        };
        names.push(name.clone());
        let ctx = LegacyContext {
            funcs: LegacyFuncs {
                user_variables: Some(user.clone()),
                build_name: Some(name.clone()),
                build_type: Some(b.kind.clone()),
                clean_resource_name: clean_style(&b.kind),
                enable_env: false,
                ..funcs.clone()
            },
            ..LegacyContext::default()
        };
        out.header(0, "source", &[&b.kind, &name], &b.range);
        out.settings(&b.settings, &ctx, 1);
        out.close(0);
        out.header(0, "build", &[], &b.range);
        for p in t.provisioners.iter().filter(|p| p.applies_to(&b.name)) {
            provisioner(&mut out, "provisioner", p, &b.name, &ctx);
        }
        if let Some(p) = &t.error_cleanup_provisioner {
            if p.applies_to(&b.name) {
                provisioner(&mut out, "error-cleanup-provisioner", p, &b.name, &ctx);
            }
        }
        for chain in &t.post_processors {
            let applying: Vec<&PostProcessor> =
                chain.iter().filter(|p| p.applies_to(&b.name)).collect();
            if applying.is_empty() {
                continue;
            }
            out.text.push_str("  post-processors {\n");
            for p in applying {
                post_processor(&mut out, p, &ctx);
            }
            out.text.push_str("  }\n");
        }
        out.close(0);
    }
    if out.problems.is_empty() {
        Ok(Baked {
            text: out.text,
            origin: out.origin,
            names,
        })
    } else {
        Err(out.problems)
    }
}

/// Each variable, declared with its resolved value, so that sensitive
/// ones are masked in output as in Packer. Names HCL cannot declare are
/// left out: their values are already in place.
fn variables(out: &mut Out, t: &LegacyTemplate, values: &IndexMap<String, String>) {
    for v in &t.variables {
        if hcl_edit::Ident::try_new(v.name.as_str()).is_err() {
            continue;
        }
        let Some(value) = values.get(&v.name) else {
            continue;
        };
        out.header(0, "variable", &[&v.name], &v.range);
        out.text.push_str("  type = string\n  default = ");
        write_quoted(&mut out.text, value);
        out.text.push('\n');
        if v.sensitive {
            out.text.push_str("  sensitive = true\n");
        }
        out.close(0);
    }
}

/// The provisioner's settings with its `override` for `builder` laid over
/// them (a key there replaces the same key).
fn overridden(p: &Provisioner, builder: &str) -> Settings {
    let mut settings = p.settings.clone();
    for (name, over) in &p.overrides {
        if name != builder {
            continue;
        }
        for m in over {
            settings.retain(|s| s.key != m.key);
            settings.push(m.clone());
        }
    }
    settings
}

fn provisioner(out: &mut Out, block: &str, p: &Provisioner, builder: &str, ctx: &LegacyContext) {
    out.header(1, block, &[&p.kind], &p.range);
    for (key, v) in [
        ("pause_before", &p.pause_before),
        ("max_retries", &p.max_retries),
        ("timeout", &p.timeout),
    ] {
        if let Some(v) = v {
            out.attribute(key, &v.range, v, ctx, 2);
        }
    }
    out.settings(&overridden(p, builder), ctx, 2);
    out.close(1);
}

fn post_processor(out: &mut Out, p: &PostProcessor, ctx: &LegacyContext) {
    out.header(2, "post-processor", &[&p.kind], &p.range);
    if let Some(name) = &p.name {
        out.indent(3);
        out.text.push_str("name = ");
        write_quoted(&mut out.text, name);
        out.text.push('\n');
    }
    if let Some(v) = &p.keep_input_artifact {
        out.attribute("keep_input_artifact", &v.range, v, ctx, 3);
    }
    out.settings(&p.settings, ctx, 3);
    out.close(2);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::spanned;
    use crate::source::SourceMap;

    fn baked(json: &str) -> (String, Origin, SourceMap, FileId) {
        let map = SourceMap::new();
        let file = map.add("t.json", json);
        let doc = spanned::parse(json).expect("json");
        let (t, problems) = LegacyTemplate::read(&doc);
        assert!(problems.is_empty(), "{problems:?}");
        let values: IndexMap<String, String> = t
            .variables
            .iter()
            .map(|v| (v.name.clone(), v.default.clone().unwrap_or_default()))
            .collect();
        let b = bake(&t, file, &values, &LegacyFuncs::default()).expect("bakes");
        (b.text, b.origin, map, file)
    }

    #[test]
    fn functions_render_and_component_data_stays() {
        let (text, ..) = baked(
            r#"{"variables": {"v": "1${x}"},
                "builders": [{"type": "null", "name": "n1", "c": "{{ user `v` }} {{ build_name }} {{ .HTTPIP }}"}]}"#,
        );
        assert!(text.contains(r#"c = "1$${x} n1 {{ .HTTPIP }}""#), "{text}");
    }

    #[test]
    fn only_except_and_override_are_decided_per_builder() {
        let (text, ..) = baked(
            r#"{"builders": [{"type": "null", "name": "a"}, {"type": "null", "name": "b"}],
                "provisioners": [
                  {"type": "shell-local", "inline": ["x"], "only": ["a"]},
                  {"type": "shell-local", "inline": ["y"], "override": {"b": {"inline": ["z"]}}}
                ]}"#,
        );
        let (a, b) = text
            .split_once("source \"null\" \"b\"")
            .expect("two sources");
        assert!(a.contains("\"x\"") && a.contains("\"y\""), "{a}");
        assert!(
            !b.contains("\"x\"") && !b.contains("\"y\"") && b.contains("\"z\""),
            "{b}"
        );
    }

    #[test]
    fn every_value_maps_back_to_its_json() {
        let json = "{\n  \"builders\": [\n    {\"type\": \"null\", \"n\": [1, \"two\"]}\n  ]\n}";
        let (text, origin, map, file) = baked(json);
        let at = text.find("\"two\"").expect("value");
        let hcl = map.add_translated("t.json (as HCL)", text.clone(), origin);
        let back = map.resolve(&SourceSpan::new(hcl, at..at + 1));
        assert_eq!(back.file, file);
        assert_eq!(&json[back.range], "\"two\"");
    }
}
