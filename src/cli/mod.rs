//! One module per command; this one dispatches.

mod build;
mod cache;
mod catalog;
mod common;
mod console;
mod flags;
mod fmt;
mod hcl2_upgrade;
mod inspect;
mod keygen;
mod validate;
mod verify;
mod version;

use kiln_template::plan::Selection;

const USAGE: &str = "Usage: kiln [--version] [--help] <command> [<args>]

Available commands are:
    build       build image(s) from template
    cache       list, prune or clear the step cache
    catalog     versions, channels, promotion, rollback and revocation of images
    console     creates a console for testing variable interpolation
    fmt         Rewrites HCL2 config files to canonical format
    hcl2_upgrade transform a JSON template into an HCL2 configuration
    inspect     see components of a template
    keygen      write a cosign-format signing key pair
    test        run a template's test blocks against its existing artifacts
    validate    check that a template is valid
    verify      check an artifact's signature and provenance
    version     Prints the kiln version
";

pub fn run(args: &[String]) -> anyhow::Result<i32> {
    let Some((cmd, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return Ok(127);
    };
    match cmd.as_str() {
        "build" => build::run(rest),
        "test" => build::test(rest),
        "cache" => cache::run(rest),
        "catalog" => catalog::run(rest),
        "validate" => validate::run(rest),
        "inspect" => inspect::run(rest),
        "keygen" => keygen::run(rest),
        "verify" => verify::run(rest),
        "fmt" => fmt::run(rest),
        "hcl2_upgrade" => hcl2_upgrade::run(rest),
        "console" => console::run(rest),
        "version" | "-v" | "-version" | "--version" => version::run(rest),
        "-h" | "-help" | "--help" | "help" => {
            print!("{USAGE}");
            Ok(0)
        }
        other => {
            eprintln!("kiln: unknown command {other:?}\n");
            eprint!("{USAGE}");
            Ok(127)
        }
    }
}

/// `-h`, `-help` or `--help` anywhere among a command's arguments.
fn asks_for_help(args: &[String]) -> bool {
    args.iter()
        .any(|a| matches!(a.as_str(), "-h" | "-help" | "--help"))
}

/// A flag or argument error: the message and the command's help, exit 1.
fn usage_error(message: &str, help: &str) -> anyhow::Result<i32> {
    eprintln!("{message}\n\n{help}");
    Ok(1)
}

/// `-only` / `-except` as a build selection.
fn selection(p: &flags::Parsed) -> Selection {
    Selection::from_flags(p.values("only"), p.values("except"))
}
