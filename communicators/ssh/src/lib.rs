//! kiln's SSH communicator, over libssh2 (the `ssh2` crate).
//!
//! - [`config`]: Packer's communicator fields, shared by every builder
//!   ([`communicator_config!`]), their checks and resolved settings.
//! - [`keypair`]: the temporary ed25519 key pair of a build.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod config;
pub mod keypair;

pub use config::{CommConfig, CommKind, SshSettings};
pub use keypair::KeyPair;

mod auth;
mod bastion;
mod comm;
mod connect;
mod error;
mod exec;
mod pipe;
mod scp;
mod sftp;
mod wait;

#[cfg(any(test, feature = "test-sshd"))]
pub mod testing;

pub use comm::SshComm;
pub use error::SshError;
