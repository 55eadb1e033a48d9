//! Sensitive values never reach a terminal, a log or a file: every line
//! kiln prints passes through a [`Mask`].

/// The secrets of a run, longest first so a secret containing another is
/// masked whole.
#[derive(Debug, Clone, Default)]
pub struct Mask {
    secrets: Vec<String>,
}

impl Mask {
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Mask {
        let mut secrets: Vec<String> = secrets.into_iter().filter(|s| !s.is_empty()).collect();
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Mask { secrets }
    }

    pub fn apply(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), "<sensitive>");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_secret_first_and_empty_ignored() {
        let m = Mask::new(["abc".to_owned(), "abcdef".to_owned(), String::new()]);
        assert_eq!(m.apply("x abcdef abc y"), "x <sensitive> <sensitive> y");
    }
}
