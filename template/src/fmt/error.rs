//! Why a source could not be formatted. Every variant carries the byte
//! offset (into the original source) where the problem starts.

/// A source the formatter refuses to touch, as `packer fmt` refuses any
/// file that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("unterminated quoted string starting at byte {offset}")]
    UnterminatedString { offset: usize },
    #[error(
        "quoted string contains a newline at byte {offset}; \
         use a heredoc (<<EOT) for multi-line strings"
    )]
    NewlineInString { offset: usize },
    #[error("heredoc starting at byte {offset} has no closing `{marker}` line")]
    UnterminatedHeredoc { offset: usize, marker: String },
    #[error("template sequence starting at byte {offset} is never closed with `}}`")]
    UnterminatedTemplate { offset: usize },
    #[error("block comment starting at byte {offset} is never closed with `*/`")]
    UnterminatedComment { offset: usize },
    #[error("unexpected character {ch:?} at byte {offset}")]
    UnexpectedChar { offset: usize, ch: char },
    #[error("syntax error at byte {offset}: {message}")]
    Syntax { offset: usize, message: String },
}

impl FormatError {
    /// Byte offset of the problem in the source given to `format`.
    pub fn offset(&self) -> usize {
        match self {
            FormatError::UnterminatedString { offset }
            | FormatError::NewlineInString { offset }
            | FormatError::UnterminatedHeredoc { offset, .. }
            | FormatError::UnterminatedTemplate { offset }
            | FormatError::UnterminatedComment { offset }
            | FormatError::UnexpectedChar { offset, .. }
            | FormatError::Syntax { offset, .. } => *offset,
        }
    }
}
