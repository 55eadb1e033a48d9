//! `dynamic "source"` in a `build` block: one nested source per `for_each`
//! element. Its one label is the source reference and its `content` body a
//! nested source's body (`name` renames the source, other fields fill in the
//! top-level source's), evaluated with the iterator in scope.
//!
//! Sources are listed when the configuration is read (inspect and `-only`
//! need them), so these are expanded then, with variables and locals known,
//! like the `sources` attribute.

use super::build_block::{invalid_source_ref, parse_source_ref};
use super::model::{BuildDecl, BuildSource, FileBody};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::eval::{EvalContext, Evaluator, Scope};
use crate::value::{convert, Type, Value};
use hcl_edit::Span;

/// Replace the build's `dynamic "source"` blocks by the sources they
/// generate, where the blocks stand among the nested `source` blocks.
pub(super) fn expand(ctx: &EvalContext, build: &mut BuildDecl, scope: &Scope) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let pending = std::mem::take(&mut build.dynamic_sources);
    // From the last so that the earlier positions stay valid.
    for (position, block) in pending.into_iter().rev() {
        match generate(ctx, &block, scope) {
            Ok(sources) => {
                let at = position.min(build.sources.len());
                build.sources.splice(at..at, sources);
            }
            Err(d) => diags.extend(d),
        }
    }
    diags
}

fn generate(
    ctx: &EvalContext,
    block: &FileBody,
    scope: &Scope,
) -> Result<Vec<BuildSource>, Diagnostics> {
    let ev = Evaluator::new(ctx, block.file);
    let spec = crate::plan::dynamic_spec(&ev, "source".into(), &block.body, block.span.clone())?;
    if !ev.eval(spec.for_each_expr(), scope)?.is_wholly_known() {
        return Err(Diagnostic::error(
            "Unknown sources",
            "The for_each of a dynamic source must be known when the configuration is read; this value depends on something known only later (a data source that was not run, or a build variable).",
        )
        .at(block.span.clone())
        .into());
    }
    let mut out = Vec::new();
    for (iterator, item) in spec.items(&ev, scope)? {
        let mut inner = scope.child();
        inner.set(iterator.clone(), item.clone());
        let labels = spec.labels(&ev, &inner)?;
        let [text] = labels.as_slice() else {
            return Err(Diagnostic::error(
                "Invalid dynamic labels",
                "A dynamic source needs exactly one label: the source reference, as in labels = [\"source.TYPE.NAME\"].",
            )
            .at(block.span.clone())
            .into());
        };
        let Some((kind, name)) = parse_source_ref(text) else {
            return Err(invalid_source_ref(text, block.span.clone()).into());
        };
        let mut body = spec.content.body.clone();
        let mut build_name = name.clone();
        if let Some(attr) = body.remove_attribute("name") {
            match convert(ev.eval(&attr.value, &inner)?, &Type::String) {
                Ok(Value::String(n)) => build_name = n,
                _ => {
                    return Err(ev
                        .error(
                            "Incorrect attribute value type",
                            "Inappropriate value for attribute \"name\": a string is required.",
                            attr.value.span(),
                        )
                        .into())
                }
            }
        }
        out.push(BuildSource {
            reference: format!("{kind}.{name}"),
            name: build_name,
            extra: Some(FileBody {
                file: block.file,
                body,
                span: block.span.clone(),
            }),
            span: block.span.clone(),
            bindings: vec![(iterator, item)],
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crate::config::{load, LoadOptions};

    fn sources_of(template: &str) -> Result<Vec<(String, String)>, String> {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("main.pkr.hcl"), template).expect("write");
        let (cfg, diags) = load(dir.path(), &LoadOptions::default());
        let cfg = cfg.ok_or_else(|| format!("{diags:?}"))?;
        if diags.has_errors() {
            return Err(format!("{diags:?}"));
        }
        Ok(cfg.decls.builds[0]
            .sources
            .iter()
            .map(|s| (s.reference.clone(), s.name.clone()))
            .collect())
    }

    const BASE: &str = "source \"null\" \"a\" {\n  communicator = \"none\"\n}\nsource \"null\" \"b\" {\n  communicator = \"none\"\n}\n";

    #[test]
    fn generated_sources_stand_where_the_block_is() {
        let tpl = format!(
            "{BASE}build {{\n  sources = [\"source.null.b\"]\n  source \"null.a\" {{\n    name = \"plain\"\n  }}\n  dynamic \"source\" {{\n    for_each = {{ x = \"null.a\", y = \"null.b\" }}\n    labels   = [\"source.${{source.value}}\"]\n    content {{\n      name = \"gen-${{source.key}}\"\n    }}\n  }}\n  source \"null.b\" {{}}\n}}\n"
        );
        let got = sources_of(&tpl).expect("loads");
        let want = [
            ("null.b", "b"),
            ("null.a", "plain"),
            ("null.a", "gen-x"),
            ("null.b", "gen-y"),
            ("null.b", "b"),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(r, n)| ((*r).to_owned(), (*n).to_owned()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn bad_generated_sources_are_errors() {
        for (content, error) in [
            ("labels = [\"a\", \"b\"]", "Invalid dynamic labels"),
            ("labels = [\"nonsense\"]", "Invalid source reference"),
            (
                "labels = [\"source.null.a\"]\n    foo = 1",
                "Unsupported argument",
            ),
        ] {
            let tpl = format!(
                "{BASE}build {{\n  dynamic \"source\" {{\n    for_each = [1]\n    {content}\n    content {{\n      name = [\"not a string\"]\n    }}\n  }}\n}}\n"
            );
            let err = sources_of(&tpl).expect_err(content);
            assert!(err.contains(error), "{content}: {err}");
        }
        let tpl = format!(
            "{BASE}build {{\n  dynamic \"source\" {{\n    for_each = [1]\n    labels = [\"source.null.a\"]\n    content {{\n      name = [\"not a string\"]\n    }}\n  }}\n}}\n"
        );
        let err = sources_of(&tpl).expect_err("name must be a string");
        assert!(err.contains("Incorrect attribute value type"), "{err}");
    }
}
