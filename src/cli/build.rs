//! `kiln build`: run the builds of a configuration.

use super::common;
use super::flags::{self, flag, Kind, Parsed};
use crate::engine::{self, Options, RunCtx};
use crate::ui::{Console, ConsoleOptions, Mask};
use kiln_core::{Cancel, OnError};
use std::path::Path;

pub const HELP: &str = "Usage: kiln build [options] TEMPLATE

  Will execute multiple builds in parallel as defined in the template.
  The various artifacts created by the template will be outputted.

Options:
  -cache=false                  Run every step; use and save no step cache (kiln only).
  -color=false                  Disable color output. (Default: color when stdout is a terminal)
  -debug                        Debug mode enabled for builds (pause between steps, one build at a time).
  -except=foo,bar,baz           Run all builds and post-processors other than these.
  -explain-cache                Say per step whether the step cache has it, and what changed (kiln only).
  -only=foo,bar,baz             Build only the specified builds.
  -force                        Force a build to continue if artifacts exist, deletes existing artifacts.
  -machine-readable             Produce machine-readable output.
  -on-error=[cleanup|abort|ask|run-cleanup-provisioner] If the build fails do: clean up (default), abort, ask, or run-cleanup-provisioner.
  -parallel-builds=1            Number of builds to run in parallel. 1 disables parallelization. 0 means no limit (Default: 0)
  -provenance=false             Write no provenance beside unsigned artifacts (kiln only; default true).
  -sbom=spdx-json,cyclonedx-json  Write these SBOMs of every build's artifact (kiln only).
  -sign-key=cosign.key          Sign every build's provenance and artifact digest (COSIGN_PASSWORD) (kiln only).
  -test-report=path             Write the test blocks' results as JUnit XML (kiln only).
  -timestamp-ui                 Enable prefixing of each ui output with an RFC3339 timestamp.
  -var 'key=value'              Variable for templates, can be used multiple times.
  -var-file=path                JSON or HCL2 file containing user variables.
";

pub const TEST_HELP: &str = "Usage: kiln test [options] TEMPLATE

  Runs only the template's test blocks, against the artifacts an earlier
  kiln build of it left (its output directories and images), without
  building, deleting or post-processing anything. Use it to re-test an
  older version before rolling back to it.

Options:
  -color=false                  Disable color output.
  -except=foo,bar,baz           Test all builds other than these.
  -only=foo,bar,baz             Test only the specified builds.
  -artifact=ID                  Test this artifact instead of the build's output: an AMI id
                                (ami-…, or REGION:ami-…), a disk image or output directory,
                                an OCI layout or archive. Use -only to pick the build.
  -machine-readable             Produce machine-readable output.
  -parallel-builds=1            Number of builds to test in parallel. 0 means no limit (Default: 0)
  -test-report=path             Write the results as JUnit XML.
  -timestamp-ui                 Enable prefixing of each ui output with an RFC3339 timestamp.
  -var 'key=value'              Variable for templates, can be used multiple times.
  -var-file=path                JSON or HCL2 file containing user variables.
";

pub fn run(args: &[String]) -> anyhow::Result<i32> {
    run_as(args, false)
}

/// `kiln test`.
pub fn test(args: &[String]) -> anyhow::Result<i32> {
    run_as(args, true)
}

