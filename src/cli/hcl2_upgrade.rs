//! `kiln hcl2_upgrade`: write the `.pkr.hcl` equivalent of a legacy JSON
//! template, as `packer hcl2_upgrade` does.

use super::common;
use super::flags::{self, flag, Kind};
use kiln_template::legacy_json::{self, upgrade};
use kiln_template::SourceMap;
use std::path::{Path, PathBuf};

pub const HELP: &str = "Usage: kiln hcl2_upgrade [options] TEMPLATE.json

  Writes an HCL2 template equivalent to a legacy JSON template.

Options:
  -o=path              Output file (default: TEMPLATE.json.pkr.hcl).
  -with-annotations    Add comments explaining the generated blocks.
";

pub fn run(args: &[String]) -> anyhow::Result<i32> {
    let spec = [flag("o", Kind::Value), flag("with-annotations", Kind::Bool)];
    let p = match flags::parse(args, &spec) {
        Ok(p) => p,
        Err(e) => return super::usage_error(&e, HELP),
    };
    let [input] = p.args.as_slice() else {
        return super::usage_error(
            "hcl2_upgrade expects exactly one argument: the JSON template",
            HELP,
        );
    };
    let input = Path::new(input);
    let text = match std::fs::read_to_string(input) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("Error: failed to read {}: {e}", input.display());
            return Ok(1);
        }
    };
    let sources = SourceMap::new();
    let read = match legacy_json::read(&sources, &input.display().to_string(), &text) {
        Ok(r) => r,
        Err(d) => {
            common::print_diagnostics(&d, &sources, None);
            return Ok(1);
        }
    };
    let hcl = upgrade::upgrade(&read.template, p.bool("with-annotations"));
    let output = match p.values("o").last() {
        Some(o) => PathBuf::from(o),
        None => PathBuf::from(format!("{}.pkr.hcl", input.display())),
    };
    if let Err(e) = kiln_gocompat::atomic::write_file(&output, 0o644, hcl.as_bytes()) {
        eprintln!("Error: failed to write {}: {e}", output.display());
        return Ok(1);
    }
    println!("Successfully created {}. Exit 0", output.display());
    Ok(0)
}
