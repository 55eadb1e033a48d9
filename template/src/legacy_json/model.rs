//! The structure of a legacy JSON template, as Packer 1.x's
//! `template.Parse` reads it, checked the way it checks it: every error is
//! collected, each pointing at the part of the file at fault.

use crate::json::spanned::{Json, Member, Spanned};
use std::ops::Range;

/// The root keys Packer reads; keys starting with `_` are comments.
const ROOT_KEYS: &[&str] = &[
    "description",
    "min_packer_version",
    "variables",
    "sensitive-variables",
    "builders",
    "provisioners",
    "error-cleanup-provisioner",
    "post-processors",
    "push",
];

#[derive(Debug, Clone, Default)]
pub struct LegacyTemplate {
    pub description: Option<String>,
    pub min_packer_version: Option<(String, Range<usize>)>,
    pub variables: Vec<Variable>,
    pub builders: Vec<Builder>,
    pub provisioners: Vec<Provisioner>,
    pub error_cleanup_provisioner: Option<Provisioner>,
    /// Each inner list is one chain.
    pub post_processors: Vec<Vec<PostProcessor>>,
    /// The whole document, for errors about the file itself.
    pub range: Range<usize>,
}

#[derive(Debug, Clone)]
pub struct Variable {
    pub name: String,
    /// `None`: declared `null`, which makes the variable required.
    pub default: Option<String>,
    pub sensitive: bool,
    pub range: Range<usize>,
}

/// A builder, provisioner or post-processor's own settings: the members
/// of its object other than the ones Packer's core reads.
pub type Settings = Vec<Member>;

#[derive(Debug, Clone)]
pub struct Builder {
    pub kind: String,
    /// The `name`, or the type when it has none.
    pub name: String,
    pub settings: Settings,
    pub range: Range<usize>,
}

#[derive(Debug, Clone)]
pub struct Provisioner {
    pub kind: String,
    pub only: Vec<String>,
    pub except: Vec<String>,
    /// Builder name → settings laid over this provisioner's for it.
    pub overrides: Vec<(String, Settings)>,
    pub pause_before: Option<Spanned>,
    pub max_retries: Option<Spanned>,
    pub timeout: Option<Spanned>,
    pub settings: Settings,
    pub range: Range<usize>,
}

#[derive(Debug, Clone)]
pub struct PostProcessor {
    pub kind: String,
    pub name: Option<String>,
    pub only: Vec<String>,
    pub except: Vec<String>,
    pub keep_input_artifact: Option<Spanned>,
    pub settings: Settings,
    pub range: Range<usize>,
}

/// One problem with the template and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub message: String,
    pub range: Range<usize>,
}

fn problem(message: impl Into<String>, range: &Range<usize>) -> Problem {
    Problem {
        message: message.into(),
        range: range.clone(),
    }
}

impl LegacyTemplate {
    /// Whether `builders` is what this object is about: the mark of a
    /// legacy template (an HCL-JSON file has `source` blocks instead).
    pub fn looks_legacy(doc: &Spanned) -> bool {
        doc.get("builders").is_some()
    }

    pub fn builder(&self, name: &str) -> Option<&Builder> {
        self.builders.iter().find(|b| b.name == name)
    }

