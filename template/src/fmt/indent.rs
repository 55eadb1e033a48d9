//! Indentation, as hclwrite's `formatIndent`: two spaces per level, where
//! a line opening more brackets than it closes starts one level and the
//! matching closes end it. The stack remembers how many brackets each
//! level opened, so lines like `[[` ... `]]` move just one level.

use super::lines::FormatLine;
use super::token::{Token, TokenKind};

pub(super) fn indent_lines(tokens: &mut [Token<'_>], lines: &[FormatLine]) {
    let mut levels: Vec<i32> = Vec::new();
    for line in lines {
        let Some(first) = tokens
            .get(line.lead.start)
            .filter(|_| !line.lead.is_empty())
        else {
            continue;
        };
        if first.kind == TokenKind::Newline {
            set_spaces(tokens, line.lead.start, 0);
            continue;
        }

        // Brackets inside a heredoc body do not nest the surrounding code.
        let mut net = 0;
        for token in tokens.get(line.lead.clone()).unwrap_or_default() {
            net += token.kind.bracket_change();
            if token.kind == TokenKind::OHeredoc {
                break;
            }
        }
        if let Some(assign) = &line.assign {
            net += tokens
                .get(assign.clone())
                .unwrap_or_default()
                .iter()
                .map(|t| t.kind.bracket_change())
                .sum::<i32>();
        }

        if net < 0 {
            let mut closed = -net;
            while closed > 0 {
                let Some(top) = levels.last_mut() else {
                    break;
                };
                if closed < *top {
                    *top -= closed;
                    closed = 0;
                } else {
                    closed -= *top;
                    levels.pop();
                }
            }
        }
        set_spaces(tokens, line.lead.start, 2 * levels.len());
        if net > 0 {
            levels.push(net);
        }
    }
}

fn set_spaces(tokens: &mut [Token<'_>], index: usize, spaces: usize) {
    if let Some(token) = tokens.get_mut(index) {
        token.spaces_before = spaces;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fmt::lexer::lex;
    use crate::fmt::lines::split_lines;

    fn indents(src: &str) -> Vec<usize> {
        let mut tokens = lex(src).expect("lexes");
        let lines = split_lines(&tokens);
        indent_lines(&mut tokens, &lines);
        lines
            .iter()
            .filter(|l| !l.lead.is_empty())
            .map(|l| tokens[l.lead.start].spaces_before)
            .collect()
    }

    #[test]
    fn one_level_per_line_however_many_brackets_open() {
        assert_eq!(indents("a = [{\nb = 1\n}]\nc = 2\n"), vec![0, 2, 0, 0]);
    }

    #[test]
    fn stray_closers_never_go_below_zero() {
        assert_eq!(indents("}\n}\na\n"), vec![0, 0, 0]);
    }

    #[test]
    fn heredoc_body_brackets_do_not_indent() {
        // Only the `(` counts on the first line, so the `}` line closes it.
        assert_eq!(
            indents("a = f(<<EOT\n${\nx\n}\nEOT\n)\nb\n"),
            vec![0, 2, 0, 0, 0]
        );
    }
}
