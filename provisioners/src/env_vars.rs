//! Packer's `{{ .Vars }}`: the environment a shell provisioner injects in
//! front of its script, one `env_var_format` per variable, sorted by name.

use crate::go_sprintf::sprintf;
use kiln_core::component::ConfigProblem;
use kiln_core::{BuildInfo, Generated};
use kiln_template::legacy::{self, LegacyContext, LegacyError};
use std::collections::BTreeMap;

/// Packer's default `env_var_format` on Unix.
pub const DEFAULT_FORMAT: &str = "%s='%s' ";

/// Generated values Packer exports as variables, with the placeholder a
/// builder without an HTTP server leaves in their place.
const HTTP_VARS: [(&str, &str, &str); 3] = [
    (
        "PackerHTTPAddr",
        "PACKER_HTTP_ADDR",
        "ERR_HTTP_ADDR_NOT_IMPLEMENTED_BY_BUILDER",
    ),
    (
        "PackerHTTPIP",
        "PACKER_HTTP_IP",
        "ERR_HTTP_IP_NOT_IMPLEMENTED_BY_BUILDER",
    ),
    (
        "PackerHTTPPort",
        "PACKER_HTTP_PORT",
        "ERR_HTTP_PORT_NOT_IMPLEMENTED_BY_BUILDER",
    ),
];

/// The variables of one run, before formatting. Values are stored already
/// escaped for the single quotes of the default format, as Packer does.
#[derive(Debug, Default, Clone)]
pub struct EnvVars {
    vars: BTreeMap<String, String>,
}

impl EnvVars {
    /// `PACKER_BUILD_NAME`, `PACKER_BUILDER_TYPE` and the HTTP server's
    /// address when the builder has one, as every shell provisioner gets.
    pub fn packer(build_name: &str, builder_type: &str, generated: &Generated) -> EnvVars {
        let mut vars = BTreeMap::new();
        vars.insert("PACKER_BUILD_NAME".to_owned(), build_name.to_owned());
        vars.insert("PACKER_BUILDER_TYPE".to_owned(), builder_type.to_owned());
        for (key, name, unset) in HTTP_VARS {
            if let Some(v) = generated.get(key).filter(|v| *v != unset) {
                vars.insert(name.to_owned(), v.clone());
            }
        }
        EnvVars { vars }
    }

    /// Packer's variables, then `environment_vars` (each rendered as a
    /// template), then `env`, which wins over both.
    pub fn for_build(
        info: &BuildInfo,
        generated: &Generated,
        environment_vars: Option<&[String]>,
        env: Option<&BTreeMap<String, String>>,
        ctx: &LegacyContext,
    ) -> Result<EnvVars, LegacyError> {
        let mut vars = EnvVars::packer(&info.source_name, &info.builder_type, generated);
        for kv in environment_vars.into_iter().flatten() {
            let kv = legacy::render(kv, ctx)?;
            // Validation refused entries without `=`; a template that
            // renders to one is taken as a name with an empty value.
            let (k, v) = kv.split_once('=').unwrap_or((kv.as_str(), ""));
            vars.set(k, v);
        }
        for (k, v) in env.into_iter().flatten() {
            vars.set(k, v);
        }
        Ok(vars)
    }

    /// Add or replace a variable. The value's single quotes are escaped
    /// (`'` → `'"'"'`) so it survives the default `'%s'` quoting; Packer
    /// does not escape the name or the built-in values.
    pub fn set(&mut self, name: &str, value: &str) {
        self.vars
            .insert(name.to_owned(), value.replace('\'', r#"'"'"'"#));
    }

    /// Every variable through `format` (Go `%s` verbs: name, then value),
    /// in byte order of the names.
    pub fn flatten(&self, format: &str) -> String {
        self.vars
            .iter()
            .map(|(k, v)| sprintf(format, &[k, v]))
            .collect()
    }
}

/// Packer's check of `environment_vars`: each entry `NAME=value` with a
/// name.
pub(crate) fn problems(environment_vars: Option<&[String]>) -> Vec<ConfigProblem> {
    environment_vars
        .into_iter()
        .flatten()
        .filter(|kv| kv.split_once('=').is_none_or(|(k, _)| k.is_empty()))
        .map(|kv| {
            ConfigProblem::field(
                "environment_vars",
                format!("Environment variable not in format 'key=value': {kv}"),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_escaped_and_formatted() {
        let mut generated = Generated::new();
        generated.insert("PackerHTTPAddr".into(), "10.0.2.2:8080".into());
        generated.insert(
            "PackerHTTPIP".into(),
            "ERR_HTTP_IP_NOT_IMPLEMENTED_BY_BUILDER".into(),
        );
        let mut v = EnvVars::packer("x", "null", &generated);
        v.set("FOO", "it's");
        v.set("BAR", "b=c");
        assert_eq!(
            v.flatten(DEFAULT_FORMAT),
            r#"BAR='b=c' FOO='it'"'"'s' PACKER_BUILDER_TYPE='null' PACKER_BUILD_NAME='x' PACKER_HTTP_ADDR='10.0.2.2:8080' "#
        );
        assert_eq!(
            EnvVars::packer("x", "null", &Generated::new()).flatten("export %s=%s\n"),
            "export PACKER_BUILDER_TYPE=null\nexport PACKER_BUILD_NAME=x\n"
        );
    }
}
