//! The parse check `packer fmt` makes before formatting: a file that does
//! not parse is reported, never rewritten.

use super::error::FormatError;

/// Parses `src` (which starts at byte `base` of the original source) as a
/// config body with hcl-edit, kiln's HCL parser.
pub(super) fn check(src: &str, base: usize) -> Result<(), FormatError> {
    hcl_edit::parser::parse_body(src)
        .map(drop)
        .map_err(|err| FormatError::Syntax {
            offset: base + err.location().offset(),
            message: err.message().to_owned(),
        })
}
