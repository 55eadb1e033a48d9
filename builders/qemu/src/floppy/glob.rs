//! Go's `filepath.Glob`: `*`, `?` and `[...]` within one path segment,
//! matches sorted, a pattern without magic characters returned only when
//! the path exists.

use std::path::Path;

/// Whether `s` holds glob characters (Packer's test: `*?[`).
pub fn has_magic(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Paths matching `pattern`, relative paths taken against `cwd` but
/// returned as written (`fl/*.cfg` → `fl/b.cfg`).
pub fn glob(pattern: &str, cwd: &Path) -> Vec<String> {
    let (mut found, segments): (Vec<String>, Vec<&str>) = match pattern.strip_prefix('/') {
        Some(rest) => (vec!["/".to_owned()], rest.split('/').collect()),
        None => (vec![String::new()], pattern.split('/').collect()),
    };
    for seg in segments.iter().filter(|s| !s.is_empty()) {
        let mut next = Vec::new();
        for base in &found {
            let join = |name: &str| {
                if base.is_empty() {
                    name.to_owned()
                } else if base.ends_with('/') {
                    format!("{base}{name}")
                } else {
                    format!("{base}/{name}")
                }
            };
            if !has_magic(seg) {
                let p = join(seg);
                if cwd.join(&p).symlink_metadata().is_ok() {
                    next.push(p);
                }
                continue;
            }
            let dir = if base.is_empty() {
                cwd.to_owned()
            } else {
                cwd.join(base)
            };
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut names: Vec<String> = entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| matches(seg, n))
                .collect();
            names.sort();
            next.extend(names.iter().map(|n| join(n)));
        }
        found = next;
    }
    found.retain(|p| !p.is_empty());
    found
}

/// `path.Match` for one segment.
pub fn matches(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    match_from(&p, &n)
}

fn match_from(p: &[char], n: &[char]) -> bool {
    match p.split_first() {
        None => n.is_empty(),
        Some(('*', rest)) => {
            (0..=n.len()).any(|i| n.get(i..).is_some_and(|tail| match_from(rest, tail)))
        }
        Some(('?', rest)) => n
            .split_first()
            .is_some_and(|(_, tail)| match_from(rest, tail)),
        Some(('[', rest)) => {
            let Some((c, tail)) = n.split_first() else {
                return false;
            };
            match class(rest, *c) {
                Some((true, after)) => match_from(after, tail),
                _ => false,
            }
        }
        Some(('\\', rest)) => match (rest.split_first(), n.split_first()) {
            (Some((pc, prest)), Some((nc, ntail))) if pc == nc => match_from(prest, ntail),
            _ => false,
        },
        Some((pc, rest)) => n
            .split_first()
            .is_some_and(|(nc, tail)| nc == pc && match_from(rest, tail)),
    }
}

/// A `[...]` class after its `[`: whether `c` is in it, and the pattern
/// after the closing `]`.
fn class(p: &[char], c: char) -> Option<(bool, &[char])> {
    let (negated, mut p) = match p.split_first() {
        Some(('^', rest)) => (true, rest),
        _ => (false, p),
    };
    let mut hit = false;
    let mut first = true;
    loop {
        let (&lo, rest) = p.split_first()?;
        if lo == ']' && !first {
            return Some((hit != negated, rest));
        }
        first = false;
        let (lo, rest) = if lo == '\\' {
            let (&e, r) = rest.split_first()?;
            (e, r)
        } else {
            (lo, rest)
        };
        match rest {
            ['-', hi, tail @ ..] if *hi != ']' => {
                if lo <= c && c <= *hi {
                    hit = true;
                }
                p = tail;
            }
            _ => {
                if lo == c {
                    hit = true;
                }
                p = rest;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_matching_like_go() {
        assert!(matches("*.cfg", "b.cfg"));
        assert!(matches("*", ".hidden"));
        assert!(!matches("*.cfg", "b.cfgx"));
        assert!(matches("a?c", "abc"));
        assert!(matches("[a-c]x", "bx"));
        assert!(!matches("[^a-c]x", "bx"));
        assert!(matches("[^a-c]x", "dx"));
        assert!(matches("\\*", "*"));
        assert!(!matches("[a-c", "a"));
    }

    #[test]
    fn globbing_directories() {
        let d = tempfile::tempdir().unwrap();
        for p in [
            "fl/a.txt",
            "fl/b.cfg",
            "fl/c.cfg",
            "fl/sub/d.cfg",
            "other/e.cfg",
        ] {
            let path = d.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        assert_eq!(glob("fl/*.cfg", d.path()), ["fl/b.cfg", "fl/c.cfg"]);
        assert_eq!(
            glob("*/*.cfg", d.path()),
            ["fl/b.cfg", "fl/c.cfg", "other/e.cfg"]
        );
        assert_eq!(glob("fl/s*/d.cfg", d.path()), ["fl/sub/d.cfg"]);
        assert!(glob("nope/*", d.path()).is_empty());
        let abs = format!("{}/fl/[ab].*", d.path().display());
        assert_eq!(
            glob(&abs, Path::new("/")),
            [
                format!("{}/fl/a.txt", d.path().display()),
                format!("{}/fl/b.cfg", d.path().display())
            ]
        );
    }
}
