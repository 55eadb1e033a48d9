//! kiln's SSH communicator, over libssh2 (the `ssh2` crate).
//!
//! - [`config`]: Packer's communicator fields, shared by every builder
//!   ([`communicator_config!`]), their checks and resolved settings.
//! - [`keypair`]: the temporary ed25519 key pair of a build.
//! - [`SshComm`]: the [`kiln_core::Communicator`]: connect (directly or
//!   through a bastion, retrying until `ssh_timeout`), exec, SCP or SFTP
//!   transfers, reconnect. libssh2 runs non-blocking on the caller's
//!   thread (`wait.rs` polls the socket), so cancellation and timeouts end
//!   any wait within a poll interval; a bastion's forwarding runs on a
//!   thread of its own.
//! - [`step`]: the connect step builders share and the `build.*` values.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod config;
pub mod keypair;

pub use config::{CommConfig, CommKind, SshSettings};
pub use keypair::KeyPair;
/// The type of the communicator's duration fields, for the configs that
/// embed them with [`communicator_config!`].
pub use kiln_gocompat::GoDuration;

mod auth;
mod bastion;
mod comm;
mod connect;
mod error;
mod exec;
mod pipe;
mod scp;
mod sftp;
mod socks;
pub mod step;
mod wait;

#[cfg(any(test, feature = "test-sshd"))]
pub mod testing;

pub use comm::SshComm;

pub use error::SshError;
/// For [`ssh_provisionable!`]'s expansion in builder crates.
#[doc(hidden)]
pub use kiln_core as __core;
pub use step::{SshState, StepConnectSsh};
