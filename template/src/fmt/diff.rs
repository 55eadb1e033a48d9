//! Unified diff for `kiln fmt -diff`, shaped like the output of
//! `diff -u --label=old/PATH --label=new/PATH`, which is what `packer fmt`
//! shells out to.
//!
//! `similar` computes which lines changed, but hunks are laid out here:
//! its own unified printer takes positions from the diff ops, and its
//! Myers ops can report a deletion's position in the new text past the
//! equal line that follows it, which prints hunk headers `diff` would not.
//! Walking the ops with running line counters avoids that.

use similar::{capture_diff_slices, Algorithm, DiffOp};

const CONTEXT: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Equal,
    Delete,
    Insert,
}

/// One line of the edit script, with the 1-based numbers the next old and
/// new lines have at this point.
struct Entry<'a> {
    tag: Tag,
    text: &'a str,
    old_line: usize,
    new_line: usize,
}

/// The diff from `old` to `new` with `--- old/PATH` and `+++ new/PATH`
/// headers and three lines of context; empty when the texts are equal.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let entries = edit_script(old, new);
    let mut out = format!("--- old/{path}\n+++ new/{path}\n");
    for hunk in hunks(&entries) {
        write_hunk(&mut out, hunk);
    }
    out
}

fn edit_script<'a>(old: &'a str, new: &'a str) -> Vec<Entry<'a>> {
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let ops = capture_diff_slices(Algorithm::Myers, &old_lines, &new_lines);
    let (mut old_at, mut new_at) = (0, 0);
    let mut entries = Vec::new();
    let mut push = |tag: Tag, text: &'a str, old_at: &mut usize, new_at: &mut usize| {
        entries.push(Entry {
            tag,
            text,
            old_line: *old_at + 1,
            new_line: *new_at + 1,
        });
        if tag != Tag::Insert {
            *old_at += 1;
        }
        if tag != Tag::Delete {
            *new_at += 1;
        }
    };
    for op in ops {
        let (deleted, inserted, equal) = match op {
            DiffOp::Equal { len, .. } => (0, 0, len),
            DiffOp::Delete { old_len, .. } => (old_len, 0, 0),
            DiffOp::Insert { new_len, .. } => (0, new_len, 0),
            DiffOp::Replace {
                old_len, new_len, ..
            } => (old_len, new_len, 0),
        };
        for _ in 0..equal {
            let text = old_lines.get(old_at).copied().unwrap_or_default();
            push(Tag::Equal, text, &mut old_at, &mut new_at);
        }
        for _ in 0..deleted {
            let text = old_lines.get(old_at).copied().unwrap_or_default();
            push(Tag::Delete, text, &mut old_at, &mut new_at);
        }
        for _ in 0..inserted {
            let text = new_lines.get(new_at).copied().unwrap_or_default();
            push(Tag::Insert, text, &mut old_at, &mut new_at);
        }
    }
    entries
}

/// Groups changes with up to `CONTEXT` equal lines around them; changes
/// separated by at most twice that many equal lines share a hunk.
fn hunks<'e, 'a>(entries: &'e [Entry<'a>]) -> Vec<&'e [Entry<'a>]> {
    let changes: Vec<usize> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.tag != Tag::Equal)
        .map(|(i, _)| i)
        .collect();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for &at in &changes {
        match spans.last_mut() {
            Some((_, end)) if at - *end <= 2 * CONTEXT + 1 => *end = at,
            _ => spans.push((at, at)),
        }
    }
    spans
        .into_iter()
        .filter_map(|(first, last)| {
            let start = first.saturating_sub(CONTEXT);
            let end = (last + CONTEXT + 1).min(entries.len());
            entries.get(start..end)
        })
        .collect()
}

fn write_hunk(out: &mut String, hunk: &[Entry<'_>]) {
    let Some(first) = hunk.first() else {
        return;
    };
    let old_len = hunk.iter().filter(|e| e.tag != Tag::Insert).count();
    let new_len = hunk.iter().filter(|e| e.tag != Tag::Delete).count();
    out.push_str(&format!(
        "@@ -{} +{} @@\n",
        range(first.old_line, old_len),
        range(first.new_line, new_len)
    ));
    for entry in hunk {
        out.push(match entry.tag {
            Tag::Equal => ' ',
            Tag::Delete => '-',
            Tag::Insert => '+',
        });
        out.push_str(entry.text);
        if !entry.text.ends_with('\n') {
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
}

/// `diff -u` range syntax: the count is left out when it is one, and an
/// empty range names the line before it.
fn range(start: usize, len: usize) -> String {
    match len {
        0 => format!("{},0", start - 1),
        1 => start.to_string(),
        _ => format!("{start},{len}"),
    }
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
    fn empty_and_single_line_ranges() {
        assert_eq!(
            unified_diff("f", "a\nb\n", "a\n"),
            "--- old/f\n+++ new/f\n@@ -1,2 +1 @@\n a\n-b\n"
        );
        assert_eq!(
            unified_diff("f", "", "b\n"),
            "--- old/f\n+++ new/f\n@@ -0,0 +1 @@\n+b\n"
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
    fn deletion_before_an_equal_line_keeps_line_numbers() {
        // similar's own printer gives `@@ -1,4 +2,3 @@` here.
        let old = "  \n\n\tb{\n\tx = 1\n";
        let new = "\n\nb {\n  x = 1\n";
        let diff = unified_diff("f", old, new);
        assert!(
            diff.starts_with("--- old/f\n+++ new/f\n@@ -1,4 +1,4 @@\n"),
            "{diff}"
        );
    }

    #[test]
    fn distant_changes_get_separate_hunks() {
        let old = "x\n1\n2\n3\n4\n5\n6\n7\n8\ny\n";
        let new = "X\n1\n2\n3\n4\n5\n6\n7\n8\nY\n";
        assert_eq!(
            unified_diff("f", old, new),
            "--- old/f\n+++ new/f\n@@ -1,4 +1,4 @@\n-x\n+X\n 1\n 2\n 3\n@@ -7,4 +7,4 @@\n 6\n 7\n 8\n-y\n+Y\n"
        );
        // Six equal lines between changes still make one hunk.
        let old = "x\n1\n2\n3\n4\n5\n6\ny\n";
        let new = "X\n1\n2\n3\n4\n5\n6\nY\n";
        assert!(unified_diff("f", old, new).contains("@@ -1,8 +1,8 @@\n"));
    }

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified_diff("f", "a = 1\n", "a = 1\n"), "");
    }
}