    pub fn read(doc: &Spanned) -> (LegacyTemplate, Vec<Problem>) {
        let mut t = LegacyTemplate {
            range: doc.range.clone(),
            ..LegacyTemplate::default()
        };
        let mut problems = Vec::new();
        let Some(root) = doc.as_object() else {
            problems.push(problem(
                format!(
                    "the template must be a JSON object, not {}",
                    doc.type_name()
                ),
                &doc.range,
            ));
            return (t, problems);
        };
        for m in root {
            if m.key.starts_with('_') && m.value.as_str().is_none() {
                problems.push(problem(
                    format!(
                        "Failed to cast root level comment value in comment {:?} to string.",
                        m.key
                    ),
                    &m.value.range,
                ));
            }
            if !m.key.starts_with('_') && !ROOT_KEYS.contains(&m.key.as_str()) {
                problems.push(problem(
                    format!("Unknown root level key in template: '{}'", m.key),
                    &m.key_range,
                ));
            }
        }
        if let Some(v) = doc.get("description") {
            t.description = string(v, "description", &mut problems);
        }
        if let Some(v) = doc.get("min_packer_version") {
            t.min_packer_version =
                string(v, "min_packer_version", &mut problems).map(|s| (s, v.range.clone()));
        }
        let sensitive = doc
            .get("sensitive-variables")
            .map(|v| string_list(v, "sensitive-variables", &mut problems))
            .unwrap_or_default();
        if let Some(v) = doc.get("variables") {
            t.variables = variables(v, &sensitive, &mut problems);
        }
        for (name, range) in &sensitive {
            if !t.variables.iter().any(|v| &v.name == name) {
                problems.push(problem(
                    format!("sensitive variable '{name}' is not declared in \"variables\""),
                    range,
                ));
            }
        }
        match doc.get("builders") {
            Some(v) => t.builders = builders(v, &mut problems),
            None => problems.push(problem("at least one builder must be defined", &doc.range)),
        }
        if let Some(v) = doc.get("provisioners") {
            for (i, item) in array(v, "provisioners", &mut problems).iter().enumerate() {
                let label = format!("provisioner {}", i + 1);
                if let Some(p) = provisioner(item, &label, &mut problems) {
                    t.provisioners.push(p);
                }
            }
        }
        if let Some(v) = doc.get("error-cleanup-provisioner") {
            t.error_cleanup_provisioner =
                provisioner(v, "error-cleanup-provisioner", &mut problems);
        }
        if let Some(v) = doc.get("post-processors") {
            t.post_processors = post_processors(v, &mut problems);
        }
        t.check_references(&mut problems);
        (t, problems)
    }

    /// `only`, `except` and `override` name builders that exist.
    fn check_references(&self, problems: &mut Vec<Problem>) {
        let known = |n: &str| self.builder(n).is_some();
        let mut check = |label: &str, field: &str, names: &[String], range: &Range<usize>| {
            for n in names.iter().filter(|n| !known(n)) {
                problems.push(problem(
                    format!("{label}: '{field}' specified builder '{n}' not found"),
                    range,
                ));
            }
        };
        for (i, p) in self.provisioners.iter().enumerate() {
            let label = format!("provisioner {}", i + 1);
            check(&label, "only", &p.only, &p.range);
            check(&label, "except", &p.except, &p.range);
        }
        for (i, chain) in self.post_processors.iter().enumerate() {
            for (j, p) in chain.iter().enumerate() {
                let label = format!("post-processor {}.{}", i + 1, j + 1);
                check(&label, "only", &p.only, &p.range);
                check(&label, "except", &p.except, &p.range);
            }
        }
        for (i, p) in self.provisioners.iter().enumerate() {
            for (name, _) in &p.overrides {
                if !known(name) {
                    problems.push(problem(
                        format!("provisioner {}: override '{name}' doesn't exist", i + 1),
                        &p.range,
                    ));
                }
            }
        }
    }
}

fn string(v: &Spanned, what: &str, problems: &mut Vec<Problem>) -> Option<String> {
    match &v.value {
        Json::String(s) => Some(s.clone()),
        _ => {
            problems.push(problem(
                format!("{what}: expected a string, got {}", v.type_name()),
                &v.range,
            ));
            None
        }
    }
}

fn array<'a>(v: &'a Spanned, what: &str, problems: &mut Vec<Problem>) -> &'a [Spanned] {
    match &v.value {
        Json::Array(items) => items,
        _ => {
            problems.push(problem(
                format!("{what}: expected an array, got {}", v.type_name()),
                &v.range,
            ));
            &[]
        }
    }
}

/// A list of strings; a lone string is a list of one, as mapstructure's
/// weak decoding reads it.
fn string_list(
    v: &Spanned,
    what: &str,
    problems: &mut Vec<Problem>,
) -> Vec<(String, Range<usize>)> {
    match &v.value {
        Json::String(s) => vec![(s.clone(), v.range.clone())],
        Json::Array(items) => items
            .iter()
            .filter_map(|i| string(i, what, problems).map(|s| (s, i.range.clone())))
            .collect(),
        Json::Null => Vec::new(),
        _ => {
            problems.push(problem(
                format!("{what}: expected a list of strings, got {}", v.type_name()),
                &v.range,
            ));
            Vec::new()
        }
    }
}

