//! The formatter behind `kiln fmt`: rewrites HCL into the canonical layout
//! of HashiCorp's `hclwrite.Format`, which `packer fmt` uses, keeping
//! comments and never changing anything but whitespace between tokens.
//!
//! Like hclwrite it works on tokens rather than a syntax tree, in passes:
//! split into lines of cells ([`lines`]), indent by bracket nesting
//! ([`indent`]), normalise spaces between tokens ([`spacing`]), then align
//! `=` and trailing comments of neighbouring lines ([`align`]). Heredoc
//! bodies and literal template text are never touched. hcl-edit's own
//! encoder is not used because it cannot reproduce this layout.

mod align;
mod diff;
mod error;
mod indent;
mod lexer;
mod lines;
mod spacing;
mod syntax;
mod token;

#[cfg(test)]
mod cases;
#[cfg(test)]
mod properties;

pub use diff::unified_diff;
pub use error::FormatError;

/// Formats a whole `.pkr.hcl`/`.pkrvars.hcl` source. Input that does not
/// lex or parse is refused with the byte offset of the problem, as
/// `packer fmt` refuses files with syntax errors.
pub fn format(src: &str) -> Result<String, FormatError> {
    let body = src.strip_prefix('\u{feff}').unwrap_or(src);
    let tokens = lexer::lex(src)?;
    syntax::check(body, src.len() - body.len())?;
    Ok(layout(tokens))
}

/// The token passes alone, without the parse check, so fragments that are
/// not whole config files (hclwrite's own test inputs) can be laid out too.
fn layout(mut tokens: Vec<token::Token<'_>>) -> String {
    let lines = lines::split_lines(&tokens);
    indent::indent_lines(&mut tokens, &lines);
    spacing::space_lines(&mut tokens, &lines);
    align::align_cells(&mut tokens, &lines);
    token::render(&tokens)
}
