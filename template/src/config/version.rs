//! `required_version` constraints in hashicorp/go-version's syntax:
//! comma-separated `=`, `!=`, `>`, `>=`, `<`, `<=`, `~>` clauses.

/// Whether `version` satisfies every clause of `constraint`. `Err` names a
/// clause that does not parse.
pub fn satisfies(version: &str, constraint: &str) -> Result<bool, String> {
    let (v, _) = parse(version).ok_or_else(|| version.to_owned())?;
    for clause in constraint.split(',') {
        let clause = clause.trim();
        let (op, rest) = ["~>", ">=", "<=", "!=", "=", ">", "<"]
            .iter()
            .find_map(|op| clause.strip_prefix(op).map(|r| (*op, r.trim())))
            .unwrap_or(("=", clause));
        let want = parse(rest).ok_or_else(|| clause.to_owned())?;
        let ok = match op {
            "=" => v == want.0,
            "!=" => v != want.0,
            ">" => v > want.0,
            ">=" => v >= want.0,
            "<" => v < want.0,
            "<=" => v <= want.0,
            // `~> 1.2` allows 1.x from 1.2 on; `~> 1.2.3` allows 1.2.x from .3 on.
            _ => {
                let fixed = want.1.saturating_sub(1).max(1);
                v >= want.0 && v.0[..fixed] == want.0 .0[..fixed]
            }
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

#[derive(Debug, PartialEq, PartialOrd)]
struct Version([u64; 3]);

/// A version and how many of its parts were written.
fn parse(s: &str) -> Option<(Version, usize)> {
    let s = s.trim().trim_start_matches('v');
    let core = s.split(['-', '+']).next()?;
    let mut parts = [0u64; 3];
    let mut n = 0;
    for (i, p) in core.split('.').enumerate() {
        if i >= 3 {
            return None;
        }
        parts[i] = p.parse().ok()?;
        n = i + 1;
    }
    Some((Version(parts), n))
}

#[cfg(test)]
mod tests {
    use super::satisfies;

    #[test]
    fn constraints() {
        assert_eq!(satisfies("1.11.2", ">= 1.6.0"), Ok(true));
        assert_eq!(satisfies("1.11.2", ">= 1.6.0, < 1.10"), Ok(false));
        assert_eq!(satisfies("1.11.2", "~> 1.11"), Ok(true));
        assert_eq!(satisfies("1.11.2", "~> 1.10.0"), Ok(false));
        assert_eq!(satisfies("1.11.2", "1.11.2"), Ok(true));
        assert!(satisfies("1.11.2", ">= banana").is_err());
    }
}
