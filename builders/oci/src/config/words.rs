//! Dockerfile word splitting for `changes` lines: whitespace separates
//! words, double quotes (with backslash escapes) and single quotes group
//! them, a backslash outside quotes escapes the next character.

pub fn split(s: &str) -> Result<Vec<String>, String> {
    scan(s, false)
}

/// The quotes and escapes of `s` resolved, its whitespace kept: the value
/// of a legacy `ENV key value` / `LABEL key value` line, which Docker
/// takes whole.
pub fn unquote(s: &str) -> Result<String, String> {
    Ok(scan(s, true)?.concat())
}

fn scan(s: &str, keep_spaces: bool) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(n) => cur.push(n),
                            None => return Err(format!("unterminated quote in {s:?}")),
                        },
                        Some(n) => cur.push(n),
                        None => return Err(format!("unterminated quote in {s:?}")),
                    }
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(n) => cur.push(n),
                        None => return Err(format!("unterminated quote in {s:?}")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            c if c.is_whitespace() && !keep_spaces => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(
            split(r#"a=1 b="two words" c='it''s' d=x\ y"#).unwrap(),
            ["a=1", "b=two words", "c=its", "d=x y"]
        );
        assert_eq!(split(r#"k="say \"hi\"""#).unwrap(), [r#"k=say "hi""#]);
        assert!(split(r#"k="open"#).is_err());
    }

    #[test]
    fn unquote_keeps_whitespace() {
        assert_eq!(
            unquote(r#"my  "quoted app" it\'s"#).unwrap(),
            "my  quoted app it's"
        );
        assert!(unquote(r#""open"#).is_err());
    }
}
