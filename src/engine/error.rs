//! What the engine itself can fail with while a build runs (the
//! components bring their own errors).

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Planning again with the builder's `build.*` values found problems
    /// (diagnostics rendered and masked).
    #[error("{0}")]
    Replan(String),
    /// The build's block is gone from the configuration it was planned from.
    #[error("build {0:?} disappeared from the configuration")]
    BuildVanished(String),
    /// The same, for a test block.
    #[error("test {0:?} is no longer in the template after evaluating it with the test machine's values")]
    TestVanished(String),
    /// A provisioner's body, now fully known, does not validate
    /// (diagnostics rendered and masked).
    #[error("{0}")]
    Provisioner(String),
    #[error("unknown provisioner type {0:?}")]
    UnknownProvisioner(String),
    /// A `test` block for a builder that cannot start its artifacts.
    #[error("the {0} builder cannot start its artifacts for test blocks yet")]
    NoTester(String),
    #[error("no artifact of an earlier {0} build to test: run kiln build first")]
    NoExistingArtifact(String),
    #[error("test {name:?} failed: {cause}")]
    TestFailed { name: String, cause: String },
}
