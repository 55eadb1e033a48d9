//! oci-client's errors sorted into what the catalog tells a user: the
//! registry cannot be reached, it refused the credentials (naming which
//! ones were tried), the thing asked for is not there, or anything else
//! the registry said.

use crate::error::CatalogError;
use oci_client::errors::{OciDistributionError as E, OciEnvelope, OciErrorCode};

/// What a failed call amounts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Unreachable,
    Denied,
    /// 404, `MANIFEST_UNKNOWN`, `NAME_UNKNOWN`, `BLOB_UNKNOWN`.
    NotFound,
    /// The registry computed another digest than the one given.
    DigestInvalid,
    Other,
}

pub fn kind(e: &E) -> Kind {
    match e {
        E::RequestError(r) if r.is_connect() || r.is_timeout() => Kind::Unreachable,
        E::RequestError(r) => r.status().map_or(Kind::Other, |s| status_kind(s.as_u16())),
        E::UnauthorizedError { .. } | E::AuthenticationFailure(_) => Kind::Denied,
        E::ImageManifestNotFoundError(_) => Kind::NotFound,
        E::RegistryError { envelope, .. } => envelope_kind(envelope).unwrap_or(Kind::Other),
        // Uploads and manifest pushes report the registry's error
        // envelope as a plain message.
        E::ServerError { code, message, .. } => serde_json::from_str::<OciEnvelope>(message)
            .ok()
            .and_then(|env| envelope_kind(&env))
            .unwrap_or_else(|| status_kind(*code)),
        _ => Kind::Other,
    }
}

/// What the error codes of a registry's answer say; `None` for codes
/// with no meaning here.
fn envelope_kind(envelope: &OciEnvelope) -> Option<Kind> {
    let has = |f: fn(&OciErrorCode) -> bool| envelope.errors.iter().any(|e| f(&e.code));
    if has(|c| matches!(c, OciErrorCode::Unauthorized | OciErrorCode::Denied)) {
        Some(Kind::Denied)
    } else if has(|c| matches!(c, OciErrorCode::DigestInvalid)) {
        Some(Kind::DigestInvalid)
    } else if has(|c| {
        matches!(
            c,
            OciErrorCode::ManifestUnknown
                | OciErrorCode::NameUnknown
                | OciErrorCode::BlobUnknown
                | OciErrorCode::NotFound
        )
    }) {
        Some(Kind::NotFound)
    } else {
        None
    }
}

pub fn status_kind(code: u16) -> Kind {
    match code {
        401 | 403 => Kind::Denied,
        404 => Kind::NotFound,
        _ => Kind::Other,
    }
}

/// An error and its causes on one line: reqwest's own message is only
/// "error sending request for url (…)"; the reason ("Connection refused")
/// is further down the chain.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let s_text = s.to_string();
        if !out.contains(&s_text) {
            out.push_str(": ");
            out.push_str(&s_text);
        }
        cur = s.source();
    }
    out
}

/// Where errors are reported from: the store and the credentials used.
pub struct Ctx<'a> {
    pub location: &'a str,
    pub creds: &'a str,
}

impl Ctx<'_> {
    pub fn error(&self, what: &str, e: &E) -> CatalogError {
        self.of_kind(kind(e), what, &chain(e))
    }

    pub fn of_kind(&self, kind: Kind, what: &str, why: &str) -> CatalogError {
        let location = self.location.to_owned();
        match kind {
            Kind::Unreachable => CatalogError::Unreachable {
                location,
                why: format!("{what}: {why}"),
            },
            Kind::Denied => CatalogError::Denied {
                location,
                why: format!("{what}: {why}; credentials tried: {}", self.creds),
            },
            Kind::NotFound | Kind::DigestInvalid | Kind::Other => CatalogError::Registry {
                location,
                why: format!("{what}: {why}"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_sort_into_kinds() {
        let server = |code| E::ServerError {
            code,
            url: "u".into(),
            message: String::new(),
        };
        assert_eq!(kind(&server(401)), Kind::Denied);
        assert_eq!(kind(&server(403)), Kind::Denied);
        assert_eq!(kind(&server(404)), Kind::NotFound);
        assert_eq!(kind(&server(500)), Kind::Other);
        assert_eq!(
            kind(&E::UnauthorizedError { url: "u".into() }),
            Kind::Denied
        );
    }

    #[test]
    fn registry_envelopes_sort_by_code() {
        let env = |code: &str| {
            let body = format!(r#"{{"errors":[{{"code":"{code}","message":"m"}}]}}"#);
            match serde_json::from_str(&body) {
                Ok(envelope) => E::RegistryError {
                    envelope,
                    url: "u".into(),
                },
                Err(e) => E::GenericError(Some(e.to_string())),
            }
        };
        assert_eq!(kind(&env("MANIFEST_UNKNOWN")), Kind::NotFound);
        assert_eq!(kind(&env("NAME_UNKNOWN")), Kind::NotFound);
        assert_eq!(kind(&env("DENIED")), Kind::Denied);
        assert_eq!(kind(&env("DIGEST_INVALID")), Kind::DigestInvalid);
        assert_eq!(kind(&env("MANIFEST_INVALID")), Kind::Other);
    }

    #[test]
    fn denied_names_the_credentials() {
        let ctx = Ctx {
            location: "oci://r/p",
            creds: "KILN_CATALOG_USERNAME/KILN_CATALOG_PASSWORD (user u)",
        };
        let e = ctx.of_kind(Kind::Denied, "list tags", "401");
        assert!(e.to_string().contains("KILN_CATALOG_USERNAME"), "{e}");
    }
}
