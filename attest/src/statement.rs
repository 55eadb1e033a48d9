//! in-toto Statement v1: what an attestation is about (its subjects, by
//! digest) and the predicate it states.

use crate::error::AttestError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";

/// A subject or dependency: in-toto's ResourceDescriptor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ResourceDescriptor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Algorithm → hex digest (`sha256`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub digest: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, serde_json::Value>,
}

impl ResourceDescriptor {
    pub fn sha256(name: impl Into<String>, hex: impl Into<String>) -> ResourceDescriptor {
        ResourceDescriptor {
            name: Some(name.into()),
            digest: BTreeMap::from([("sha256".to_owned(), hex.into())]),
            ..ResourceDescriptor::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Statement {
    #[serde(rename = "_type")]
    pub type_: String,
    pub subject: Vec<ResourceDescriptor>,
    pub predicate_type: String,
    pub predicate: serde_json::Value,
}

impl Statement {
    pub fn new(
        subject: Vec<ResourceDescriptor>,
        predicate_type: &str,
        predicate: serde_json::Value,
    ) -> Statement {
        Statement {
            type_: STATEMENT_TYPE.to_owned(),
            subject,
            predicate_type: predicate_type.to_owned(),
            predicate,
        }
    }

    pub fn parse(bytes: &[u8]) -> Result<Statement, AttestError> {
        let s: Statement =
            serde_json::from_slice(bytes).map_err(|e| AttestError::Statement(e.to_string()))?;
        if s.type_ != STATEMENT_TYPE {
            return Err(AttestError::Statement(format!(
                "_type is {:?}, not {STATEMENT_TYPE:?}",
                s.type_
            )));
        }
        Ok(s)
    }

    /// Whether one of the subjects has this sha256.
    pub fn has_subject_sha256(&self, hex: &str) -> bool {
        self.subject.iter().any(|s| {
            s.digest
                .get("sha256")
                .is_some_and(|d| d.eq_ignore_ascii_case(hex))
        })
    }
}
