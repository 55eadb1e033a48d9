//! The SSH communicator's errors.

use kiln_core::cancel::Reason;
use kiln_core::CommError;

#[derive(Debug, thiserror::Error)]
pub enum SshError {
    #[error("cancelled")]
    Cancelled,
    /// `ssh_timeout` passed while connecting, or no data moved for
    /// `ssh_read_write_timeout`. (A token that fires is `Cancelled`,
    /// whatever its reason: its owner knows why.)
    #[error("timed out")]
    TimedOut,
    /// `ssh_timeout` passed before the machine answered: Packer's message.
    #[error("Timeout waiting for SSH.")]
    WaitTimedOut,
    /// The connection dropped.
    #[error("the connection to the machine was lost")]
    Disconnected,
    /// Authentication was refused; the text says which methods were tried.
    #[error("{0}")]
    Auth(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{context}: {}", .source.message())]
    Ssh {
        context: String,
        #[source]
        source: ssh2::Error,
    },
    /// Anything else, worded for the user.
    #[error("{0}")]
    Other(String),
}

impl SshError {
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> SshError {
        SshError::Io {
            context: context.into(),
            source,
        }
    }

    pub(crate) fn ssh(context: impl Into<String>, source: ssh2::Error) -> SshError {
        SshError::Ssh {
            context: context.into(),
            source,
        }
    }

    pub(crate) fn from_reason(r: Reason) -> SshError {
        match r {
            Reason::Cancelled => SshError::Cancelled,
            Reason::TimedOut => SshError::TimedOut,
        }
    }
}

impl From<SshError> for CommError {
    fn from(e: SshError) -> CommError {
        match e {
            SshError::Cancelled => CommError::Cancelled,
            SshError::Disconnected => CommError::Disconnected,
            SshError::Io { context, source } => CommError::Io { context, source },
            other => CommError::Other(other.to_string()),
        }
    }
}
