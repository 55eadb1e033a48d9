//! The expression evaluator: HCL expressions in, [`Value`]s out.
//!
//! Written on hcl-edit's tree rather than hcl-rs's `eval` because Packer
//! needs what that lacks: stateful functions (`file`, `templatefile`), lazy
//! `try`/`can`, unknown values for things only a build knows, and source
//! spans on every error.

mod call;
mod context;
mod decimal;
mod expr;
mod operators;
mod scope;
mod template;
mod traversal;
pub mod typeexpr;

pub use context::EvalContext;
pub use scope::Scope;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::source::{FileId, SourceSpan};
use crate::value::Value;
use std::ops::Range;

pub type EvalResult = Result<Value, Diagnostics>;

/// Evaluates expressions of one file (spans are relative to it).
#[derive(Debug, Clone, Copy)]
pub struct Evaluator<'a> {
    pub ctx: &'a EvalContext,
    pub file: FileId,
}

impl<'a> Evaluator<'a> {
    pub fn new(ctx: &'a EvalContext, file: FileId) -> Evaluator<'a> {
        Evaluator { ctx, file }
    }

    pub fn span(&self, range: Option<Range<usize>>) -> Option<SourceSpan> {
        range.map(|r| SourceSpan::new(self.file, r))
    }

    pub(crate) fn error(
        &self,
        summary: impl Into<String>,
        detail: impl Into<String>,
        range: Option<Range<usize>>,
    ) -> Diagnostic {
        Diagnostic::error(summary, detail).at(self.span(range))
    }
}

#[cfg(test)]
mod tests;
