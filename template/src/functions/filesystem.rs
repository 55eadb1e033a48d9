//! Filesystem functions. Relative paths resolve against the call's base
//! directory; path strings follow Go's `path/filepath` rules so results
//! read the same as Packer's.

mod filemode;
mod glob;
use kiln_gocompat::path as gopath;

use super::{CallContext, FuncError, FuncResult, Function, Library, Param};
use crate::value::{Type, Value};
use kiln_gocompat::quote::quote;
use std::io::ErrorKind;

pub(super) fn register(lib: &mut Library) {
    let one_path = |imp| Function::new(vec![Param::new("path", Type::String)], imp);
    lib.insert("abspath", one_path(abspath));
    lib.insert("basename", one_path(basename));
    lib.insert("dirname", one_path(dirname));
    lib.insert("file", one_path(file));
    lib.insert("fileexists", one_path(fileexists));
    lib.insert("pathexpand", one_path(pathexpand));
    lib.insert(
        "fileset",
        Function::new(
            vec![
                Param::new("path", Type::String),
                Param::new("pattern", Type::String),
            ],
            fileset,
        ),
    );
}

fn str_arg(args: &[Value], i: usize) -> Result<&str, FuncError> {
    args.get(i)
        .and_then(Value::as_str)
        .ok_or_else(|| FuncError::arg(i, "a string is required"))
}

/// The base directory as an absolute path string.
fn base_dir(ctx: &CallContext) -> Result<String, FuncError> {
    let dir = if ctx.base_dir.is_absolute() {
        ctx.base_dir.clone()
    } else {
        std::env::current_dir()
            .map_err(|e| FuncError::new(format!("cannot determine the working directory: {e}")))?
            .join(&ctx.base_dir)
    };
    dir.into_os_string()
        .into_string()
        .map_err(|_| FuncError::new("the working directory is not valid UTF-8"))
}

/// The user's home directory, as go-homedir finds it on Unix.
fn home_dir() -> Result<String, String> {
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        return home
            .into_string()
            .map_err(|_| "the home directory is not valid UTF-8".to_string());
    }
    std::env::home_dir()
        .and_then(|p| p.into_os_string().into_string().ok())
        .filter(|h| !h.is_empty())
        .ok_or_else(|| "blank output when reading home directory".to_string())
}

/// go-homedir's `Expand`: a leading `~` (alone or before a slash) becomes
/// the home directory; `~user` is not supported.
fn expand_home(path: &str) -> Result<String, String> {
    let Some(rest) = path.strip_prefix('~') else {
        return Ok(path.to_string());
    };
    if !rest.is_empty() && !rest.starts_with(['/', '\\']) {
        return Err("cannot expand user-specific home dir".to_string());
    }
    Ok(gopath::join(&[&home_dir()?, rest]))
}

/// Expand `~`, resolve against the base directory and clean.
fn resolve(ctx: &CallContext, path: &str) -> Result<String, FuncError> {
    let expanded =
        expand_home(path).map_err(|e| FuncError::new(format!("failed to expand ~: {e}")))?;
    if gopath::is_abs(&expanded) {
        return Ok(gopath::clean(&expanded));
    }
    Ok(gopath::join(&[&base_dir(ctx)?, &expanded]))
}

fn abspath(ctx: &CallContext, args: Vec<Value>) -> FuncResult {
    let path = str_arg(&args, 0)?;
    if gopath::is_abs(path) {
        return Ok(Value::String(gopath::clean(path)));
    }
    Ok(Value::String(gopath::join(&[&base_dir(ctx)?, path])))
}

fn basename(_: &CallContext, args: Vec<Value>) -> FuncResult {
    Ok(Value::String(gopath::base(str_arg(&args, 0)?)))
}

fn dirname(_: &CallContext, args: Vec<Value>) -> FuncResult {
    Ok(Value::String(gopath::dir(str_arg(&args, 0)?)))
}

fn pathexpand(_: &CallContext, args: Vec<Value>) -> FuncResult {
    expand_home(str_arg(&args, 0)?)
        .map(Value::String)
        .map_err(FuncError::new)
}

fn file(ctx: &CallContext, args: Vec<Value>) -> FuncResult {
    let path = str_arg(&args, 0)?;
    let resolved = resolve(ctx, path)?;
    let bytes = std::fs::read(&resolved).map_err(|e| match e.kind() {
        ErrorKind::NotFound => FuncError::new(format!("no file exists at {resolved}")),
        _ => FuncError::new(format!("failed to read {resolved}")),
    })?;
    String::from_utf8(bytes).map(Value::String).map_err(|_| {
        FuncError::new(format!(
            "contents of {path} are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead"
        ))
    })
}

