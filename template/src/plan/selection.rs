//! `-only` / `-except`: which builds run, by glob patterns on their names.

/// Build filters. Empty `only` means "everything not excepted".
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub only: Vec<String>,
    pub except: Vec<String>,
}

impl Selection {
    /// From comma-separated flag values.
    pub fn from_flags<'a>(
        only: impl IntoIterator<Item = &'a str>,
        except: impl IntoIterator<Item = &'a str>,
    ) -> Selection {
        let split = |v: &'a str| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        Selection {
            only: only.into_iter().flat_map(split).collect(),
            except: except.into_iter().flat_map(split).collect(),
        }
    }

    /// Whether a build with this full name (and its bare `TYPE.NAME`) is selected.
    pub fn selects(&self, full_name: &str, source_name: &str) -> bool {
        let hit = |patterns: &[String]| {
            patterns
                .iter()
                .any(|p| glob(p, full_name) || glob(p, source_name))
        };
        if !self.only.is_empty() && !hit(&self.only) {
            return false;
        }
        !hit(&self.except)
    }
}

/// Glob with `*` (any run of characters, dots included, as gobwas/glob
/// without separators does) and `?`.
pub fn glob(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ni));
                pi += 1;
            }
            Some(c) if *c == '?' || *c == n[ni] => {
                pi += 1;
                ni += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    pi = sp + 1;
                    ni = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("null.*", "null.a"));
        assert!(glob("*.a", "b.null.a"));
        assert!(!glob("null.a", "null.ab"));
        assert!(glob("n?ll.a*", "null.abc"));
    }

    #[test]
    fn only_and_except() {
        let s = Selection::from_flags(["null.*"], ["null.b"]);
        assert!(s.selects("null.a", "null.a"));
        assert!(!s.selects("null.b", "null.b"));
        assert!(!s.selects("file.c", "file.c"));
        assert!(s.selects("mybuild.null.a", "null.a"));
    }
}
