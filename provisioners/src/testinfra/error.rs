//! What can go wrong running testinfra.

#[derive(Debug, thiserror::Error)]
pub enum TestinfraError {
    #[error("pytest with pytest-testinfra was not found (set command)")]
    NoPytest,
    #[error("cannot start {program}: {cause}")]
    Start { program: String, cause: String },
    #[error("testinfra: tests failed (pytest exit status 1)")]
    Failed,
    #[error("testinfra: no tests were collected from {0}")]
    NoTests(String),
    #[error("testinfra: pytest exited with status {0}")]
    ExitStatus(i32),
    #[error("writing the {what} for testinfra: {cause}")]
    Write {
        what: &'static str,
        cause: std::io::Error,
    },
    #[error("user: could not determine current user from environment.")]
    NoUser,
    #[error("testinfra's SSH adapter: {0}")]
    Adapter(String),
}
