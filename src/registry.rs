//! Block type name → component config. Adding a builder, provisioner or
//! post-processor is one line here plus its own crate or module.

use kiln_core::component::Validate;
use kiln_template::decode::{decode, EvaluatedBody};
use kiln_template::plan::{ComponentKind, Components, Selection};
use kiln_template::{config::Config, Diagnostic, Diagnostics};
use serde::de::DeserializeOwned;

type Check = fn(&EvaluatedBody) -> Diagnostics;

const BUILDERS: &[(&str, Check)] = &[("null", check::<kiln_builder_null::NullConfig>)];
const PROVISIONERS: &[(&str, Check)] = &[(
    "shell-local",
    check::<kiln_provisioners::shell_local::ShellLocalConfig>,
)];
const POST_PROCESSORS: &[(&str, Check)] = &[(
    "shell-local",
    check::<kiln_provisioners::shell_local::ShellLocalConfig>,
)];

fn table(kind: ComponentKind) -> &'static [(&'static str, Check)] {
    match kind {
        ComponentKind::Builder => BUILDERS,
        ComponentKind::Provisioner => PROVISIONERS,
        ComponentKind::PostProcessor => POST_PROCESSORS,
    }
}

/// Decode a body into `T`, then run its own validation, pointing each
/// problem at the attribute it names.
fn check<T: DeserializeOwned + Validate>(body: &EvaluatedBody) -> Diagnostics {
    let config: T = match decode(body) {
        Ok(c) => c,
        Err(d) => return d,
    };
    let mut diags = Diagnostics::new();
    for p in config.validate() {
        let span = p
            .field
            .and_then(|f| body.attrs.get(f))
            .and_then(|a| a.span.clone())
            .or_else(|| body.span.clone());
        diags.push(Diagnostic::error("Invalid configuration", p.message).at(span));
    }
    diags
}

pub struct Registry;

impl Components for Registry {
    fn check(
        &self,
        kind: ComponentKind,
        type_name: &str,
        body: &EvaluatedBody,
    ) -> Option<Diagnostics> {
        table(kind)
            .iter()
            .find(|(name, _)| *name == type_name)
            .map(|(_, check)| check(body))
    }

    fn known(&self, kind: ComponentKind) -> Vec<&'static str> {
        table(kind).iter().map(|(name, _)| *name).collect()
    }
}

/// Plan the selected builds and check every component config.
pub fn check_builds(cfg: &Config, selection: &Selection) -> Diagnostics {
    kiln_template::plan::plan(cfg, selection, &Registry).1
}
