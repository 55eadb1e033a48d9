//! Unified diff for `kiln fmt -diff`, shaped like the output of
//! `diff -u --label=old/PATH --label=new/PATH`, which is what `packer fmt`
//! shells out to.

use similar::TextDiff;

/// The diff from `old` to `new` with `--- old/PATH` and `+++ new/PATH`
/// headers and three lines of context; empty when the texts are equal.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("old/{path}"), &format!("new/{path}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_and_hunks_match_diff_u() {
        let old = "a=1\nbb = 2\n";
        let new = "a  = 1\nbb = 2\n";
        assert_eq!(
            unified_diff("x.pkr.hcl", old, new),
            "--- old/x.pkr.hcl\n+++ new/x.pkr.hcl\n@@ -1,2 +1,2 @@\n-a=1\n+a  = 1\n bb = 2\n"
        );
    }

    #[test]
    fn single_line_ranges_omit_the_count() {
        assert_eq!(
            unified_diff("f", "a=1\n", "a = 1\n"),
            "--- old/f\n+++ new/f\n@@ -1 +1 @@\n-a=1\n+a = 1\n"
        );
    }

    #[test]
    fn missing_final_newline_is_marked() {
        assert_eq!(
            unified_diff("f", "a=1", "a = 1"),
            "--- old/f\n+++ new/f\n@@ -1 +1 @@\n-a=1\n\\ No newline at end of file\n+a = 1\n\\ No newline at end of file\n"
        );
    }

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified_diff("f", "a = 1\n", "a = 1\n"), "");
    }
}
