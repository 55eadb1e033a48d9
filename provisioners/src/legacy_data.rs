//! The data Packer's Go templates see inside a provisioner (`inline`
//! lines, `environment_vars`, `execute_command`): the builder's generated
//! values plus a provisioner's own extras (`Vars`, `Path`, `Script`, …).

use kiln_core::{BuildInfo, Generated};
use kiln_template::legacy::{LegacyContext, MissingFields};
use kiln_template::Value;
use std::collections::BTreeMap;

/// A map-backed context, so an unknown field prints `<no value>` as it
/// does in Packer, with `build_name`/`build_type` bound to this build.
pub(crate) fn context(
    info: &BuildInfo,
    generated: &Generated,
    extra: &[(&str, &str)],
) -> LegacyContext {
    let mut data: BTreeMap<String, Value> = generated
        .iter()
        .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
        .collect();
    for (k, v) in extra {
        data.insert((*k).to_owned(), Value::from(*v));
    }
    let mut ctx = LegacyContext::new(data);
    ctx.missing_fields = MissingFields::NoValue;
    ctx.funcs.build_name = Some(info.source_name.clone());
    ctx.funcs.build_type = Some(info.builder_type.clone());
    ctx
}