fn run_as(args: &[String], tests_only: bool) -> anyhow::Result<i32> {
    let help = if tests_only { TEST_HELP } else { HELP };
    let mut spec = common::VAR_FLAGS.to_vec();
    spec.extend([
        flag("color", Kind::Bool),
        flag("debug", Kind::Bool),
        flag("except", Kind::Value),
        flag("only", Kind::Value),
        flag("force", Kind::Bool),
        flag("machine-readable", Kind::Bool),
        flag("on-error", Kind::Value),
        flag("parallel-builds", Kind::Value),
        flag("parallel", Kind::Bool),
        flag("timestamp-ui", Kind::Bool),
        flag("test-report", Kind::Value),
        flag("artifact", Kind::Value),
        flag("cache", Kind::Bool),
        flag("explain-cache", Kind::Bool),
        flag("sbom", Kind::Value),
        flag("sign-key", Kind::Value),
        flag("provenance", Kind::Bool),
    ]);
    let p = match flags::parse(args, &spec) {
        Ok(p) => p,
        Err(e) => return super::usage_error(&e, help),
    };
    let opts = match options(&p) {
        Ok(o) => Options { tests_only, ..o },
        Err(e) => return super::usage_error(&e, help),
    };
    if !tests_only && opts.artifact.is_some() {
        return super::usage_error(
            "-artifact is for kiln test: kiln build makes its artifacts",
            help,
        );
    }
    let [path] = p.args.as_slice() else {
        return super::usage_error(
            "build expects exactly one argument: the template file or directory",
            help,
        );
    };
    let identity = crate::catalog::RunIdentity::new(Path::new(path));
    let mut opts = opts;
    opts.provenance = engine::Invocation {
        template: Some(path.into()),
        git: kiln_catalog::fingerprint::git_source(&identity.dir),
        only: super::selection(&p).only,
        except: super::selection(&p).except,
    };
    let Some(cfg) = common::load_for_build(Path::new(path), &p, &identity.fingerprint.value)?
    else {
        return Ok(1);
    };
    let (builds, diags) =
        kiln_template::plan::plan(&cfg, &super::selection(&p), &crate::registry::Registry);
    common::print_diagnostics(&diags, cfg.sources(), Some(&cfg));
    if diags.has_errors() {
        return Ok(1);
    }
    if tests_only {
        if let Some(pb) = builds.iter().find(|b| b.tests.is_empty()) {
            eprintln!(
                "Note: build '{}' has no test block: nothing to test there.",
                pb.name
            );
        }
    }
    match crate::catalog::check(&cfg, &builds) {
        Ok(true) if std::env::var_os("HCP_CLIENT_ID").is_some() => eprintln!(
            "HCP_CLIENT_ID is set, but kiln does not publish to HCP Packer: this run registers in kiln's own catalog ({}).",
            kiln_catalog::locate::describe_env()
        ),
        Ok(_) => {}
        Err(e) => {
            eprintln!("Error: {e}");
            return Ok(1);
        }
    }
    let mask = Mask::new(cfg.sensitive_values());
    if let Err(e) = crate::log::init(mask.clone()) {
        eprintln!("{e}");
    }
    // Work directories and scripts of kiln processes that were killed.
    for path in kiln_core::tempdir::sweep() {
        tracing::info!(path = %path.display(), "removed what a killed kiln left behind");
    }
    let console = Console::new(
        ConsoleOptions {
            color: ConsoleOptions::color_default(color_flag(&p)),
            timestamp: p.bool("timestamp-ui"),
            machine_readable: p.bool("machine-readable"),
        },
        mask,
    );
    let run_uuid = uuid::Uuid::new_v4().to_string();
    // Child processes (shell-local scripts, plugins of later builders)
    // read it from the environment, as in Packer.
    std::env::set_var("PACKER_RUN_UUID", &run_uuid);
    let cancel = Cancel::new();
    console.set_cancel(cancel.clone());
    engine::signals::install(cancel.clone(), console.clone());
    let ctx = RunCtx {
        cfg: &cfg,
        console,
        opts,
        run_uuid,
        cancel,
        test_records: Default::default(),
        cache_saved: Default::default(),
    };
    let (code, outcomes) = engine::run(&ctx, &builds);
    let mut code = code;
    if let Some(report) = p.values("test-report").last() {
        let records = ctx
            .test_records
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default();
        if let Err(e) = engine::junit::write(Path::new(report), &records) {
            eprintln!("Error writing the test report {report}: {e}");
            code = 1;
        }
    }
    if tests_only {
        // Testing registers nothing: the artifacts are an earlier run's.
        return Ok(code);
    }
    Ok(crate::catalog::register(
        &ctx, &identity, &builds, &outcomes, code,
    ))
}

fn color_flag(p: &Parsed) -> Option<bool> {
    p.flags
        .iter()
        .rev()
        .find(|(n, _)| *n == "color")
        .map(|(_, v)| v == "true")
}

fn options(p: &Parsed) -> Result<Options, String> {
    let on_error = match p.values("on-error").last() {
        None => OnError::Cleanup,
        Some(v) => OnError::parse(v).ok_or_else(|| {
            format!("invalid value {v:?} for flag -on-error: use cleanup, abort, ask or run-cleanup-provisioner")
        })?,
    };
    let mut parallel_builds = match p.values("parallel-builds").last() {
        None => 0,
        Some(v) => v.parse::<usize>().map_err(|_| {
            format!("invalid value {v:?} for flag -parallel-builds: expected a number >= 0")
        })?,
    };
    // Packer's deprecated `-parallel=false` means one build at a time.
    if !p.bool_or("parallel", true) {
        parallel_builds = 1;
    }
    if !p.bool_or("provenance", true) && p.values("sign-key").last().is_some() {
        return Err("-provenance=false cannot be used with -sign-key: a signed build's provenance is what kiln verify checks".into());
    }
    Ok(Options {
        parallel_builds,
        on_error,
        force: p.bool("force"),
        debug: p.bool("debug"),
        tests_only: false,
        artifact: p.values("artifact").last().map(|v| v.to_string()),
        cache: p.bool_or("cache", true),
        explain_cache: p.bool("explain-cache"),
        attest: crate::attest::RunSettings {
            sbom: crate::attest::RunSettings::parse_sbom(&p.values("sbom").collect::<Vec<_>>())?,
            sign_key: p.values("sign-key").last().map(Into::into),
            no_provenance: !p.bool_or("provenance", true),
        },
        provenance: Default::default(),
    })
}
