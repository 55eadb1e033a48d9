//! `shared_credentials_file`: the SDK's profile files with the credentials
//! file at the template's path (the config file stays `~/.aws/config`,
//! or `AWS_CONFIG_FILE`), and the few profile settings kiln reads itself
//! (`mfa_serial`, `role_arn`, `source_profile`, `external_id`,
//! `role_session_name`) for `mfa_code`.

use super::CredentialsError;
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use aws_types::os_shim_internal::{Env, Fs};
use std::borrow::Cow;

/// The profile files the session reads: `None` keeps the SDK's defaults
/// (`AWS_SHARED_CREDENTIALS_FILE`, `~/.aws/credentials`).
pub fn files(credentials_file: Option<&str>) -> Result<Option<EnvConfigFiles>, CredentialsError> {
    let Some(path) = credentials_file else {
        return Ok(None);
    };
    let expanded = expand_home(path);
    // The SDK skips a missing file silently; Packer fails on it.
    if let Err(e) = std::fs::metadata(&expanded) {
        return Err(CredentialsError::CredentialsFile {
            path: path.to_owned(),
            detail: kiln_core::go_error::path_error("stat", &expanded, &e),
        });
    }
    Ok(Some(
        EnvConfigFiles::builder()
            .include_default_config_file(true)
            .with_file(EnvConfigFileKind::Credentials, expanded)
            .build(),
    ))
}

fn expand_home(path: &str) -> String {
    match (path.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => path.to_owned(),
    }
}

/// The settings of the selected profile that kiln reads itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileSettings {
    /// The profile's name (`profile`, else `AWS_PROFILE`, else `default`).
    pub name: String,
    pub mfa_serial: Option<String>,
    pub role_arn: Option<String>,
    pub source_profile: Option<String>,
    pub external_id: Option<String>,
    pub role_session_name: Option<String>,
}

/// Read the selected profile's settings from the profile files.
pub async fn selected(
    files: Option<&EnvConfigFiles>,
    profile: Option<&str>,
) -> Result<ProfileSettings, CredentialsError> {
    let default_files;
    let files = match files {
        Some(f) => f,
        None => {
            default_files = EnvConfigFiles::default();
            &default_files
        }
    };
    let set = aws_config::profile::load(
        &Fs::real(),
        &Env::real(),
        files,
        profile.map(|p| Cow::Owned(p.to_owned())),
    )
    .await
    .map_err(|e| CredentialsError::ProfileFiles(e.to_string()))?;
    let name = set.selected_profile().to_owned();
    let get = |k: &str| {
        set.get_profile(&name)
            .and_then(|p| p.get(k))
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    Ok(ProfileSettings {
        mfa_serial: get("mfa_serial"),
        role_arn: get("role_arn"),
        source_profile: get("source_profile"),
        external_id: get("external_id"),
        role_session_name: get("role_session_name"),
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_credentials_file_is_an_error_naming_it() {
        let e = files(Some("/nonexistent/kiln-creds")).unwrap_err();
        assert!(
            e.to_string()
                == "shared_credentials_file /nonexistent/kiln-creds: stat /nonexistent/kiln-creds: no such file or directory",
            "{e}"
        );
        assert!(files(None).unwrap().is_none());
    }

    #[test]
    fn the_selected_profile_is_read_from_the_given_credentials_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("creds");
        std::fs::write(
            &path,
            "[build]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\nmfa_serial = arn:aws:iam::123456789012:mfa/me\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\n",
        )
        .unwrap();
        let f = files(path.to_str()).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let p = rt.block_on(selected(f.as_ref(), Some("build"))).unwrap();
        assert_eq!(p.name, "build");
        assert_eq!(
            p.mfa_serial.as_deref(),
            Some("arn:aws:iam::123456789012:mfa/me")
        );
        assert_eq!(
            p.role_arn.as_deref(),
            Some("arn:aws:iam::123456789012:role/r")
        );
        assert_eq!(p.source_profile.as_deref(), Some("base"));
        assert_eq!(p.external_id, None);
    }
}