fn names(list: Vec<(String, Range<usize>)>) -> Vec<String> {
    list.into_iter().map(|(s, _)| s).collect()
}

/// Variables are strings or `null` (required); Packer refuses any other
/// type ("expected type 'string', got unconvertible type 'float64'").
fn variables(
    v: &Spanned,
    sensitive: &[(String, Range<usize>)],
    problems: &mut Vec<Problem>,
) -> Vec<Variable> {
    let Some(members) = v.as_object() else {
        problems.push(problem(
            format!("variables: expected an object, got {}", v.type_name()),
            &v.range,
        ));
        return Vec::new();
    };
    let mut out: Vec<Variable> = Vec::new();
    for m in members {
        let default = match &m.value.value {
            Json::Null => None,
            Json::String(s) => Some(s.clone()),
            _ => {
                problems.push(problem(
                    format!(
                        "variable {}: '' expected type 'string', got unconvertible type '{}'",
                        m.key,
                        go_type(&m.value)
                    ),
                    &m.value.range,
                ));
                continue;
            }
        };
        let var = Variable {
            name: m.key.clone(),
            default,
            sensitive: sensitive.iter().any(|(s, _)| *s == m.key),
            range: m.key_range.start..m.value.range.end,
        };
        // A repeated key: the last one wins, as in Go.
        out.retain(|v| v.name != var.name);
        out.push(var);
    }
    out
}

/// The Go type encoding/json gives a value, as Packer's messages name it.
fn go_type(v: &Spanned) -> &'static str {
    match v.value {
        Json::Null => "<nil>",
        Json::Bool(_) => "bool",
        Json::Number(_) => "float64",
        Json::String(_) => "string",
        Json::Array(_) => "[]interface {}",
        Json::Object(_) => "map[string]interface {}",
    }
}

fn builders(v: &Spanned, problems: &mut Vec<Problem>) -> Vec<Builder> {
    let items = array(v, "builders", problems);
    let mut out: Vec<Builder> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let label = format!("builder {}", i + 1);
        let Some(members) = item.as_object() else {
            problems.push(problem(
                format!("{label}: expected an object, got {}", item.type_name()),
                &item.range,
            ));
            continue;
        };
        let Some(kind) = type_of(item, &label, problems) else {
            continue;
        };
        let name = match item.get("name") {
            Some(n) => string(n, &format!("{label}: name"), problems).unwrap_or_default(),
            None => kind.clone(),
        };
        if out.iter().any(|b| b.name == name) {
            problems.push(problem(
                format!(
                    "builder {}: builder with name '{name}' already exists",
                    i + 1
                ),
                &item.range,
            ));
            continue;
        }
        out.push(Builder {
            kind,
            name,
            settings: settings(members, &["type", "name"]),
            range: item.range.clone(),
        });
    }
    if items.is_empty() && matches!(v.value, Json::Array(_)) {
        problems.push(problem("at least one builder must be defined", &v.range));
    }
    out
}

fn type_of(item: &Spanned, label: &str, problems: &mut Vec<Problem>) -> Option<String> {
    match item.get("type") {
        Some(t) => string(t, &format!("{label}: type"), problems),
        None => {
            problems.push(problem(format!("{label}: missing 'type'"), &item.range));
            None
        }
    }
}

/// The members other than `reserved`, the last of repeated keys kept.
fn settings(members: &[Member], reserved: &[&str]) -> Settings {
    let mut out: Settings = Vec::new();
    for m in members {
        if reserved.contains(&m.key.as_str()) {
            continue;
        }
        out.retain(|o| o.key != m.key);
        out.push(m.clone());
    }
    out
}

/// A component's `only` and `except` builder names; Packer allows one of
/// them, not both.
fn only_except(
    item: &Spanned,
    label: &str,
    problems: &mut Vec<Problem>,
) -> (Vec<String>, Vec<String>) {
    let mut list = |key: &str| {
        item.get(key)
            .map(|v| names(string_list(v, &format!("{label}: {key}"), problems)))
            .unwrap_or_default()
    };
    let (only, except) = (list("only"), list("except"));
    if !only.is_empty() && !except.is_empty() {
        problems.push(problem(
            format!("{label}: only one of 'only' or 'except' may be specified"),
            &item.range,
        ));
    }
    (only, except)
}