fn fileexists(ctx: &CallContext, args: Vec<Value>) -> FuncResult {
    let resolved = resolve(ctx, str_arg(&args, 0)?)?;
    let meta = match std::fs::metadata(&resolved) {
        Ok(meta) => meta,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Value::Bool(false)),
        Err(_) => return Err(FuncError::new(format!("failed to stat {resolved}"))),
    };
    if meta.is_file() {
        return Ok(Value::Bool(true));
    }
    Err(FuncError::new(format!(
        "{resolved} is not a regular file, but {}",
        quote(&filemode::mode_string(&meta))
    )))
}

fn fileset(ctx: &CallContext, args: Vec<Value>) -> FuncResult {
    let mut path = str_arg(&args, 0)?.to_string();
    if !gopath::is_abs(&path) {
        path = gopath::join(&[&base_dir(ctx)?, &path]);
    }
    let pattern = gopath::join(&[&path, str_arg(&args, 1)?]);
    let matches = glob::glob(&pattern)
        .map_err(|e| FuncError::new(format!("failed to glob pattern ({pattern}): {e}")))?;
    let mut found = Vec::new();
    for m in matches {
        let meta = std::fs::metadata(&m)
            .map_err(|e| FuncError::new(format!("failed to stat ({m}): {e}")))?;
        if !meta.is_file() {
            continue;
        }
        let rel = gopath::rel(&path, &m)
            .map_err(|e| FuncError::new(format!("failed to trim path of match ({m}): {e}")))?;
        found.push(Value::String(rel));
    }
    Ok(Value::set(found))
}

#[cfg(test)]
mod tests {
    use crate::functions::testutil::{call_in, ok, s};
    use crate::value::Value;
    use std::fs;
    use std::path::Path;

