//! Go's `path/filepath` for Unix paths (`Clean`, `Join`, `Base`, `Dir`,
//! `Rel`, `IsAbs`, `Abs`), lexical like Go's: `..` is resolved without
//! looking at the file system, unlike `std::fs::canonicalize`, and
//! `std::path::absolute` keeps it. On Unix, `path.Clean` (URL paths) is
//! the same function.

use std::ffi::OsStr;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Go's `filepath.Clean`: the shortest equivalent path, lexically. `.`
/// for an empty result; `..` at the root stays at the root.
pub fn clean(path: &str) -> String {
    // Only ASCII `/` separates, so the bytes stay valid UTF-8.
    String::from_utf8(clean_bytes(path.as_bytes()))
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// [`clean`] of a path that need not be UTF-8.
pub fn clean_path(path: &Path) -> PathBuf {
    PathBuf::from(OsStr::from_bytes(&clean_bytes(path.as_os_str().as_bytes())))
}

fn clean_bytes(path: &[u8]) -> Vec<u8> {
    if path.is_empty() {
        return b".".to_vec();
    }
    let rooted = path.first() == Some(&b'/');
    let mut parts: Vec<&[u8]> = Vec::new();
    for part in path.split(|b| *b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                if parts.last().is_some_and(|p| *p != b"..") {
                    parts.pop();
                } else if !rooted {
                    parts.push(b"..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join(&b'/');
    match (rooted, joined.is_empty()) {
        (true, _) => [b"/".as_slice(), &joined].concat(),
        (false, true) => b".".to_vec(),
        (false, false) => joined,
    }
}

/// Go's `filepath.Join`: the non-empty elements joined and cleaned; empty
/// when all are empty.
pub fn join(elems: &[&str]) -> String {
    let parts: Vec<&str> = elems.iter().copied().filter(|e| !e.is_empty()).collect();
    if parts.is_empty() {
        return String::new();
    }
    clean(&parts.join("/"))
}

pub fn is_abs(path: &str) -> bool {
    path.starts_with('/')
}

/// Go's `filepath.Abs`: joined onto the current directory when relative,
/// then cleaned.
pub fn abs(path: &Path) -> io::Result<PathBuf> {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    Ok(clean_path(&joined))
}

/// Go's `filepath.Base`: the last element, trailing slashes ignored; `.`
/// for an empty path, `/` for slashes only.
pub fn base(path: &str) -> String {
    if path.is_empty() {
        return ".".to_owned();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".to_owned();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_owned()
}

/// Go's `filepath.Dir`: everything before the last element, cleaned; `.`
/// when there is nothing before it.
pub fn dir(path: &str) -> String {
    match path.rfind('/') {
        Some(i) => clean(path.get(..=i).unwrap_or("/")),
        None => ".".to_owned(),
    }
}

/// Go's `filepath.Rel`: `target` relative to `base`, lexically. `Err`
/// carries Go's message.
pub fn rel(base: &str, target: &str) -> Result<String, String> {
    let cant = || format!("Rel: can't make {target} relative to {base}");
    let b = clean(base);
    let t = clean(target);
    if b == t {
        return Ok(".".to_owned());
    }
    if is_abs(&b) != is_abs(&t) {
        return Err(cant());
    }
    let parts = |p: &str| -> Vec<String> {
        if p == "." {
            return Vec::new();
        }
        p.split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let bp = parts(&b);
    let tp = parts(&t);
    let common = bp.iter().zip(&tp).take_while(|(x, y)| x == y).count();
    let up = bp.get(common..).unwrap_or_default();
    if up.first().is_some_and(|p| p == "..") {
        return Err(cant());
    }
    let mut out: Vec<&str> = up.iter().map(|_| "..").collect();
    out.extend(
        tp.get(common..)
            .unwrap_or_default()
            .iter()
            .map(String::as_str),
    );
    Ok(out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_matches_go() {
        // From Go's path/filepath cleantests.
        let cases = [
            ("", "."),
            ("abc", "abc"),
            ("abc/def/", "abc/def"),
            ("a//b", "a/b"),
            ("./a/./b", "a/b"),
            ("a/b/../c", "a/c"),
            ("../../a", "../../a"),
            ("/../a", "/a"),
            ("/", "/"),
            ("//", "/"),
            ("a/..", "."),
            ("a/../..", ".."),
            ("abc/def/../../..", ".."),
            ("/abc/def/../../..", "/"),
            ("abc/./../def", "def"),
            ("/a/b/../c/./d", "/a/c/d"),
        ];
        for (input, want) in cases {
            assert_eq!(clean(input), want, "{input}");
            assert_eq!(clean_path(Path::new(input)), Path::new(want), "{input}");
        }
    }

    #[test]
    fn base_and_dir_match_go() {
        let cases = [
            ("", ".", "."),
            ("foo/bar/baz.txt", "baz.txt", "foo/bar"),
            ("foo/bar/", "bar", "foo/bar"),
            ("/", "/", "/"),
            ("//", "/", "/"),
            ("baz.txt", "baz.txt", "."),
            ("/baz.txt", "baz.txt", "/"),
            ("a/../b/c", "c", "b"),
            ("./a/./b", "b", "a"),
            ("/tmp/dir/", "dir", "/tmp/dir"),
        ];
        for (input, b, d) in cases {
            assert_eq!(base(input), b, "base {input}");
            assert_eq!(dir(input), d, "dir {input}");
        }
    }

    #[test]
    fn join_rel_and_abs() {
        assert_eq!(join(&["a", "", "b/../c"]), "a/c");
        assert_eq!(join(&["", ""]), "");
        assert_eq!(rel("/a/b", "/a/b/c/d"), Ok("c/d".into()));
        assert_eq!(rel("/a/b", "/a/x"), Ok("../x".into()));
        assert_eq!(rel("a", "a"), Ok(".".into()));
        assert_eq!(rel(".", "x/y"), Ok("x/y".into()));
        assert!(rel("/a", "b").is_err());
        assert!(rel("../a", "b").is_err());
        let cwd = std::env::current_dir().expect("cwd");
        assert_eq!(abs(Path::new("s.sh")).expect("abs"), cwd.join("s.sh"));
        assert_eq!(abs(Path::new("/../x/./y")).expect("abs"), Path::new("/x/y"));
    }
}
