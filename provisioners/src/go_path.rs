//! Go's `filepath.Abs`: Packer runs scripts by this path, so `..` and `.`
//! are resolved lexically (not through symlinks), unlike
//! `std::path::absolute`, which keeps `..`.

use std::io;
use std::path::{Component, Path, PathBuf};

/// `path` joined onto the current directory when relative, then cleaned as
/// Go's `filepath.Clean` does.
pub fn abs(path: &Path) -> io::Result<PathBuf> {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    Ok(clean(&joined))
}

/// Lexical cleaning of an absolute path: `.` dropped, `..` removes the
/// component before it, and `..` at the root stays at the root.
fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Go's `filepath.Base`: the last element, trailing slashes ignored.
pub fn base(path: &str) -> String {
    if path.is_empty() {
        return ".".to_owned();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".to_owned();
    }
    match trimmed.rsplit_once('/') {
        Some((_, last)) => last.to_owned(),
        None => trimmed.to_owned(),
    }
}

/// Go's `filepath.Dir`: everything before the last element, cleaned;
/// `.` when there is nothing before it.
pub fn dir(path: &str) -> PathBuf {
    let before = match path.rfind('/') {
        Some(0) => "/",
        Some(i) => path.get(..i).unwrap_or("."),
        None => ".",
    };
    let cleaned: PathBuf = Path::new(before)
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    if cleaned.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_and_dir_like_go() {
        assert_eq!(base("a/b.txt"), "b.txt");
        assert_eq!(base("/tmp/dir/"), "dir");
        assert_eq!(base("f"), "f");
        assert_eq!(base("/"), "/");
        assert_eq!(dir("dl"), Path::new("."));
        assert_eq!(dir("out/x.txt"), Path::new("out"));
        assert_eq!(dir("/x"), Path::new("/"));
        assert_eq!(dir("./a/./b"), Path::new("a"));
    }

    #[test]
    fn cleans_like_go() {
        assert_eq!(clean(Path::new("/a/b/../c/./d")), Path::new("/a/c/d"));
        assert_eq!(clean(Path::new("/../x")), Path::new("/x"));
        let cwd = std::env::current_dir().expect("test fixture");
        assert_eq!(
            abs(Path::new("s.sh")).expect("test fixture"),
            cwd.join("s.sh")
        );
    }
}
