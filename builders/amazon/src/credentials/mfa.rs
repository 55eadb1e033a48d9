//! `mfa_code`: the one-time code of the MFA device the selected profile
//! names in `mfa_serial`, as Packer hands it to aws-sdk-go's
//! `AssumeRoleTokenProvider`. It goes with the AssumeRole of
//! `assume_role {}`, else with the AssumeRole of a profile that has
//! `role_arn` (its `source_profile` giving the base credentials), else
//! with STS GetSessionToken on the base credentials.

use super::assume_role::RoleRequest;
use super::profile_files::ProfileSettings;
use super::CredentialsError as Error;
use aws_credential_types::provider::{self, error::CredentialsError, future, ProvideCredentials};
use aws_credential_types::Credentials;
use aws_sdk_sts::error::DisplayErrorContext;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// The MFA fields of an STS request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mfa {
    pub serial: String,
    pub code: String,
}

/// Where the MFA code goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MfaPlan {
    /// With the template's `assume_role` request.
    WithAssumeRole(Mfa),
    /// AssumeRole of the profile's role, on the credentials of its
    /// `source_profile`.
    ProfileRole {
        source_profile: String,
        request: RoleRequest,
    },
    /// GetSessionToken on the base credentials.
    SessionToken(Mfa),
}

/// Decide where `code` goes, given the selected profile and whether the
/// template has `assume_role`.
pub fn plan(
    code: &str,
    profile: &ProfileSettings,
    has_assume_role: bool,
) -> Result<MfaPlan, Error> {
    let Some(serial) = profile.mfa_serial.clone() else {
        return Err(Error::NoMfaSerial {
            profile: profile.name.clone(),
        });
    };
    let mfa = Mfa {
        serial,
        code: code.to_owned(),
    };
    if has_assume_role {
        return Ok(MfaPlan::WithAssumeRole(mfa));
    }
    if let Some(role_arn) = profile.role_arn.clone() {
        let Some(source_profile) = profile.source_profile.clone() else {
            return Err(Error::NoSourceProfile {
                profile: profile.name.clone(),
            });
        };
        return Ok(MfaPlan::ProfileRole {
            source_profile,
            request: RoleRequest {
                role_arn,
                session_name: profile.role_session_name.clone(),
                external_id: profile.external_id.clone(),
                mfa: Some(mfa),
                ..RoleRequest::default()
            },
        });
    }
    Ok(MfaPlan::SessionToken(mfa))
}

/// Temporary credentials from GetSessionToken with the MFA code.
#[derive(Debug)]
pub struct SessionTokenProvider {
    sts: aws_sdk_sts::Client,
    mfa: Mfa,
    memo: Memo,
}

impl SessionTokenProvider {
    pub fn new(sts: aws_sdk_sts::Client, mfa: Mfa) -> SessionTokenProvider {
        SessionTokenProvider {
            sts,
            mfa,
            memo: Memo::default(),
        }
    }

    async fn get(&self) -> provider::Result {
        if let Some(c) = self.memo.get() {
            return Ok(c);
        }
        let out = self
            .sts
            .get_session_token()
            .serial_number(&self.mfa.serial)
            .token_code(&self.mfa.code)
            .send()
            .await
            .map_err(|e| {
                CredentialsError::provider_error(format!(
                    "GetSessionToken: {}",
                    DisplayErrorContext(&e)
                ))
            })?;
        let c = out.credentials().ok_or_else(|| {
            CredentialsError::provider_error("GetSessionToken: the response has no Credentials")
        })?;
        let creds = from_sts(c, "kiln-mfa-session");
        self.memo.put(&creds);
        Ok(creds)
    }
}

impl ProvideCredentials for SessionTokenProvider {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(self.get())
    }
}

/// STS's credentials as the SDK's.
pub(super) fn from_sts(c: &aws_sdk_sts::types::Credentials, source: &'static str) -> Credentials {
    Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned()),
        SystemTime::try_from(*c.expiration()).ok(),
        source,
    )
}

/// The last credentials an STS call gave, until five minutes before they
/// expire: an MFA code is good for one call, and the credential check
/// before the build and the first EC2 call must not spend it twice.
#[derive(Debug, Default)]
pub struct Memo(Mutex<Option<Credentials>>);

impl Memo {
    pub fn get(&self) -> Option<Credentials> {
        let guard = self.0.lock().ok()?;
        let c = guard.as_ref()?;
        let fresh = c
            .expiry()
            .is_none_or(|e| e > SystemTime::now() + Duration::from_secs(300));
        fresh.then(|| c.clone())
    }

    pub fn put(&self, c: &Credentials) {
        if let Ok(mut g) = self.0.lock() {
            *g = Some(c.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(serial: Option<&str>, role: Option<&str>) -> ProfileSettings {
        ProfileSettings {
            name: "build".into(),
            mfa_serial: serial.map(str::to_owned),
            role_arn: role.map(str::to_owned),
            source_profile: Some("base".into()),
            external_id: Some("x".into()),
            role_session_name: None,
        }
    }

    #[test]
    fn the_code_goes_where_packer_sends_it() {
        let mfa = Mfa {
            serial: "arn:aws:iam::1:mfa/me".into(),
            code: "123456".into(),
        };
        assert_eq!(
            plan(
                "123456",
                &profile(Some("arn:aws:iam::1:mfa/me"), None),
                true
            )
            .unwrap(),
            MfaPlan::WithAssumeRole(mfa.clone())
        );
        assert_eq!(
            plan(
                "123456",
                &profile(Some("arn:aws:iam::1:mfa/me"), None),
                false
            )
            .unwrap(),
            MfaPlan::SessionToken(mfa.clone())
        );
        match plan(
            "123456",
            &profile(Some("arn:aws:iam::1:mfa/me"), Some("arn:aws:iam::2:role/r")),
            false,
        )
        .unwrap()
        {
            MfaPlan::ProfileRole {
                source_profile,
                request,
            } => {
                assert_eq!(source_profile, "base");
                assert_eq!(request.role_arn, "arn:aws:iam::2:role/r");
                assert_eq!(request.external_id.as_deref(), Some("x"));
                assert_eq!(request.mfa, Some(mfa));
            }
            other => panic!("{other:?}"),
        }
        let e = plan("1", &profile(None, None), false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "mfa_code is set, but profile \"build\" names no mfa_serial (the MFA device's serial number or ARN)"
        );
    }

    #[test]
    fn the_memo_forgets_credentials_about_to_expire() {
        let m = Memo::default();
        assert!(m.get().is_none());
        let soon = Credentials::new(
            "a",
            "b",
            None,
            Some(SystemTime::now() + Duration::from_secs(60)),
            "t",
        );
        m.put(&soon);
        assert!(m.get().is_none());
        let later = Credentials::new(
            "a",
            "b",
            None,
            Some(SystemTime::now() + Duration::from_secs(3600)),
            "t",
        );
        m.put(&later);
        assert_eq!(
            m.get().map(|c| c.access_key_id().to_owned()).as_deref(),
            Some("a")
        );
    }
}
