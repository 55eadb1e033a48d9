//! The legacy Go-template strings Packer's post-processors take for output
//! names (`packer_{{.BuildName}}_{{.BuilderType}}`) and custom data.
//!
//! Packer renders them against a map (the artifact's generated data plus
//! fields the post-processor adds), so an unknown `.Field` prints
//! `<no value>` instead of failing; `build_name` and `build_type` are the
//! only context-bound functions they reach.

use kiln_core::component::ConfigProblem;
use kiln_core::{BuildInfo, Generated};
use kiln_template::legacy::{self, LegacyContext, LegacyError, MissingFields};
use kiln_template::Value;

/// The context for one build: its generated values, then `fields` on top.
pub(crate) fn context(
    info: &BuildInfo,
    generated: &Generated,
    fields: &[(&str, &str)],
) -> LegacyContext {
    let mut data: std::collections::BTreeMap<String, Value> = generated
        .iter()
        .map(|(k, v)| (k.clone(), Value::string(v.clone())))
        .collect();
    for (k, v) in fields {
        data.insert((*k).to_owned(), Value::string(*v));
    }
    let mut ctx = LegacyContext::new(data);
    ctx.missing_fields = MissingFields::NoValue;
    ctx.funcs.build_name = Some(info.source_name.clone());
    ctx.funcs.build_type = Some(info.builder_type.clone());
    ctx
}

pub(crate) fn render(template: &str, ctx: &LegacyContext) -> Result<String, LegacyError> {
    legacy::render(template, ctx)
}

/// Packer's configure-time check of a template field: it must parse and
/// call only functions that exist.
pub(crate) fn check(field: &'static str, template: &str) -> Option<ConfigProblem> {
    let ctx = context(&BuildInfo::default(), &Generated::new(), &[]);
    legacy::validate(template, &ctx)
        .err()
        .map(|e| ConfigProblem::field(field, format!("invalid '{field}': {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> BuildInfo {
        BuildInfo {
            source_name: "f".into(),
            builder_type: "file".into(),
            ..BuildInfo::default()
        }
    }

    #[test]
    fn renders_fields_functions_and_no_value() {
        // Packer 1.6.6: output "sums/{{.BuildName}}.{{.ChecksumType}}.{{.Foo}}"
        // wrote `sums/f.sha256.<no value>`.
        let ctx = context(
            &info(),
            &Generated::new(),
            &[("BuildName", "f"), ("ChecksumType", "sha256")],
        );
        assert_eq!(
            render("sums/{{.BuildName}}.{{.ChecksumType}}.{{.Foo}}", &ctx).unwrap(),
            "sums/f.sha256.<no value>"
        );
        assert_eq!(
            render("{{ build_name }}-{{ build_type }}", &ctx).unwrap(),
            "f-file"
        );
        let generated = Generated::from([("ID".to_owned(), "i-123".to_owned())]);
        let ctx = context(&info(), &generated, &[]);
        assert_eq!(render("{{ .ID }}", &ctx).unwrap(), "i-123");
    }

    #[test]
    fn checks_like_packer_configure() {
        assert!(check("output", "packer_{{.BuildName}}_{{.BuilderType}}").is_none());
        let p = check("output", "{{ .X ").unwrap();
        assert_eq!(p.field, Some("output"));
        assert!(p.message.starts_with("invalid 'output': "), "{}", p.message);
        assert!(check("output", "{{ nofunc }}")
            .unwrap()
            .message
            .contains("nofunc"));
    }
}
