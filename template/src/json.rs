//! `.pkr.json` files: HCL's JSON syntax.
//!
//! JSON cannot say by itself which properties are blocks, so HCL decides by
//! the schema: Packer's block types and their label counts below. The file
//! is translated into native syntax (strings become templates, `type`
//! strings become type expressions) and parsed like any `.pkr.hcl`; its
//! diagnostics point into the translated text, which is registered in the
//! source map under the file's name with " (as HCL)" appended.

use crate::diagnostic::Diagnostic;
use crate::parse::{parse_hcl, ParsedFile};
use crate::source::{SourceMap, SourceSpan};
use crate::value::display::write_quoted_template;
use multi_key::{Json as J, Members};
use std::fmt::Write;

mod multi_key;

/// Block types allowed in a body, with their label counts.
fn nested_blocks(context: &str) -> &'static [(&'static str, usize)] {
    match context {
        "" => &[
            ("packer", 0),
            ("variable", 1),
            ("variables", 0),
            ("locals", 0),
            ("local", 1),
            ("source", 2),
            ("build", 0),
            ("data", 2),
        ],
        "build" => &[
            ("source", 1),
            ("provisioner", 1),
            ("error-cleanup-provisioner", 1),
            ("post-processor", 1),
            ("post-processors", 0),
        ],
        "post-processors" => &[("post-processor", 1)],
        "variable" => &[("validation", 0)],
        "packer" => &[("required_plugins", 0)],
        _ => &[],
    }
}

/// Parse a JSON-syntax configuration file.
pub fn parse_json_config(
    sources: &SourceMap,
    name: &str,
    text: &str,
) -> Result<ParsedFile, Diagnostic> {
    let json: J = serde_json::from_str(text).map_err(|e| {
        let file = sources.add(name, text);
        let offset = offset_of(text, e.line(), e.column());
        Diagnostic::error("Invalid JSON", format!("{e}.")).at(SourceSpan::new(file, offset..offset))
    })?;
    let Some(root) = json.as_object() else {
        let file = sources.add(name, text);
        return Err(Diagnostic::error(
            "Invalid JSON configuration",
            "The root of a .pkr.json file must be an object.",
        )
        .at(SourceSpan::new(file, 0..0)));
    };
    let mut out = String::new();
    body(&mut out, root, "", 0).map_err(|msg| {
        let file = sources.add(name, text);
        Diagnostic::error("Invalid JSON configuration", msg).at(SourceSpan::new(file, 0..0))
    })?;
    parse_hcl(sources, &format!("{name} (as HCL)"), &out)
}

fn body(out: &mut String, obj: &Members, context: &str, depth: usize) -> Result<(), String> {
    let blocks = nested_blocks(context);
    for (key, value) in obj {
        let key = key.as_str();
        if key == "//" {
            continue; // HCL JSON's comment property
        }
        match blocks.iter().find(|(b, _)| *b == key) {
            Some((kind, labels)) => block(out, kind, *labels, value, &mut Vec::new(), depth)?,
            None => {
                indent(out, depth);
                let _ = write!(out, "{} = ", attr_name(key));
                if context == "variable" && key == "type" {
                    // A type constraint is written as a string in JSON.
                    let Some(t) = value.as_str() else {
                        return Err(format!(
                            "the \"type\" of a variable must be a string, got {value}"
                        ));
                    };
                    out.push_str(t);
                } else {
                    expr(out, value, depth);
                }
                out.push('\n');
            }
        }
    }
    Ok(())
}

/// A block property: `labels` levels of objects keyed by label, then the
/// body; an array at any level means several blocks.
fn block(
    out: &mut String,
    kind: &str,
    labels: usize,
    value: &J,
    prefix: &mut Vec<String>,
    depth: usize,
) -> Result<(), String> {
    match value {
        J::Array(items) => {
            for item in items {
                block(out, kind, labels, item, prefix, depth)?;
            }
            Ok(())
        }
        J::Object(obj) if prefix.len() < labels => {
            for (label, inner) in obj {
                prefix.push(label.clone());
                block(out, kind, labels, inner, prefix, depth)?;
                prefix.pop();
            }
            Ok(())
        }
        J::Object(obj) => {
            indent(out, depth);
            out.push_str(kind);
            for l in prefix.iter() {
                out.push(' ');
                crate::value::display::write_quoted(out, l);
            }
            out.push_str(" {\n");
            body(out, obj, kind, depth + 1)?;
            indent(out, depth);
            out.push_str("}\n");
            Ok(())
        }
        other => Err(format!(
            "a {kind:?} block must be a JSON object, got {other}"
        )),
    }
}

