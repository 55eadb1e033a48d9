//! Go's `path/filepath` operations for Unix paths, kept as strings so that
//! results match Packer's character for character (`Clean`, `Join`,
//! `Base`, `Dir`, `Rel`).

/// Go's `filepath.Clean`: the shortest equivalent path, lexically.
pub(super) fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// Go's `filepath.Join`: the non-empty elements joined and cleaned; empty
/// when all are empty.
pub(super) fn join(elems: &[&str]) -> String {
    let parts: Vec<&str> = elems.iter().copied().filter(|e| !e.is_empty()).collect();
    if parts.is_empty() {
        return String::new();
    }
    clean(&parts.join("/"))
}

pub(super) fn is_abs(path: &str) -> bool {
    path.starts_with('/')
}

/// Go's `filepath.Base`: the last element, ignoring trailing slashes.
pub(super) fn base(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".to_string();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

/// Go's `filepath.Dir`: everything before the last element, cleaned.
pub(super) fn dir(path: &str) -> String {
    match path.rfind('/') {
        Some(i) => clean(path.get(..=i).unwrap_or("/")),
        None => ".".to_string(),
    }
}

/// Go's `filepath.Rel`: `target` relative to `base`, lexically.
pub(super) fn rel(base: &str, target: &str) -> Result<String, String> {
    let cant = || format!("Rel: can't make {target} relative to {base}");
    let b = clean(base);
    let t = clean(target);
    if b == t {
        return Ok(".".to_string());
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
            .map(str::to_string)
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
            ("a/..", "."),
            ("a/../..", ".."),
        ];
        for (input, want) in cases {
            assert_eq!(clean(input), want, "{input}");
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
        ];
        for (input, b, d) in cases {
            assert_eq!(base(input), b, "base {input}");
            assert_eq!(dir(input), d, "dir {input}");
        }
    }

    #[test]
    fn join_and_rel() {
        assert_eq!(join(&["a", "", "b/../c"]), "a/c");
        assert_eq!(join(&["", ""]), "");
        assert_eq!(rel("/a/b", "/a/b/c/d"), Ok("c/d".into()));
        assert_eq!(rel("/a/b", "/a/x"), Ok("../x".into()));
        assert_eq!(rel("a", "a"), Ok(".".into()));
        assert_eq!(rel(".", "x/y"), Ok("x/y".into()));
        assert!(rel("/a", "b").is_err());
        assert!(rel("../a", "b").is_err());
    }
}
