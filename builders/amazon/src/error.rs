//! The builder's errors. An EC2 error names the operation and AWS's own
//! error code, so a user can look it up or fix the IAM policy.

use kiln_core::BuildError;

#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    /// EC2 refused a call: `Operation: Code: message`.
    #[error("{op}: {code}: {message}")]
    Api {
        op: &'static str,
        code: String,
        message: String,
    },
    /// The call did not get an answer from EC2 (network, TLS, timeout).
    #[error("{op}: {detail}")]
    Transport { op: &'static str, detail: String },
    /// The build was cancelled while a call or a wait was under way.
    #[error("cancelled")]
    Cancelled,
    /// A wait ran out of attempts.
    #[error("exceeded wait attempts ({attempts}) waiting for {what}")]
    WaitExhausted { what: String, attempts: u32 },
    /// A wait saw a state it cannot come back from.
    #[error("{what} reached state {state:?}{reason}")]
    WaitFailed {
        what: String,
        state: String,
        reason: String,
    },
    /// EC2 answered without a value the builder needs.
    #[error("{op}: the response has no {field}")]
    Missing {
        op: &'static str,
        field: &'static str,
    },
    /// No tokio runtime could be started for the SDK.
    #[error("cannot start the AWS SDK runtime: {0}")]
    Runtime(String),
    /// `user_data_file` could not be read.
    #[error("Problem reading user data file: {0}")]
    UserData(String),
}

impl AwsError {
    /// AWS's error code, if EC2 answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            AwsError::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.code().is_some_and(|c| c.ends_with(".NotFound"))
    }
}

impl From<AwsError> for BuildError {
    fn from(e: AwsError) -> BuildError {
        match e {
            AwsError::Cancelled => BuildError::Cancelled,
            other => BuildError::failed(other),
        }
    }
}

/// A step failure with Packer's wording: `"{context}: {error}"`, already
/// shown to the user. A cancellation stays a cancellation.
pub fn fail(ctx: &kiln_core::BuildCtx<'_>, context: &str, e: AwsError) -> BuildError {
    if matches!(e, AwsError::Cancelled) {
        return BuildError::Cancelled;
    }
    let msg = format!("{context}: {e}");
    ctx.ui.error(&msg);
    BuildError::msg(msg)
}
