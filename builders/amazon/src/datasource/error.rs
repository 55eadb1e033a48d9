//! Why an Amazon data source could not produce its outputs, worded as the
//! Packer plugin words it.

use crate::error::{AmazonError, AwsError};
use kiln_core::datasource::DataSourceError;

#[derive(Debug, thiserror::Error)]
pub enum DataFailure {
    /// The session, the region, the credentials or the AMI lookup.
    #[error(transparent)]
    Amazon(#[from] AmazonError),
    #[error(transparent)]
    Aws(AwsError),
    #[error("The parameter name {0:?} not found")]
    ParameterNotFound(String),
    #[error("The parameter version {0:?} not found")]
    ParameterVersionNotFound(String),
    #[error("error to get parameter value: {0}")]
    Parameter(AwsError),
    #[error("Secrets Manager Secret {name:?} Version {version:?} not found")]
    SecretNotFound { name: String, version: String },
    #[error("error reading Secrets Manager Secret Version: {0}")]
    Secret(AwsError),
    /// The secret is a JSON object without the `key` asked for.
    #[error("error to get secret value: the secret {name:?} has no key {key:?}")]
    NoSuchKey { name: String, key: String },
    /// The key's value is neither a string nor a number.
    #[error("error to get secret value: \"Unsupported secret value type: {0}\"")]
    SecretValueType(&'static str),
}

impl DataFailure {
    fn cancelled(&self) -> bool {
        matches!(
            self,
            DataFailure::Aws(AwsError::Cancelled)
                | DataFailure::Parameter(AwsError::Cancelled)
                | DataFailure::Secret(AwsError::Cancelled)
                | DataFailure::Amazon(AmazonError::Call {
                    source: AwsError::Cancelled,
                    ..
                })
        )
    }
}

impl From<DataFailure> for DataSourceError {
    fn from(e: DataFailure) -> DataSourceError {
        if e.cancelled() {
            DataSourceError::Cancelled
        } else {
            DataSourceError::Failed(e.to_string())
        }
    }
}
