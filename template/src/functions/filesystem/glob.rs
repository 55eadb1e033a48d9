//! Globbing with `**`, as `bmatcuk/doublestar` v1 (which Packer's `fileset`
//! uses) does it: `*` and `?` stay within a path element, `**` spans any
//! number of them, `[a-z]`/`[^…]` classes, `{a,b}` alternatives (which may
//! contain slashes) and `\` escapes. Symbolic links are followed.

use kiln_gocompat::path::join;
use std::collections::HashSet;
use std::path::PathBuf;

/// The pattern is malformed.
#[derive(Debug, PartialEq)]
pub(super) struct BadPattern;

impl std::fmt::Display for BadPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Go's `path.ErrBadPattern`.
        f.write_str("syntax error in pattern")
    }
}

/// Every existing path matching `pattern` (files and directories).
pub(super) fn glob(pattern: &str) -> Result<Vec<String>, BadPattern> {
    let mut out = Vec::new();
    glob_into(pattern, &mut out)?;
    Ok(out)
}

fn glob_into(pattern: &str, out: &mut Vec<String>) -> Result<(), BadPattern> {
    if pattern.is_empty() {
        return Ok(());
    }
    // Leading alternatives may mix relative and absolute patterns.
    if let Some(rest) = pattern.strip_prefix('{') {
        let (options, end) = split_alternatives(rest).ok_or(BadPattern)?;
        let tail = rest.get(end..).unwrap_or("");
        for o in options {
            glob_into(&format!("{o}{tail}"), out)?;
        }
        return Ok(());
    }
    let mut walker = Walker {
        out,
        visited: HashSet::new(),
    };
    match pattern.strip_prefix('/') {
        Some(rest) => walker.walk("/".to_string(), rest),
        None => walker.walk(".".to_string(), pattern),
    }
}

struct Walker<'o> {
    out: &'o mut Vec<String>,
    /// Directories a `**` has already descended into, to stop symlink
    /// cycles (where doublestar would recurse until paths get too long).
    visited: HashSet<PathBuf>,
}

impl Walker<'_> {
    fn walk(&mut self, mut basedir: String, mut pattern: &str) -> Result<(), BadPattern> {
        // Skip over leading elements without wildcards.
        let glob_idx = match index_any_escaped(pattern, &['*', '?', '[', '{', '\\']) {
            Some(i) if i > 0 => last_index_escaped(pattern.get(..i).unwrap_or(""), '/'),
            Some(_) => None,
            None => last_index_escaped(pattern, '/'),
        };
        if let Some(i) = glob_idx.filter(|i| *i > 0) {
            basedir = join(&[&basedir, pattern.get(..i).unwrap_or("")]);
            pattern = pattern.get(i + 1..).unwrap_or("");
        }
        let Ok(meta) = std::fs::symlink_metadata(&basedir) else {
            return Ok(());
        };
        if pattern.is_empty() {
            self.out.push(basedir);
            return Ok(());
        }
        let is_dir = if meta.file_type().is_symlink() {
            std::fs::metadata(&basedir).is_ok_and(|m| m.is_dir())
        } else {
            meta.is_dir()
        };
        if !is_dir {
            return Ok(());
        }
        let Ok(entries) = std::fs::read_dir(&basedir) else {
            return Ok(());
        };
        let mut files: Vec<(String, bool)> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let ft = e.file_type().ok()?;
                let dir = if ft.is_symlink() {
                    // A dangling link is skipped, as doublestar does.
                    std::fs::metadata(e.path()).ok()?.is_dir()
                } else {
                    ft.is_dir()
                };
                Some((name, dir))
            })
            .collect();
        files.sort();

        let slash = index_escaped(pattern, '/');
        let first = pattern.get(..slash.unwrap_or(pattern.len())).unwrap_or("");
        if first == "**" {
            let last = slash.is_none();
            let canonical =
                std::fs::canonicalize(&basedir).unwrap_or_else(|_| PathBuf::from(&basedir));
            if self.visited.insert(canonical) {
                for (name, dir) in &files {
                    let path = join(&[&basedir, name]);
                    if *dir {
                        if last {
                            self.out.push(path.clone());
                        }
                        self.walk(path, pattern)?;
                    } else if last {
                        self.out.push(path);
                    }
                }
            }
            let Some(i) = slash else {
                return Ok(());
            };
            pattern = pattern.get(i + 1..).unwrap_or("");
        }
        for (name, _) in &files {
            let Some(rest) = match_component(pattern, name)? else {
                continue;
            };
            let path = join(&[&basedir, name]);
            if rest.is_empty() {
                self.out.push(path);
            } else {
                for alt in rest {
                    self.walk(path.clone(), &alt)?;
                }
            }
        }
        Ok(())
    }
}

