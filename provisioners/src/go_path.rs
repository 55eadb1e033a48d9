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

#[cfg(test)]
mod tests {
    use super::*;

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
