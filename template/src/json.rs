//! `.pkr.json` files: HCL's JSON syntax.

use crate::diagnostic::Diagnostic;
use crate::parse::ParsedFile;
use crate::source::{SourceMap, SourceSpan};

/// Parse a JSON-syntax configuration file.
pub fn parse_json_config(sources: &SourceMap, name: &str, text: &str) -> Result<ParsedFile, Diagnostic> {
    let file = sources.add(name, text);
    Err(Diagnostic::error(
        "JSON configuration not supported yet",
        "kiln reads HCL native syntax (.pkr.hcl) files; .pkr.json support is not implemented yet.",
    )
    .at(SourceSpan::new(file, 0..0)))
}