fn index_escaped(s: &str, c: char) -> Option<usize> {
    index_any_escaped(s, &[c])
}

/// The first of `chars` in `s` that is not preceded by a backslash.
fn index_any_escaped(s: &str, chars: &[char]) -> Option<usize> {
    let mut from = 0;
    loop {
        let i = from + s.get(from..)?.find(chars)?;
        if i > 0 && s.as_bytes().get(i - 1) == Some(&b'\\') {
            from = i + s.get(i..)?.chars().next()?.len_utf8();
        } else {
            return Some(i);
        }
    }
}

fn last_index_escaped(s: &str, c: char) -> Option<usize> {
    let i = s.rfind(c)?;
    if i > 0 && s.as_bytes().get(i - 1) == Some(&b'\\') {
        return last_index_escaped(s.get(..i - 1)?, c);
    }
    Some(i)
}

/// Split `a,b}rest` (just after an opening brace) into its alternatives,
/// honouring nesting and escapes; also the index just past the closing
/// brace.
fn split_alternatives(s: &str) -> Option<(Vec<&str>, usize)> {
    let mut options = Vec::new();
    let mut depth = 1;
    let mut escaped = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '{' {
            depth += 1;
        } else if c == '}' {
            depth -= 1;
            if depth == 0 {
                options.push(s.get(start..i)?);
                return Some((options, i + 1));
            }
        } else if c == ',' && depth == 1 {
            options.push(s.get(start..i)?);
            start = i + 1;
        }
    }
    None
}

