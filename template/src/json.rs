//! `.pkr.json` files: HCL's JSON syntax.
//!
//! JSON cannot say by itself which properties are blocks, so HCL decides by
//! the schema: Packer's block types and their label counts below. The file
//! is translated into native syntax (strings become templates, `type`
//! strings become type expressions) and parsed like any `.pkr.hcl`. Every
//! part of the translation records the JSON range it came from (an
//! [`Origin`]), so diagnostics point at the line and column of the JSON.
//! A property repeated in one object declares another block, as in HCL's
//! JSON syntax.

use crate::diagnostic::Diagnostic;
use crate::parse::{parse_translated_hcl, ParsedFile};
use crate::source::{FileId, Origin, SourceMap, SourceSpan};
use crate::value::display::write_quoted_template;
use spanned::{Json as J, Member, Spanned};
use std::fmt::Write;
use std::ops::Range;

pub(crate) mod spanned;

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
            ("test", 1),
        ],
        "post-processors" => &[("post-processor", 1)],
        // kiln's test stage.
        "test" => &[("provisioner", 1), ("check", 1), ("testinfra", 0)],
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
    let json = match spanned::parse(text) {
        Ok(j) => j,
        Err(e) => {
            let file = sources.add(name, text);
            return Err(Diagnostic::error("Invalid JSON", format!("{}.", e.message))
                .at(SourceSpan::new(file, e.offset..e.offset)));
        }
    };
    let file = sources.add(name, text);
    let Some(root) = json.as_object() else {
        return Err(Diagnostic::error(
            "Invalid JSON configuration",
            "The root of a .pkr.json file must be an object.",
        )
        .at(SourceSpan::new(file, json.range.clone())));
    };
    let mut out = Out {
        text: String::new(),
        origin: Origin::default(),
        json: file,
    };
    out.body(root, "", 0).map_err(|(msg, range)| {
        Diagnostic::error("Invalid JSON configuration", msg).at(SourceSpan::new(file, range))
    })?;
    parse_translated_hcl(sources, &format!("{name} (as HCL)"), &out.text, out.origin)
}

/// A problem with the JSON's structure and where it is.
type Problem = (String, Range<usize>);

struct Out {
    text: String,
    origin: Origin,
    json: FileId,
}

impl Out {
    /// Record that the text written since `start` came from `range`.
    fn mark(&mut self, start: usize, range: &Range<usize>) {
        self.origin.push(
            start..self.text.len(),
            SourceSpan::new(self.json, range.clone()),
        );
    }

    fn indent(&mut self, depth: usize) {
        self.text.extend(std::iter::repeat_n("  ", depth));
    }

    fn body(&mut self, obj: &[Member], context: &str, depth: usize) -> Result<(), Problem> {
        let blocks = nested_blocks(context);
        for m in obj {
            let key = m.key.as_str();
            if key == "//" {
                continue; // HCL JSON's comment property
            }
            match blocks.iter().find(|(b, _)| *b == key) {
                Some((kind, labels)) => {
                    self.block(kind, *labels, &m.value, &mut Vec::new(), depth)?;
                }
                None => {
                    self.indent(depth);
                    let start = self.text.len();
                    let _ = write!(self.text, "{}", attr_name(key));
                    self.mark(start, &m.key_range);
                    self.text.push_str(" = ");
                    if context == "variable" && key == "type" {
                        // A type constraint is written as a string in JSON.
                        let Some(t) = m.value.as_str() else {
                            return Err((
                                format!(
                                    "the \"type\" of a variable must be a string, got {}",
                                    m.value.type_name()
                                ),
                                m.value.range.clone(),
                            ));
                        };
                        let vstart = self.text.len();
                        self.text.push_str(t);
                        self.mark(vstart, &m.value.range);
                    } else {
                        self.expr(&m.value, depth);
                    }
                    self.mark(start, &(m.key_range.start..m.value.range.end));
                    self.text.push('\n');
                }
            }
        }
        Ok(())
    }

    /// A block property: `labels` levels of objects keyed by label, then
    /// the body; an array at any level means several blocks.
    fn block(
        &mut self,
        kind: &str,
        labels: usize,
        value: &Spanned,
        prefix: &mut Vec<String>,
        depth: usize,
    ) -> Result<(), Problem> {
        match &value.value {
            J::Array(items) => {
                for item in items {
                    self.block(kind, labels, item, prefix, depth)?;
                }
                Ok(())
            }
            J::Object(obj) if prefix.len() < labels => {
                for m in obj {
                    prefix.push(m.key.clone());
                    self.block(kind, labels, &m.value, prefix, depth)?;
                    prefix.pop();
                }
                Ok(())
            }
            J::Object(obj) => {
                self.indent(depth);
                let start = self.text.len();
                self.text.push_str(kind);
                for l in prefix.iter() {
                    self.text.push(' ');
                    crate::value::display::write_quoted(&mut self.text, l);
                }
                self.mark(start, &value.range);
                self.text.push_str(" {\n");
                self.body(obj, kind, depth + 1)?;
                self.indent(depth);
                self.text.push_str("}\n");
                Ok(())
            }
            _ => Err((
                format!(
                    "a {kind:?} block must be a JSON object, got {}",
                    value.type_name()
                ),
                value.range.clone(),
            )),
        }
    }

    fn expr(&mut self, v: &Spanned, depth: usize) {
        let start = self.text.len();
        match &v.value {
            J::Null => self.text.push_str("null"),
            J::Bool(b) => self.text.push_str(if *b { "true" } else { "false" }),
            J::Number(n) => self.text.push_str(n),
            J::String(s) => write_quoted_template(&mut self.text, s),
            J::Array(items) => {
                self.text.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.text.push_str(", ");
                    }
                    self.expr(item, depth);
                }
                self.text.push(']');
            }
            J::Object(obj) => {
                self.text.push_str("{\n");
                for m in obj {
                    self.indent(depth + 1);
                    let kstart = self.text.len();
                    write_quoted_template(&mut self.text, &m.key);
                    self.mark(kstart, &m.key_range);
                    self.text.push_str(" = ");
                    self.expr(&m.value, depth + 1);
                    self.text.push('\n');
                }
                self.indent(depth);
                self.text.push('}');
            }
        }
        self.mark(start, &v.range);
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
    fn errors_in_the_translation_point_into_the_json() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.pkr.json");
        let json = "{\n  \"locals\": {\n    \"greeting\": \"${nope(1)}\"\n  }\n}\n";
        std::fs::write(&path, json).expect("write");
        let (cfg, diags) = crate::config::load(&path, &crate::config::LoadOptions::default());
        let sources = cfg.map(|c| c.sources().clone()).unwrap_or_default();
        let e = diags.errors().next().expect("an error");
        let loc = e.location(&sources).expect("located");
        assert!(
            loc.ends_with("t.pkr.json:3:17"),
            "{loc}\n{}",
            e.render(&sources)
        );
        assert!(e.render(&sources).contains("\"greeting\": \"${nope(1)}\""));
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
