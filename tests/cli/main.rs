//! End-to-end tests of the `kiln` binary, one module per command.

pub mod build;
mod cache;
mod catalog;
mod console;
mod corpus;
mod datasource;
mod dynamic_blocks;
mod fmt;
mod inspect;
mod unsupported;
mod validate;

use std::path::Path;

/// What a run of kiln printed and returned.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Run kiln with `args` in `dir`, feeding `stdin`.
pub fn kiln(dir: &Path, args: &[&str], stdin: &str) -> Run {
    kiln_env(dir, args, stdin, &[])
}

/// Like [`kiln`], with extra environment variables.
/// A step cache for this test process: a build never reads or fills the
/// user's own (a cached step would not run, and a test waiting for it
/// would wait for nothing).
pub fn test_cache_dir() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a temporary directory"))
        .path()
}

/// kiln as a child process with the test's own step cache.
pub fn kiln_command() -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("kiln"));
    cmd.env("KILN_CACHE_DIR", test_cache_dir());
    cmd
}

pub fn kiln_env(dir: &Path, args: &[&str], stdin: &str, env: &[(String, String)]) -> Run {
    let mut cmd = assert_cmd::Command::cargo_bin("kiln").expect("kiln binary");
    cmd.current_dir(dir)
        .args(args)
        .write_stdin(stdin.to_owned());
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("PKR_VAR_")) {
        cmd.env_remove(k);
    }
    // Builds that register write to a catalog of the test's own, never
    // the user's.
    cmd.env(
        "KILN_CATALOG",
        format!("dir:{}", dir.join(".kiln-catalog").display()),
    );
    // Likewise a step cache of its own.
    cmd.env("KILN_CACHE_DIR", dir.join(".kiln-cache"));
    cmd.envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let out = cmd.output().expect("kiln runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A temporary directory holding the given files.
pub fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }
    dir
}

/// The repository's root, for the example templates.
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn version_names_compatibility_level() {
    let r = kiln(repo_root(), &["version"], "");
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("kiln v"), "{}", r.stdout);
    assert!(r.stdout.contains("Packer"), "{}", r.stdout);
}

#[test]
fn unknown_command_is_an_error() {
    let r = kiln(repo_root(), &["frobnicate"], "");
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("unknown command"), "{}", r.stderr);
}