/// Whether `pattern` can match the empty string.
fn is_zero_length(pattern: &str) -> Result<bool, BadPattern> {
    if matches!(pattern, "" | "*" | "**") {
        return Ok(true);
    }
    if let Some(rest) = pattern.strip_prefix('{') {
        let (options, end) = split_alternatives(rest).ok_or(BadPattern)?;
        if !is_zero_length(rest.get(end..).unwrap_or(""))? {
            return Ok(false);
        }
        for o in options {
            if is_zero_length(o)? {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Match one path element `name` against the start of `pattern`. `None`
/// when it does not match; otherwise the patterns the following elements
/// must match (empty when the pattern is used up).
fn match_component(pattern: &str, name: &str) -> Result<Option<Vec<String>>, BadPattern> {
    let mut p = 0;
    let mut n = 0;
    while let (Some(pc), Some(nc)) = (
        pattern.get(p..).and_then(|s| s.chars().next()),
        name.get(n..).and_then(|s| s.chars().next()),
    ) {
        match pc {
            '/' => {
                p += 1;
                break;
            }
            '\\' => {
                p += 1;
                let escaped = pattern
                    .get(p..)
                    .and_then(|s| s.chars().next())
                    .ok_or(BadPattern)?;
                if escaped != nc {
                    return Ok(None);
                }
                p += escaped.len_utf8();
                n += nc.len_utf8();
            }
            '*' => {
                p += 1;
                let Some(next) = pattern.get(p..).and_then(|s| s.chars().next()) else {
                    return Ok(Some(Vec::new()));
                };
                if next == '/' {
                    return Ok(Some(vec![pattern.get(p + 1..).unwrap_or("").to_string()]));
                }
                let rest = pattern.get(p..).unwrap_or("");
                for (i, _) in name.get(n..).unwrap_or("").char_indices() {
                    let m = match_component(rest, name.get(n + i..).unwrap_or(""))?;
                    if m.is_some() {
                        return Ok(m);
                    }
                }
                return Ok(None);
            }
            '[' => {
                p += 1;
                let end =
                    p + index_escaped(pattern.get(p..).unwrap_or(""), ']').ok_or(BadPattern)?;
                let class: Vec<char> = pattern.get(p..end).unwrap_or("").chars().collect();
                if !class_matches(&class, nc)? {
                    return Ok(None);
                }
                p = end + 1;
                n += nc.len_utf8();
            }
            '{' => {
                p += 1;
                let (options, end) =
                    split_alternatives(pattern.get(p..).unwrap_or("")).ok_or(BadPattern)?;
                p += end;
                let tail = pattern.get(p..).unwrap_or("");
                let mut found: Option<Vec<String>> = None;
                for o in options {
                    if let Some(m) =
                        match_component(&format!("{o}{tail}"), name.get(n..).unwrap_or(""))?
                    {
                        found.get_or_insert_with(Vec::new).extend(m);
                    }
                }
                return Ok(found);
            }
            c if c == '?' || c == nc => {
                p += c.len_utf8();
                n += nc.len_utf8();
            }
            _ => return Ok(None),
        }
    }
    if n < name.len() {
        return Ok(None);
    }
    if p >= pattern.len() {
        return Ok(Some(Vec::new()));
    }
    // The name is used up: what is left of this element must be able to
    // match nothing.
    let rest = pattern.get(p..).unwrap_or("");
    let slash = index_escaped(rest, '/');
    let element = rest.get(..slash.unwrap_or(rest.len())).unwrap_or("");
    if is_zero_length(element)? {
        return Ok(Some(match slash {
            None => Vec::new(),
            Some(i) => vec![rest.get(i + 1..).unwrap_or("").to_string()],
        }));
    }
    Ok(None)
}

/// A `[...]` class (without brackets) against one character.
fn class_matches(class: &[char], c: char) -> Result<bool, BadPattern> {
    let Some(first) = class.first() else {
        return Err(BadPattern);
    };
    let negated = *first == '^';
    let mut i = usize::from(negated);
    let mut matched = false;
    let take = |i: &mut usize| -> Result<char, BadPattern> {
        let mut ch = *class.get(*i).ok_or(BadPattern)?;
        *i += 1;
        if ch == '\\' {
            ch = *class.get(*i).ok_or(BadPattern)?;
            *i += 1;
        }
        Ok(ch)
    };
    while i < class.len() {
        if class.get(i) == Some(&'-') {
            return Err(BadPattern);
        }
        let low = take(&mut i)?;
        let mut high = low;
        if class.get(i) == Some(&'-') {
            i += 1;
            if matches!(class.get(i), None | Some('-')) {
                return Err(BadPattern);
            }
            high = take(&mut i)?;
        }
        if low <= c && c <= high {
            matched = true;
        }
    }
    Ok(matched != negated)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, name: &str) -> Option<Vec<String>> {
        match_component(pattern, name).expect("valid pattern")
    }

    #[test]
    fn components() {
        assert_eq!(m("*.txt", "a.txt"), Some(vec![]));
        assert_eq!(m("*.txt", "a.md"), None);
        assert_eq!(m("a?c", "abc"), Some(vec![]));
        assert_eq!(m("[a-c]x", "bx"), Some(vec![]));
        assert_eq!(m("[^a-c]x", "bx"), None);
        assert_eq!(m("\\*", "*"), Some(vec![]));
        assert_eq!(m("{a,b}.txt", "b.txt"), Some(vec![]));
        assert_eq!(m("dir/*.txt", "dir"), Some(vec!["*.txt".to_string()]));
        assert_eq!(m("*/x", "anything"), Some(vec!["x".to_string()]));
        assert_eq!(m("{a/b,c}", "a"), Some(vec!["b".to_string()]));
        assert_eq!(m("ab*", "ab"), Some(vec![]));
        assert_eq!(m("é*", "été"), Some(vec![]));
    }

    #[test]
    fn bad_patterns() {
        assert_eq!(match_component("[", "a"), Err(BadPattern));
        assert_eq!(match_component("[]", "a"), Err(BadPattern));
        assert_eq!(match_component("{a", "a"), Err(BadPattern));
        assert_eq!(match_component("\\", "a"), Err(BadPattern));
        assert_eq!(match_component("[a-]", "a"), Err(BadPattern));
    }
}
