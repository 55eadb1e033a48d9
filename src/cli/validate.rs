//! `kiln validate`: check a configuration without building anything.

use super::common;
use super::flags::{self, flag, Kind};
use std::path::Path;

pub const HELP: &str = "Usage: kiln validate [options] TEMPLATE

  Checks that the template is valid: syntax, variables, locals, and every
  source, provisioner and post-processor configuration.

Options:
  -syntax-only           Only check syntax. Do not verify config of the template.
  -except=foo,bar,baz    Validate all builds other than these.
  -only=foo,bar,baz      Validate only these builds.
  -var 'key=value'       Variable for templates, can be used multiple times.
  -var-file=path         JSON or HCL2 file containing user variables.
";

pub fn run(args: &[String]) -> anyhow::Result<i32> {
    let mut spec = common::VAR_FLAGS.to_vec();
    spec.extend([
        flag("syntax-only", Kind::Bool),
        flag("only", Kind::Value),
        flag("except", Kind::Value),
        flag("evaluate-datasources", Kind::Bool),
    ]);
    let p = match flags::parse(args, &spec) {
        Ok(p) => p,
        Err(e) => return super::usage_error(&e, HELP),
    };
    let [path] = p.args.as_slice() else {
        return super::usage_error(
            "validate expects exactly one argument: the template file or directory",
            HELP,
        );
    };
    let syntax_only = p.bool("syntax-only");
    let Some(cfg) = common::load(Path::new(path), &p, syntax_only)? else {
        return Ok(1);
    };
    if syntax_only {
        println!("Syntax-only check passed. Everything looks okay.");
        return Ok(0);
    }
    let selection = super::selection(&p);
    let diags = crate::registry::check_builds(&cfg, &selection);
    common::print_diagnostics(&diags, cfg.sources(), Some(&cfg));
    if diags.has_errors() {
        return Ok(1);
    }
    println!("The configuration is valid.");
    Ok(0)
}
