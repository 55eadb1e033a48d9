//! What an evaluation needs besides the scope: the function library, the
//! source map for diagnostics, and the rules of the block being evaluated.

use crate::functions::{library, CallContext, Library};
use crate::source::SourceMap;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct EvalContext {
    pub sources: SourceMap,
    pub functions: Library,
    pub call: CallContext,
    /// `env()` is only callable in variable defaults, as in Packer.
    pub allow_env: bool,
    /// The configuration is loaded for a build (see
    /// [`LoadOptions::for_build`](crate::config::LoadOptions::for_build)).
    pub for_build: bool,
    /// `packer.versionFingerprint` for a build
    /// ([`LoadOptions::version_fingerprint`](crate::config::LoadOptions::version_fingerprint)).
    pub version_fingerprint: Option<String>,
    /// The configuration is a legacy JSON template: component bodies decode
    /// weakly (see [`EvaluatedBody::weak`](crate::decode::EvaluatedBody)).
    pub weak_decoding: bool,
}

impl EvalContext {
    pub fn new(sources: SourceMap, base_dir: PathBuf) -> EvalContext {
        EvalContext {
            sources,
            functions: library(),
            call: CallContext { base_dir },
            allow_env: false,
            for_build: false,
            version_fingerprint: None,
            weak_decoding: false,
        }
    }

    /// The same context with `env()` allowed (for variable defaults).
    #[must_use]
    pub fn with_env(&self) -> EvalContext {
        EvalContext {
            allow_env: true,
            ..self.clone()
        }
    }
}