fn provisioner(item: &Spanned, label: &str, problems: &mut Vec<Problem>) -> Option<Provisioner> {
    let Some(members) = item.as_object() else {
        problems.push(problem(
            format!("{label}: expected an object, got {}", item.type_name()),
            &item.range,
        ));
        return None;
    };
    let kind = type_of(item, label, problems)?;
    let (only, except) = only_except(item, label, problems);
    let mut overrides = Vec::new();
    if let Some(o) = item.get("override") {
        match o.as_object() {
            Some(per_builder) => {
                for m in per_builder {
                    match m.value.as_object() {
                        Some(s) => overrides.push((m.key.clone(), settings(s, &[]))),
                        None => problems.push(problem(
                            format!(
                                "{label}: override '{}' must be an object, got {}",
                                m.key,
                                m.value.type_name()
                            ),
                            &m.value.range,
                        )),
                    }
                }
            }
            None => problems.push(problem(
                format!("{label}: override must be an object, got {}", o.type_name()),
                &o.range,
            )),
        }
    }
    Some(Provisioner {
        kind,
        only,
        except,
        overrides,
        pause_before: item.get("pause_before").cloned(),
        max_retries: item.get("max_retries").cloned(),
        timeout: item.get("timeout").cloned(),
        settings: settings(
            members,
            &[
                "type",
                "only",
                "except",
                "override",
                "pause_before",
                "max_retries",
                "timeout",
            ],
        ),
        range: item.range.clone(),
    })
}

/// `post-processors`: each element is a chain: a type name, an object, or
/// an array of those.
fn post_processors(v: &Spanned, problems: &mut Vec<Problem>) -> Vec<Vec<PostProcessor>> {
    let mut chains = Vec::new();
    for (i, item) in array(v, "post-processors", problems).iter().enumerate() {
        let members: &[Spanned] = match &item.value {
            Json::Array(items) => items,
            _ => std::slice::from_ref(item),
        };
        let mut chain = Vec::new();
        for (j, m) in members.iter().enumerate() {
            let label = format!("post-processor {}.{}", i + 1, j + 1);
            if let Some(p) = post_processor(m, &label, problems) {
                chain.push(p);
            }
        }
        if !chain.is_empty() {
            chains.push(chain);
        }
    }
    chains
}

fn post_processor(
    item: &Spanned,
    label: &str,
    problems: &mut Vec<Problem>,
) -> Option<PostProcessor> {
    if let Json::String(kind) = &item.value {
        return Some(PostProcessor {
            kind: kind.clone(),
            name: None,
            only: Vec::new(),
            except: Vec::new(),
            keep_input_artifact: None,
            settings: Vec::new(),
            range: item.range.clone(),
        });
    }
    let Some(members) = item.as_object() else {
        problems.push(problem(
            format!(
                "{label}: expected a type name or an object, got {}",
                item.type_name()
            ),
            &item.range,
        ));
        return None;
    };
    let kind = type_of(item, label, problems)?;
    let (only, except) = only_except(item, label, problems);
    Some(PostProcessor {
        kind,
        name: item
            .get("name")
            .and_then(|n| string(n, &format!("{label}: name"), problems)),
        only,
        except,
        keep_input_artifact: item.get("keep_input_artifact").cloned(),
        settings: settings(
            members,
            &["type", "name", "only", "except", "keep_input_artifact"],
        ),
        range: item.range.clone(),
    })
}

impl Provisioner {
    /// Whether this provisioner runs for builder `name`.
    pub fn applies_to(&self, name: &str) -> bool {
        applies(&self.only, &self.except, name)
    }
}

impl PostProcessor {
    pub fn applies_to(&self, name: &str) -> bool {
        applies(&self.only, &self.except, name)
    }
}

fn applies(only: &[String], except: &[String], name: &str) -> bool {
    (only.is_empty() || only.iter().any(|o| o == name)) && !except.iter().any(|e| e == name)
}
