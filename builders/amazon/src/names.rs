//! The legacy `{{ … }}` templates Packer renders in the AMI fields:
//! `ami_name` once before the build (`{{timestamp}}`, `{{uuid}}`,
//! `{{clean_resource_name …}}`), descriptions and tags once the source
//! AMI is known (`{{ .SourceAMI }}`, `{{ .BuildRegion }}`, …).

use kiln_core::BuildInfo;
use kiln_template::legacy::{self, CleanStyle, LegacyContext, LegacyError, MissingFields};
use kiln_template::Value;
use std::collections::BTreeMap;

/// Packer's message for an AMI name EC2 would refuse.
pub const BAD_AMI_NAME: &str = "AMIName should only contain alphanumeric characters, parentheses (()), square brackets ([]), spaces ( ), periods (.), slashes (/), dashes (-), single quotes ('), at-signs (@), or underscores(_). You can use the `clean_resource_name` template filter to automatically clean your ami name.";

/// A context for this build; `data` are the `.Field` values.
pub fn context(info: &BuildInfo, data: &BTreeMap<String, String>) -> LegacyContext {
    let mut ctx = LegacyContext::new(
        data.iter()
            .map(|(k, v)| (k.clone(), Value::string(v.clone())))
            .collect(),
    );
    ctx.missing_fields = MissingFields::NoValue;
    ctx.funcs.build_name = Some(info.source_name.clone());
    ctx.funcs.build_type = Some(info.builder_type.clone());
    ctx.funcs.clean_resource_name = Some(CleanStyle::Amazon);
    ctx
}

pub fn render(template: &str, ctx: &LegacyContext) -> Result<String, LegacyError> {
    legacy::render(template, ctx)
}

/// Whether every byte is one EC2 accepts in an AMI name.
pub fn is_clean_ami_name(name: &str) -> bool {
    name.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"()[] ./-'@_".contains(&b))
}

/// Render every value of a tag map (keys too, as Packer does).
pub fn render_tags(
    tags: &BTreeMap<String, String>,
    ctx: &LegacyContext,
) -> Result<BTreeMap<String, String>, LegacyError> {
    tags.iter()
        .map(|(k, v)| Ok((render(k, ctx)?, render(v, ctx)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ami_names_render_and_clean() {
        let ctx = context(&BuildInfo::default(), &BTreeMap::new());
        let name = render("app-{{timestamp}}", &ctx).unwrap();
        assert!(name.starts_with("app-") && name.len() > 8, "{name}");
        assert!(is_clean_ami_name(&name));
        assert_eq!(
            render("{{ clean_resource_name \"a:b!c\" }}", &ctx).unwrap(),
            "a-b-c"
        );
        assert!(!is_clean_ami_name("xyz!"));
        let mut data = BTreeMap::new();
        data.insert("SourceAMI".to_owned(), "ami-1".to_owned());
        let ctx = context(&BuildInfo::default(), &data);
        assert_eq!(render("from {{ .SourceAMI }}", &ctx).unwrap(), "from ami-1");
    }
}