fn expr(out: &mut String, v: &J, depth: usize) {
    match v {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Number(n) => out.push_str(&n.to_string()),
        J::String(s) => write_quoted_template(out, s),
        J::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                expr(out, item, depth);
            }
            out.push(']');
        }
        J::Object(obj) => {
            out.push_str("{\n");
            for (k, item) in obj {
                indent(out, depth + 1);
                write_quoted_template(out, k);
                out.push_str(" = ");
                expr(out, item, depth + 1);
                out.push('\n');
            }
            indent(out, depth);
            out.push('}');
        }
    }
}

fn attr_name(key: &str) -> String {
    if hcl_edit::Ident::try_new(key).is_ok() {
        key.to_owned()
    } else {
        // Not expressible as an attribute name; let the parser say so.
        format!("\"{key}\"")
    }
}

fn indent(out: &mut String, depth: usize) {
    out.extend(std::iter::repeat_n("  ", depth));
}

fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column.saturating_sub(1)).min(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translates_blocks_labels_and_templates() {
        let map = SourceMap::new();
        let json = r#"{
  "variable": { "name": { "type": "list(string)", "default": ["a"] } },
  "source": { "null": { "x": { "communicator": "none" } } },
  "build": [{
    "sources": ["source.null.x"],
    "provisioner": [{ "shell-local": { "inline": ["echo ${var.name[0]}", "q\"uote"] } }]
  }]
}"#;
        let parsed = parse_json_config(&map, "t.pkr.json", json).expect("translates");
        let text = map.get(parsed.file).expect("file").text.clone();
        assert!(
            text.contains("variable \"name\" {\n  type = list(string)\n"),
            "{text}"
        );
        assert!(text.contains("source \"null\" \"x\" {"), "{text}");
        assert!(text.contains("provisioner \"shell-local\" {"), "{text}");
        assert!(text.contains("\"echo ${var.name[0]}\""), "{text}");
        assert!(text.contains("\"q\\\"uote\""), "{text}");
    }

    #[test]
    fn repeated_keys_declare_separate_blocks_in_order() {
        let map = SourceMap::new();
        let json = r#"{
  "source": { "null": { "a": { "communicator": "none" } } },
  "source": { "null": { "b": { "communicator": "none" } }, "null": { "c": {} } },
  "build": { "sources": ["source.null.a"] },
  "build": {
    "sources": ["source.null.b"],
    "provisioner": { "shell-local": { "inline": ["echo 1"] } },
    "provisioner": { "shell-local": { "inline": ["echo 2"] } }
  }
}"#;
        let parsed = parse_json_config(&map, "t.pkr.json", json).expect("translates");
        let text = map.get(parsed.file).expect("file").text.clone();
        let order: Vec<usize> = [
            "source \"null\" \"a\"",
            "source \"null\" \"b\"",
            "source \"null\" \"c\"",
            "\"source.null.a\"",
            "\"source.null.b\"",
            "\"echo 1\"",
            "\"echo 2\"",
        ]
        .iter()
        .map(|needle| {
            text.find(needle)
                .unwrap_or_else(|| panic!("{needle} in {text}"))
        })
        .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert_eq!(text.matches("build {").count(), 2, "{text}");
    }

    #[test]
    fn invalid_json_is_located() {
        let map = SourceMap::new();
        let e = parse_json_config(&map, "t.pkr.json", "{\n  \"a\": ,\n}").expect_err("invalid");
        assert!(e
            .location(&map)
            .expect("located")
            .starts_with("t.pkr.json:2:"));
    }
}
