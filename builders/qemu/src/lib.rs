//! kiln's QEMU builder (`source "qemu"`, Packer's `transcend.qemu`).

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod bootcmd;
pub mod download;
pub mod floppy;
pub mod http;
pub mod qmp;
