//! The script an `inline` list becomes, for every shell flavour: a `#!`
//! line, then each line rendered as a Go template.

use kiln_template::legacy::{self, LegacyContext, LegacyError};

pub(crate) fn script_text(
    shebang: &str,
    lines: &[String],
    ctx: &LegacyContext,
) -> Result<String, LegacyError> {
    let mut text = format!("#!{shebang}\n");
    for line in lines {
        text.push_str(&legacy::render(line, ctx)?);
        text.push('\n');
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_template::legacy::MissingFields;

    #[test]
    fn shebang_then_rendered_lines() {
        let mut ctx = LegacyContext::new(
            [("ID".to_owned(), kiln_template::Value::from("i-1"))]
                .into_iter()
                .collect(),
        );
        ctx.missing_fields = MissingFields::NoValue;
        let text = script_text(
            "/bin/bash -e",
            &["echo {{ .ID }}".into(), "echo {{ .X }}".into()],
            &ctx,
        );
        assert_eq!(
            text,
            Ok("#!/bin/bash -e\necho i-1\necho <no value>\n".to_owned())
        );
    }
}
