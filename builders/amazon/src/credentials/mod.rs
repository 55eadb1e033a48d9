//! Where a build's AWS credentials come from beyond the SDK's default
//! chain, as Packer's `AccessConfig` adds them: a credentials file at a
//! path of the template's (`shared_credentials_file`), HashiCorp Vault's
//! AWS secrets engine (`vault_aws_engine`), an STS AssumeRole on top of the
//! base credentials (`assume_role`), and an MFA code (`mfa_code`) that
//! answers the profile's `mfa_serial`. [`crate::session::Session::open`]
//! puts them together in that order.

pub mod assume_role;
pub mod mfa;
pub mod profile_files;
pub mod vault;

/// Why the credentials of a session could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// Vault answered with an error, or could not be reached.
    #[error("Error reading vault secret: {0}")]
    Vault(String),
    /// Vault has nothing at the path (its 404).
    #[error("Vault Secret does not exist at the given path.")]
    VaultNoSecret,
    /// Vault's secret lacks a field the credentials need.
    #[error("Error reading vault secret: the secret has no {0}")]
    VaultMissing(&'static str),
    /// `shared_credentials_file` names no readable file.
    #[error("shared_credentials_file {path}: {detail}")]
    CredentialsFile { path: String, detail: String },
    /// The shared config and credentials files could not be read.
    #[error("reading the AWS profile files: {0}")]
    ProfileFiles(String),
    /// `mfa_code` needs the device it is a code of.
    #[error("mfa_code is set, but profile {profile:?} names no mfa_serial (the MFA device's serial number or ARN)")]
    NoMfaSerial { profile: String },
    /// A profile's role with `mfa_serial`: kiln assumes it itself, from
    /// the credentials of its `source_profile`.
    #[error("mfa_code with profile {profile:?}: its role_arn needs a source_profile (credential_source is not supported with mfa_code)")]
    NoSourceProfile { profile: String },
}