    fn in_dir(dir: &Path, name: &str, args: Vec<Value>) -> Result<Value, String> {
        call_in(dir, name, args).map_err(|e| e.message)
    }

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for file in [
            "hello.txt",
            "hello.tmpl",
            "other.txt",
            ".hidden.txt",
            "sub/a.txt",
            "sub/b.md",
            "sub/deep/c.txt",
            "sub/deep/deeper/d.txt",
        ] {
            let p = root.join(file);
            fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            fs::write(&p, file).expect("write");
        }
        fs::create_dir(root.join("empty.txt.d")).expect("mkdir");
        dir
    }

    fn set(items: &[&str]) -> Value {
        Value::set(items.iter().map(|i| s(i)))
    }

    #[test]
    fn basename_and_dirname() {
        assert_eq!(ok("basename", vec![s("foo/bar/baz.txt")]), s("baz.txt"));
        assert_eq!(ok("basename", vec![s("")]), s("."));
        assert_eq!(ok("basename", vec![s("/")]), s("/"));
        assert_eq!(ok("dirname", vec![s("foo/bar/baz.txt")]), s("foo/bar"));
        assert_eq!(ok("dirname", vec![s("baz.txt")]), s("."));
        assert_eq!(ok("dirname", vec![s("/foo//bar/")]), s("/foo/bar"));
    }

    #[test]
    fn abspath_resolves_against_the_base_dir() {
        let dir = Path::new("/work/project");
        assert_eq!(
            in_dir(dir, "abspath", vec![s("a/../b")]),
            Ok(s("/work/project/b"))
        );
        assert_eq!(
            in_dir(dir, "abspath", vec![s("/etc//hosts")]),
            Ok(s("/etc/hosts"))
        );
        assert_eq!(in_dir(dir, "abspath", vec![s("")]), Ok(s("/work/project")));
    }

    #[test]
    fn pathexpand_replaces_a_leading_tilde() {
        let home = std::env::var("HOME").expect("HOME is set for tests");
        let home = kiln_gocompat::path::clean(&home);
        assert_eq!(
            ok("pathexpand", vec![s("~/.ssh/id_rsa")]),
            s(&format!("{home}/.ssh/id_rsa"))
        );
        assert_eq!(ok("pathexpand", vec![s("~")]), s(&home));
        assert_eq!(ok("pathexpand", vec![s("/etc/~x")]), s("/etc/~x"));
        assert_eq!(ok("pathexpand", vec![s("")]), s(""));
        assert_eq!(
            crate::functions::testutil::err("pathexpand", vec![s("~bob/x")]),
            "cannot expand user-specific home dir"
        );
    }

    #[test]
    fn file_reads_relative_to_the_base_dir() {
        let dir = tree();
        let root = dir.path();
        assert_eq!(
            in_dir(root, "file", vec![s("hello.txt")]),
            Ok(s("hello.txt"))
        );
        assert_eq!(
            in_dir(root, "file", vec![s("./sub/../sub/a.txt")]),
            Ok(s("sub/a.txt"))
        );
        let abs = root.join("other.txt");
        let abs = abs.to_str().expect("utf-8");
        assert_eq!(
            in_dir(Path::new("/"), "file", vec![s(abs)]),
            Ok(s("other.txt"))
        );
    }

    #[test]
    fn file_errors_name_the_path() {
        let dir = tree();
        let root = dir.path();
        let shown = root.to_str().expect("utf-8");
        assert_eq!(
            in_dir(root, "file", vec![s("nope.txt")]),
            Err(format!("no file exists at {shown}/nope.txt"))
        );
        assert_eq!(
            in_dir(root, "file", vec![s("sub")]),
            Err(format!("failed to read {shown}/sub"))
        );
        fs::write(root.join("bin.dat"), [0xff, 0xfe]).expect("write");
        assert_eq!(
            in_dir(root, "file", vec![s("bin.dat")]),
            Err("contents of bin.dat are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead".to_string())
        );
    }

    #[test]
    fn fileexists_only_for_regular_files() {
        let dir = tree();
        let root = dir.path();
        assert_eq!(
            in_dir(root, "fileexists", vec![s("hello.txt")]),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            in_dir(root, "fileexists", vec![s("missing")]),
            Ok(Value::Bool(false))
        );
        let err = in_dir(root, "fileexists", vec![s("sub")]).expect_err("a directory");
        let shown = root.to_str().expect("utf-8");
        assert!(
            err.starts_with(&format!("{shown}/sub is not a regular file, but \"d")),
            "{err}"
        );
        assert_eq!(
            in_dir(root, "fileexists", vec![s("hello.txt/x")]),
            Err(format!("failed to stat {shown}/hello.txt/x"))
        );
    }

    #[test]
    fn fileset_patterns() {
        let dir = tree();
        let root = dir.path();
        let fileset =
            |path: &str, pattern: &str| in_dir(root, "fileset", vec![s(path), s(pattern)]);
        assert_eq!(
            fileset(".", "*.txt"),
            Ok(set(&[".hidden.txt", "hello.txt", "other.txt"]))
        );
        // Readdir never lists ".", so an alternative of "." matches nothing.
        assert_eq!(fileset(".", "{sub,.}/*.txt"), Ok(set(&["sub/a.txt"])));
        assert_eq!(
            fileset(".", "{sub/a,hello}.txt"),
            Ok(set(&["hello.txt", "sub/a.txt"]))
        );
        assert_eq!(
            fileset(".", "**/*.txt"),
            Ok(set(&[
                ".hidden.txt",
                "hello.txt",
                "other.txt",
                "sub/a.txt",
                "sub/deep/c.txt",
                "sub/deep/deeper/d.txt",
            ]))
        );
        assert_eq!(
            fileset("sub", "**"),
            Ok(set(&["a.txt", "b.md", "deep/c.txt", "deep/deeper/d.txt"]))
        );
        assert_eq!(
            fileset(".", "hello.*"),
            Ok(set(&["hello.tmpl", "hello.txt"]))
        );
        assert_eq!(fileset(".", "hello.txt"), Ok(set(&["hello.txt"])));
        assert_eq!(fileset(".", "?ther.[st]xt"), Ok(set(&["other.txt"])));
        assert_eq!(
            fileset(".", "sub/deep/*/*.txt"),
            Ok(set(&["sub/deep/deeper/d.txt"]))
        );
        assert_eq!(fileset(".", "nothing*"), Ok(set(&[])));
        assert_eq!(fileset("missing", "*"), Ok(set(&[])));
    }

    #[test]
    fn fileset_absolute_path_and_bad_pattern() {
        let dir = tree();
        let root = dir.path();
        let shown = root.to_str().expect("utf-8");
        assert_eq!(
            in_dir(Path::new("/"), "fileset", vec![s(shown), s("sub/*.md")]),
            Ok(set(&["sub/b.md"]))
        );
        assert_eq!(
            in_dir(root, "fileset", vec![s("."), s("[")]),
            Err(format!(
                "failed to glob pattern ({shown}/[): syntax error in pattern"
            ))
        );
    }

    #[cfg(unix)]
    #[test]
    fn fileset_follows_symlinks_without_looping() {
        let dir = tree();
        let root = dir.path();
        std::os::unix::fs::symlink(root.join("sub"), root.join("sub/deep/loop")).expect("symlink");
        std::os::unix::fs::symlink(root.join("hello.txt"), root.join("link.txt")).expect("symlink");
        let got = in_dir(root, "fileset", vec![s("."), s("*.txt")]).expect("globs");
        assert!(got.as_seq().expect("set").contains(&s("link.txt")));
        let got = in_dir(root, "fileset", vec![s("sub"), s("**/a.txt")]).expect("globs");
        assert!(got.as_seq().expect("set").contains(&s("a.txt")));
    }
}
