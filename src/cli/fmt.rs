//! `kiln fmt`: rewrite HCL files in the canonical layout `packer fmt` uses.

use super::flags::{self, flag, Kind};
use kiln_template::fmt::{format, unified_diff};
use std::io::Read;
use std::path::{Path, PathBuf};

pub const HELP: &str = "Usage: kiln fmt [options] [TEMPLATE...]

  Rewrites all kiln/Packer HCL2 configuration files (.pkr.hcl, .pkrvars.hcl)
  to a canonical format. With \"-\" the file is read from stdin and the result
  printed to stdout. A directory is formatted file by file.

Options:
  -check        Check if the input is formatted. Exit status will be 0 if
                all input is properly formatted and 3 otherwise.
  -diff         Display diffs of formatting changes
  -write=false  Don't write to source files (always disabled if using -check)
  -recursive    Also process files in subdirectories.
";

const SUFFIXES: [&str; 2] = [".pkr.hcl", ".pkrvars.hcl"];

pub fn run(args: &[String]) -> anyhow::Result<i32> {
    let spec = [
        flag("check", Kind::Bool),
        flag("diff", Kind::Bool),
        flag("write", Kind::Bool),
        flag("recursive", Kind::Bool),
    ];
    let p = match flags::parse(args, &spec) {
        Ok(p) => p,
        Err(e) => return super::usage_error(&e, HELP),
    };
    let check = p.bool("check");
    let diff = p.bool("diff");
    let write = p.bool_or("write", true) && !check;
    let recursive = p.bool("recursive");
    let targets: Vec<String> = if p.args.is_empty() {
        vec![".".into()]
    } else {
        p.args.clone()
    };

    let mut changed = false;
    let mut failed = false;
    for target in &targets {
        if target == "-" {
            let mut src = String::new();
            std::io::stdin().read_to_string(&mut src)?;
            // As `packer fmt`: -diff is ignored for stdin; unchanged input is
            // echoed; changed input is printed only when writing is on.
            match format(&src) {
                Ok(out) if out == src => print!("{src}"),
                Ok(out) => {
                    changed = true;
                    if write {
                        print!("{out}");
                    }
                }
                Err(e) => {
                    eprintln!("Error: <stdin>: {e}");
                    failed = true;
                }
            }
            continue;
        }
        let files = match collect(Path::new(target), recursive) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("Error: {target}: {e}");
                failed = true;
                continue;
            }
        };
        for file in files {
            match format_file(&file, write, diff) {
                Ok(true) => changed = true,
                Ok(false) => {}
                Err(e) => {
                    eprintln!("Error: {}: {e}", file.display());
                    failed = true;
                }
            }
        }
    }
    Ok(if failed {
        1
    } else if check && changed {
        3
    } else {
        0
    })
}

/// Format one file; true when it was (or would be) changed.
fn format_file(path: &Path, write: bool, diff: bool) -> anyhow::Result<bool> {
    let src = std::fs::read_to_string(path)?;
    let out = format(&src)?;
    if out == src {
        return Ok(false);
    }
    println!("{}", path.display());
    if write {
        // Write beside the file and rename over it, so an interrupted run
        // never leaves a half-written template; the file keeps its mode.
        kiln_gocompat::atomic::write_file(path, 0o644, out.as_bytes())?;
    }
    if diff {
        print!("{}", unified_diff(&path.display().to_string(), &src, &out));
    }
    Ok(true)
}

fn collect(path: &Path, recursive: bool) -> std::io::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        std::fs::metadata(path)?;
        if !is_hcl_name(path) {
            return Err(std::io::Error::other(format!(
                "file {} is not a HCL file",
                path.display()
            )));
        }
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries.into_iter().filter(|p| !skipped(p)) {
        if p.is_dir() {
            if recursive {
                out.extend(collect(&p, true)?);
            }
        } else if is_hcl_name(&p) {
            out.push(p);
        }
    }
    Ok(out)
}

fn is_hcl_name(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| SUFFIXES.iter().any(|s| n.ends_with(s)))
}

/// Editor leftovers and hidden files, which `packer fmt` passes over.
fn skipped(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.starts_with('.') || name.ends_with('~') || (name.starts_with('#') && name.ends_with('#'))
}
