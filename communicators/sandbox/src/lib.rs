//! kiln's sandbox communicator: runs commands inside an unpacked root
//! filesystem in Linux namespaces, the way a container runtime would, with
//! no daemon.
//!
//! Each [`Communicator::exec`](kiln_core::Communicator::exec) starts a
//! fresh sandbox: new mount, PID, UTS and IPC namespaces (and a network
//! one for `network = "none"`), the rootfs bind-mounted onto itself and
//! made `/` with `pivot_root`, a fresh /proc, a minimal /dev, generated
//! /etc/hosts and /etc/resolv.conf, volumes, the hostname, Docker's
//! default capabilities, then the working directory and user. The command
//! is PID 1 of its namespace: when it ends, or when the build is
//! cancelled, the kernel kills whatever it left behind. All mounts live in
//! the sandbox's private mount namespace, so none is ever visible on (or
//! left on) the host.
//!
//! Uploads and downloads work on the rootfs directly from the host, with
//! every path resolved inside it ([`root`]).

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod comm;
mod config;
mod error;
mod etc_files;
mod layout;
mod netlink;
mod plan;
pub mod root;
mod spawn;
mod supervise;
pub mod syscall;
mod transfer;
mod user;

pub use comm::{SandboxComm, DEFAULT_PATH};
pub use config::{Network, SandboxConfig, Volume};
pub use error::SandboxError;
pub use layout::{Layout, VolumeMount, DEFAULT_CAPABILITIES};
pub use plan::{replay, Op};
pub use user::{resolve as resolve_user, ExecUser};
