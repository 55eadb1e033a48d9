//! The credential, region and endpoint fields every Amazon component takes
//! (Packer's `AccessConfig`), declared once: `access_config!` adds them to
//! a config struct, so amazon-ebs and the amazon data sources accept the
//! same names and open their session through the same code.

use crate::session::Access;
use kiln_core::component::ConfigProblem;

/// Adds the access fields to a config struct and an `access_fields()`
/// accessor returning them as [`AccessFields`]. `access_config! {
/// communicator: … }` hands the struct on to `communicator_config!`, for
/// a builder that also has the communicator fields.
#[macro_export]
macro_rules! access_config {
    (communicator: $($item:tt)*) => {
        $crate::__access_config_emit! { [communicator] { $($item)* } }
    };
    ($($item:tt)*) => {
        $crate::__access_config_emit! { [plain] { $($item)* } }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __access_config_emit {
    ([$how:ident] { $(#[$meta:meta])* $vis:vis struct $name:ident { $($body:tt)* } }) => {
        $crate::__access_config_emit! {
            @$how
            $(#[$meta])* $vis struct $name { $($body)* }
            [
                access_key: Option<String>,
                secret_key: Option<String>,
                /// Session token of temporary credentials.
                token: Option<String>,
                /// A profile of the shared config and credentials files.
                profile: Option<String>,
                region: Option<String>,
                /// EC2 endpoint URL (a private endpoint, or an emulator
                /// such as moto); `AWS_ENDPOINT_URL` works too.
                custom_endpoint_ec2: Option<String>,
                skip_region_validation: Option<bool>,
                skip_credential_validation: Option<bool>,
                /// Leave the instance metadata service out of the
                /// credential chain.
                skip_metadata_api_check: Option<bool>,
                /// Retries per API call on throttling and transient
                /// errors (default 3).
                max_retries: Option<u32>,
                insecure_skip_tls_verify: Option<bool>,
                decode_authorization_messages: Option<bool>,
                /// The shared credentials file (default
                /// `~/.aws/credentials`).
                shared_credentials_file: Option<String>,
                /// A code of the MFA device the profile or `assume_role`
                /// names.
                mfa_code: Option<String>,
                assume_role: Option<$crate::config::AssumeRole>,
                vault_aws_engine: Option<$crate::config::VaultAwsEngine>,
            ]
        }
    };
    (@plain $(#[$meta:meta])* $vis:vis struct $name:ident { $($body:tt)* }
     [ $($(#[$ameta:meta])* $afield:ident : $aty:ty),* $(,)? ]) => {
        $(#[$meta])*
        $vis struct $name {
            $($(#[$ameta])* pub $afield: $aty,)*
            $($body)*
        }
        $crate::__access_config_emit! { @impl $name [ $($afield),* ] }
    };
    (@communicator $(#[$meta:meta])* $vis:vis struct $name:ident { $($body:tt)* }
     [ $($(#[$ameta:meta])* $afield:ident : $aty:ty),* $(,)? ]) => {
        kiln_communicator_ssh::communicator_config! {
            $(#[$meta])*
            $vis struct $name {
                $($(#[$ameta])* pub $afield: $aty,)*
                $($body)*
            }
        }
        $crate::__access_config_emit! { @impl $name [ $($afield),* ] }
    };
    (@impl $name:ident [ $($afield:ident),* ]) => {
        impl $name {
            /// The access fields of this config.
            pub fn access_fields(&self) -> $crate::access::AccessFields {
                $crate::access::AccessFields {
                    $($afield: ::std::clone::Clone::clone(&self.$afield),)*
                }
            }
        }
    };
}

access_config! {
    /// The access fields alone, as every Amazon component embeds them.
    #[derive(Debug, Clone, Default)]
    pub struct AccessFields {}
}

fn non_empty(v: &Option<String>) -> Option<String> {
    v.clone().filter(|s| !s.is_empty())
}

impl AccessFields {
    /// What the session is opened with.
    pub fn access(&self) -> Access {
        Access {
            access_key: non_empty(&self.access_key),
            secret_key: non_empty(&self.secret_key),
            token: non_empty(&self.token),
            profile: non_empty(&self.profile),
            region: non_empty(&self.region),
            endpoint: non_empty(&self.custom_endpoint_ec2),
            skip_metadata: self.skip_metadata_api_check == Some(true),
            max_retries: self.max_retries,
            credentials_file: non_empty(&self.shared_credentials_file),
            assume_role: self
                .assume_role
                .as_ref()
                .and_then(crate::credentials::assume_role::from_config),
            mfa_code: non_empty(&self.mfa_code),
            vault: self
                .vault_aws_engine
                .as_ref()
                .map(crate::credentials::vault::VaultRequest::from_config),
        }
    }

    pub fn skip_credential_validation(&self) -> bool {
        self.skip_credential_validation == Some(true)
    }

    /// Packer's `AccessConfig.Prepare` checks that kiln shares.
    pub fn problems(&self, out: &mut Vec<ConfigProblem>) {
        if non_empty(&self.access_key).is_some() != non_empty(&self.secret_key).is_some() {
            out.push(ConfigProblem::block(
                "`access_key` and `secret_key` must both be either set or not set.",
            ));
        }
        if let Some(v) = &self.vault_aws_engine {
            if non_empty(&self.access_key).is_some() || non_empty(&self.secret_key).is_some() {
                out.push(ConfigProblem::block(
                    "If you have set vault_aws_engine, you must not set the access_key or secret_key.",
                ));
            }
            if non_empty(&v.name).is_none() {
                out.push(ConfigProblem::field(
                    "vault_aws_engine",
                    "vault_aws_engine needs a name (the Vault role to read credentials from)",
                ));
            }
            if let Some(ttl) = non_empty(&v.ttl) {
                if kiln_communicator_ssh::GoDuration::parse(&ttl).is_err() {
                    out.push(ConfigProblem::field(
                        "vault_aws_engine",
                        format!("vault_aws_engine ttl {ttl:?} is not a duration"),
                    ));
                }
            }
        }
        if let Some(r) = &self.assume_role {
            if non_empty(&r.role_arn).is_none() {
                out.push(ConfigProblem::field(
                    "assume_role",
                    "assume_role needs a role_arn",
                ));
            }
            if let Some(d) = r.duration_seconds {
                if !(900..=43200).contains(&d) {
                    out.push(ConfigProblem::field(
                        "assume_role",
                        format!(
                            "assume_role duration_seconds must be between 900 and 43200, not {d}"
                        ),
                    ));
                }
            }
        }
    }
}
