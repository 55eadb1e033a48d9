//! The `kiln` command: Packer-compatible machine-image builds.

mod attest;
mod catalog;
mod cli;
mod engine;
mod log;
mod registry;
mod ui;

use std::process::ExitCode;

fn main() -> ExitCode {
    // First, while single-threaded: the mounts a build makes end with kiln.
    kiln_core::mount_ns::enter_private();
    // Large inputs' digests (source images) are remembered next to the
    // step cache, so a rebuild does not read them again.
    if let Ok(root) = kiln_step_cache::DirStore::root_from_env() {
        kiln_core::digest_memo::set_dir(root.join("digests"));
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = cli::run(&args);
    // A deliberate exit: whatever still runs was left on purpose
    // (`-on-error=abort`); only a kiln that dies has its children killed.
    kiln_core::process::release_children();
    match result {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(e) => {
            eprintln!("Error: {e:#}");
            ExitCode::from(1)
        }
    }
}
