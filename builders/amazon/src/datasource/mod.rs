//! The Amazon data sources: `amazon-ami`, `amazon-parameterstore` and
//! `amazon-secretsmanager`, with amazon-ebs's access fields and session.

pub mod ami;
mod error;
pub mod parameterstore;
pub mod secretsmanager;

pub use error::DataFailure;

use crate::access::AccessFields;
use crate::error::AmazonError;
use crate::session::Session;
use std::sync::Arc;

/// A session for one data source, checked as amazon-ebs checks its own:
/// a region must resolve, and so must credentials unless
/// `skip_credential_validation` says otherwise.
fn open(access: &AccessFields) -> Result<(Arc<Session>, String), DataFailure> {
    let session = Session::open(&access.access()).map_err(DataFailure::Aws)?;
    let Some(region) = session.region() else {
        return Err(AmazonError::NoRegion.into());
    };
    if !access.skip_credential_validation() && !session.credentials_resolve() {
        return Err(AmazonError::NoCredentials.into());
    }
    Ok((session, region))
}
