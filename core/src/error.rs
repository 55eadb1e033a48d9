//! The error every step, provisioner and post-processor returns to the
//! engine. Components keep their own thiserror enums and wrap them here, so
//! the engine can tell a cancellation or a timeout from a failure.

use crate::cancel::Reason;
use std::time::Duration;

pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Build was cancelled
    #[error("Build was cancelled")]
    Cancelled,
    /// A `timeout` meta-argument (or a component's own timeout) passed.
    #[error("timeout after {}", crate::duration::go_duration(*.0))]
    TimedOut(Duration),
    #[error(transparent)]
    Failed(BoxError),
}

impl BuildError {
    /// Wrap a component error.
    pub fn failed(e: impl Into<BoxError>) -> BuildError {
        BuildError::Failed(e.into())
    }

    /// The error for a fired cancellation token. `limit` is the timeout
    /// that applied, if any.
    pub fn from_reason(r: Reason, limit: Option<Duration>) -> BuildError {
        match (r, limit) {
            (Reason::TimedOut, Some(d)) => BuildError::TimedOut(d),
            (Reason::TimedOut, None) => BuildError::TimedOut(Duration::ZERO),
            (Reason::Cancelled, _) => BuildError::Cancelled,
        }
    }

    pub fn is_cancelled(&self) -> bool {
        matches!(self, BuildError::Cancelled)
    }
}

/// Something a seam's default implementation cannot do: a bug in the
/// component that asked, not something a user can fix.
#[derive(Debug, thiserror::Error)]
#[error("internal error: {0} is not supported here")]
pub struct Unsupported(pub &'static str);
