//! kiln-template: the HCL2 front end.
//!
//! Reads `.pkr.hcl`/`.pkr.json` files, evaluates variables, locals and
//! expressions with Packer's function library, and decodes evaluated blocks
//! into whatever typed config a component asks for. It knows nothing about
//! builders and never touches the network.

pub mod decode;
pub mod diagnostic;
pub mod fmt;
pub mod functions;
pub mod legacy;
pub mod legacy_json;
pub mod source;
pub mod value;

pub use diagnostic::{Diagnostic, Diagnostics, Severity};
pub use source::{FileId, SourceMap, SourceSpan};
pub use value::{Type, Value};
pub mod config;
pub mod eval;
pub mod parse;

mod json;
pub mod plan;
