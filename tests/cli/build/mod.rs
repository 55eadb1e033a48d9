//! `kiln build`: the engine end to end, with local components only.

#[cfg(feature = "amazon")]
mod amazon;
#[cfg(feature = "amazon")]
mod amazon_access;
#[cfg(feature = "amazon")]
mod amazon_fields;
#[cfg(feature = "amazon")]
mod amazon_image_tests;
#[cfg(feature = "amazon")]
mod amazon_step_cache;
pub mod ansible;
mod artifice;
mod compat;
pub mod config_management;
mod durations;
mod engine;
pub mod image_tests;
mod interrupt;
mod kill9;
mod legacy;
mod manifest;
pub mod oci;
pub mod oci_registry;
mod qemu;
mod source_refs;
mod ssh;
mod step_cache;
mod step_cache_remote;
pub mod supply_chain;
pub mod testinfra;
mod vagrant;

use crate::{kiln_env, Run};
use std::path::Path;

/// `kiln build -color=false ARGS…` in `dir` with TMPDIR set to `tmp`, so a
/// test can check that nothing was left in it.
pub fn build(dir: &Path, tmp: &Path, args: &[&str]) -> Run {
    let mut all = vec!["build", "-color=false"];
    all.extend_from_slice(args);
    kiln_env(
        dir,
        &all,
        "",
        &[("TMPDIR".to_owned(), tmp.display().to_string())],
    )
}

/// The detail lines (`    NAME: text`) of one build, in order.
pub fn messages(stdout: &str, build: &str) -> Vec<String> {
    let prefix = format!("    {build}: ");
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .map(str::to_owned)
        .collect()
}

/// Entries left in a directory.
pub fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a process still runs a moment after kiln has exited (zombies
/// waiting for a reaper do not count: they hold no resources and their
/// parent is gone). SIGKILL is delivered asynchronously, so a process
/// kiln killed gets up to two seconds to disappear.
pub fn alive(pid: &str) -> bool {
    let running = || {
        std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()))
            .map(|s| !s.contains(") Z "))
            .unwrap_or(false)
    };
    let start = std::time::Instant::now();
    while running() {
        if start.elapsed() > std::time::Duration::from_secs(2) {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    false
}

/// Processes whose command line mentions `needle` (a test's own
/// temporary directory), zombies excluded.
pub fn processes_mentioning(needle: &str) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if cmdline.contains(needle) && alive(&pid) {
            out.push(format!("{pid}: {cmdline}"));
        }
    }
    out
}

/// What [`interrupt_at_line`] saw.
pub struct Interrupted<T> {
    /// Whether a line with the marker came before the timeout.
    pub reached: bool,
    pub code: Option<i32>,
    /// kiln's standard output.
    pub out: String,
    /// What `at` returned, just before the signal.
    pub at: T,
}

/// Spawn `cmd` (kiln; its stdout is piped here) and, once a stdout line
/// contains `marker` (or after `wait`), call `at` and press Ctrl-C
/// (SIGINT); then wait for kiln to end.
pub fn interrupt_at_line<T>(
    mut cmd: std::process::Command,
    marker: &str,
    wait: std::time::Duration,
    at: impl FnOnce() -> T,
) -> Interrupted<T> {
    let mut child = cmd
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn kiln");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    let marker = marker.to_owned();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead;
        let mut all = String::new();
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if line.contains(&marker) {
                let _ = tx.send(());
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let reached = rx.recv_timeout(wait).is_ok();
    let seen = at();
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let code = child.wait().expect("wait").code();
    let out = reader.join().expect("reader");
    Interrupted {
        reached,
        code,
        out,
        at: seen,
    }
}
