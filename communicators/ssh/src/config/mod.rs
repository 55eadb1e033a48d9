//! The communicator settings every SSH-capable builder accepts, with
//! Packer's field names (`communicator`, `ssh_host`, `ssh_timeout`, …).
//!
//! Builder configs are decoded with `deny_unknown_fields`, which serde
//! cannot combine with `#[serde(flatten)]`. So the fields are declared
//! once, in [`communicator_config!`], which pastes them into a builder's
//! own config struct and adds `fn communicator_config(&self) ->
//! CommConfig`; [`CommConfig`] (made by the same macro) carries the checks
//! ([`CommConfig::problems`]) and the conversion to connection settings
//! ([`CommConfig::ssh_settings`]).

mod key_file;
mod settings;
mod validate;
mod winrm;

pub use key_file::{check_private_key_file, expand_user};
pub use settings::{Bastion, Proxy, SshSettings, Transfer};

/// Declares a config struct with the builder's own fields followed by
/// every communicator field, and `fn communicator_config(&self) ->
/// CommConfig`.
///
/// ```
/// kiln_communicator_ssh::communicator_config! {
///     #[derive(Debug, Clone, Default, serde::Deserialize)]
///     #[serde(deny_unknown_fields)]
///     pub struct QemuConfig {
///         pub iso_url: Option<String>,
///     }
/// }
/// let c = QemuConfig {
///     ssh_host: Some("10.0.2.15".into()),
///     ..QemuConfig::default()
/// };
/// assert_eq!(c.communicator_config().ssh_host.as_deref(), Some("10.0.2.15"));
/// ```
#[macro_export]
macro_rules! communicator_config {
    ($($item:tt)*) => {
        $crate::__communicator_config_emit! {
            { $($item)* }
            [
                /// `ssh` (Packer's default), `none`; `winrm` is refused by
                /// `problems` (see `winrm.rs` for the `winrm_*` fields).
                communicator: Option<String>,
                /// Wait this long after the first successful connection,
                /// then connect again.
                pause_before_connecting: Option<$crate::GoDuration>,
                ssh_host: Option<String>,
                /// Defaults to 22.
                ssh_port: Option<u16>,
                ssh_username: Option<String>,
                ssh_password: Option<String>,
                ssh_keypair_name: Option<String>,
                temporary_key_pair_name: Option<String>,
                /// Only `ed25519` in kiln.
                temporary_key_pair_type: Option<String>,
                temporary_key_pair_bits: Option<u32>,
                /// Preferred ciphers, in order.
                ssh_ciphers: Option<Vec<String>>,
                ssh_clear_authorized_keys: Option<bool>,
                /// Preferred key exchange algorithms, in order.
                ssh_key_exchange_algorithms: Option<Vec<String>>,
                ssh_private_key_file: Option<String>,
                ssh_certificate_file: Option<String>,
                ssh_pty: Option<bool>,
                /// How long to wait for SSH (default 5m).
                ssh_timeout: Option<$crate::GoDuration>,
                /// Deprecated name of `ssh_timeout`; wins when set.
                ssh_wait_timeout: Option<$crate::GoDuration>,
                ssh_agent_auth: Option<bool>,
                ssh_disable_agent_forwarding: Option<bool>,
                /// Authentication failures tolerated (default 10).
                ssh_handshake_attempts: Option<u32>,
                ssh_bastion_host: Option<String>,
                ssh_bastion_port: Option<u16>,
                ssh_bastion_agent_auth: Option<bool>,
                ssh_bastion_username: Option<String>,
                ssh_bastion_password: Option<String>,
                ssh_bastion_interactive: Option<bool>,
                ssh_bastion_private_key_file: Option<String>,
                ssh_bastion_certificate_file: Option<String>,
                /// `scp` (default) or `sftp`.
                ssh_file_transfer_method: Option<String>,
                ssh_proxy_host: Option<String>,
                ssh_proxy_port: Option<u16>,
                ssh_proxy_username: Option<String>,
                ssh_proxy_password: Option<String>,
                /// Default 5s; negative disables.
                ssh_keep_alive_interval: Option<$crate::GoDuration>,
                /// Give up on a command that moves no data for this long.
                ssh_read_write_timeout: Option<$crate::GoDuration>,
                ssh_remote_tunnels: Option<Vec<String>>,
                ssh_local_tunnels: Option<Vec<String>>,
                // Packer's WinRM fields, accepted so that a Windows
                // template gets one clear "not supported" error rather
                // than an "unexpected argument" per field.
                winrm_username: Option<String>,
                winrm_password: Option<String>,
                winrm_host: Option<String>,
                winrm_no_proxy: Option<bool>,
                winrm_port: Option<u16>,
                winrm_timeout: Option<$crate::GoDuration>,
                winrm_use_ssl: Option<bool>,
                winrm_insecure: Option<bool>,
                winrm_use_ntlm: Option<bool>,
            ]
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __communicator_config_emit {
    (
        {
            $(#[$meta:meta])*
            $vis:vis struct $name:ident {
                $($(#[$fmeta:meta])* $fvis:vis $field:ident : $fty:ty),* $(,)?
            }
        }
        [ $($(#[$cmeta:meta])* $cfield:ident : $cty:ty),* $(,)? ]
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $($(#[$fmeta])* $fvis $field: $fty,)*
            $($(#[$cmeta])* pub $cfield: $cty,)*
        }

        impl $name {
            /// The communicator fields of this config.
            pub fn communicator_config(&self) -> $crate::CommConfig {
                $crate::CommConfig {
                    $($cfield: ::std::clone::Clone::clone(&self.$cfield),)*
                }
            }
        }
    };
}

communicator_config! {
    /// The communicator fields alone, as every builder embeds them.
    #[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct CommConfig {}
}

/// How a build reaches its machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommKind {
    Ssh,
    None,
}

impl CommConfig {
    /// The `communicator` field, `ssh` when unset (Packer's default).
    pub fn kind_name(&self) -> &str {
        self.communicator.as_deref().unwrap_or("ssh")
    }

    /// `None` for a communicator kiln does not have (reported by
    /// [`CommConfig::problems`]).
    pub fn kind(&self) -> Option<CommKind> {
        match self.kind_name() {
            "ssh" | "" => Some(CommKind::Ssh),
            "none" => Some(CommKind::None),
            _ => None,
        }
    }
}
