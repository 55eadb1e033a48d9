//! Vertical alignment, as hclwrite's `formatCells`: the `=` of consecutive
//! lines that have an assign cell line up one column past the longest
//! lead, then the trailing comments of consecutive lines that have one
//! line up one column past the longest lead-plus-assign. Any line without
//! the cell (a blank line, a whole-line comment, a block header) ends a run.

use std::ops::Range;

use super::lines::FormatLine;
use super::token::{columns, Token};

pub(super) fn align_cells(tokens: &mut [Token<'_>], lines: &[FormatLine]) {
    // Assignments first: moving an `=` moves the comment after it.
    align_runs(
        tokens,
        lines,
        |line| line.assign.as_ref().map(|a| a.start),
        |line| line.lead.clone(),
    );
    align_runs(
        tokens,
        lines,
        |line| line.comment,
        |line| line.lead.start..line.assign.as_ref().map_or(line.lead.end, |a| a.end),
    );
}

/// Aligns the token `cell_start(line)` across each run of consecutive lines
/// that have one; `prefix(line)` is what precedes it on its line.
fn align_runs(
    tokens: &mut [Token<'_>],
    lines: &[FormatLine],
    cell_start: impl Fn(&FormatLine) -> Option<usize>,
    prefix: impl Fn(&FormatLine) -> Range<usize>,
) {
    let width = |tokens: &[Token<'_>], line: &FormatLine| {
        columns(tokens.get(prefix(line)).unwrap_or_default())
    };
    for run in lines.split(|line| cell_start(line).is_none()) {
        let widest = run
            .iter()
            .map(|line| width(tokens, line))
            .max()
            .unwrap_or(0);
        for line in run {
            let spaces = widest.saturating_sub(width(tokens, line)) + 1;
            if let Some(token) = cell_start(line).and_then(|i| tokens.get_mut(i)) {
                token.spaces_before = spaces;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fmt::layout;
    use crate::fmt::lexer::lex;

    fn laid_out(src: &str) -> String {
        layout(lex(src).expect("lexes"))
    }

    #[test]
    fn whole_line_comment_breaks_an_assignment_run() {
        assert_eq!(
            laid_out("a = 1\n# note\nbbb = 2\n"),
            "a = 1\n# note\nbbb = 2\n"
        );
    }

    #[test]
    fn comments_align_after_the_aligned_equals() {
        assert_eq!(
            laid_out("a = 1 # x\nbbb = 22 # y\n"),
            "a   = 1  # x\nbbb = 22 # y\n"
        );
    }

    #[test]
    fn multi_line_values_are_not_aligned() {
        assert_eq!(
            laid_out("a = [\n1,\n]\nbbb = 2\n"),
            "a = [\n  1,\n]\nbbb = 2\n"
        );
    }
}
