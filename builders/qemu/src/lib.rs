//! kiln's QEMU builder (`source "qemu"`, Packer's `transcend.qemu`).
//!
//! - [`config`]: Packer's fields, defaults and checks.
//! - [`builder`]: the step sequence: work directory, output directory,
//!   source, temporary key, CD or NoCloud seed (`cd`, `seed`, `media`),
//!   disks (`disk`), VM start (`vm`, `args`, `display`, `accel`, `ports`,
//!   `firmware`, `vtpm`, `vnc_password`), SSH (`connect`), provisioning, shutdown (`shutdown`,
//!   `power`), compaction and rename (`finalize`); `timing` records the
//!   time split.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod bootcmd;
pub mod download;
pub mod floppy;
pub mod http;
mod http_interface;
pub mod qmp;

mod accel;
mod args;
mod artifact;
mod boot;
mod builder;
mod cd;
pub mod config;
mod connect;
mod disk;
mod display;
mod error;
mod finalize;
mod firmware;
mod media;
mod output;
mod ports;
mod power;
mod seed;
mod shutdown;
mod snapshot;
mod source;
mod state;
mod test_overlay;
#[cfg(test)]
mod test_vm;
mod tester;
mod timing;
mod tool;
mod vm;
mod vnc_password;
mod vtpm;
mod workdir;

pub use builder::{QemuBuilder, BUILDER_ID};
pub use config::QemuConfig;
pub use error::QemuError;
