//! `source "qemu"`: Packer's QEMU builder fields (1.6.6 names, plus the
//! current plugin's `cd_content`, `http_content`, `floppy_content`,
//! `cpu_model`, `firmware`/`use_pflash`, `efi_*`, `sockets`/`cores`/
//! `threads`, `vga`, `vnc_password`, `vtpm`/`use_tpm1`/`tpm_device_type`,
//! `http_interface` and `boot_steps`), their defaults ([`settings`]) and checks
//! ([`validate`]).

mod disk_size;
mod settings;
mod smp;
mod validate;

pub use disk_size::normalize_disk_size;
pub use settings::{Settings, Source};
pub use smp::Smp;

use kiln_gocompat::GoDuration;
use serde::Deserialize;
use std::collections::BTreeMap;

/// `qemu_img_args { convert = […] create = […] resize = […] }`: extra
/// flags for each qemu-img subcommand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QemuImgArgs {
    pub convert: Option<Vec<String>>,
    pub create: Option<Vec<String>>,
    pub resize: Option<Vec<String>>,
}

kiln_communicator_ssh::communicator_config! {
    /// Every field of `source "qemu" "NAME" { … }`.
    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct QemuConfig {
        // ---- source media (ISOConfig)
        pub iso_url: Option<String>,
        pub iso_urls: Option<Vec<String>>,
        pub iso_checksum: Option<String>,
        pub iso_target_path: Option<String>,
        pub iso_target_extension: Option<String>,
        pub iso_skip_cache: Option<bool>,
        /// The source is a bootable disk (a cloud image), not an installer.
        pub disk_image: Option<bool>,
        /// qcow2 overlay on top of the source instead of a copy.
        pub use_backing_file: Option<bool>,
        // ---- HTTP server (HTTPConfig)
        pub http_directory: Option<String>,
        pub http_content: Option<BTreeMap<String, String>>,
        pub http_port_min: Option<u16>,
        pub http_port_max: Option<u16>,
        pub http_bind_address: Option<String>,
        /// Bind the HTTP server to this host interface's IPv4 address.
        pub http_interface: Option<String>,
        // ---- floppy and CD (FloppyConfig, CDConfig)
        pub floppy_files: Option<Vec<String>>,
        pub floppy_dirs: Option<Vec<String>>,
        pub floppy_content: Option<BTreeMap<String, String>>,
        pub floppy_label: Option<String>,
        pub cd_files: Option<Vec<String>>,
        pub cd_content: Option<BTreeMap<String, String>>,
        pub cd_label: Option<String>,
        pub cdrom_interface: Option<String>,
        // ---- boot (BootConfig, VNCConfig)
        pub boot_command: Option<Vec<String>>,
        pub boot_wait: Option<GoDuration>,
        pub boot_key_interval: Option<GoDuration>,
        /// `[keys, description]` pairs, typed in turn like `boot_command`.
        pub boot_steps: Option<Vec<Vec<String>>>,
        /// Accepted and ignored, as the qemu plugin ignores it (its keys
        /// go one at a time).
        pub boot_keygroup_interval: Option<GoDuration>,
        pub disable_vnc: Option<bool>,
        pub vnc_bind_address: Option<String>,
        pub vnc_use_password: Option<bool>,
        /// The password `vnc_use_password` sets (random when empty).
        pub vnc_password: Option<String>,
        pub vnc_port_min: Option<u16>,
        pub vnc_port_max: Option<u16>,
        pub headless: Option<bool>,
        pub display: Option<String>,
        pub use_default_display: Option<bool>,
        // ---- cloud-init (kiln only)
        /// Provision only once `cloud-init status --wait` is done.
        pub wait_for_cloud_init: Option<bool>,
        /// `cloud-init clean --logs` and an empty machine-id before the
        /// shutdown, so that each machine of the image starts afresh.
        pub cloud_init_clean: Option<bool>,
        // ---- shutdown (ShutdownConfig)
        pub shutdown_command: Option<String>,
        pub shutdown_timeout: Option<GoDuration>,
        // ---- machine
        pub accelerator: Option<String>,
        pub machine_type: Option<String>,
        pub memory: Option<u32>,
        pub cpus: Option<u32>,
        // Signed so that a negative count gets Packer's message rather
        // than a decode error.
        pub sockets: Option<i64>,
        pub cores: Option<i64>,
        pub threads: Option<i64>,
        pub vga: Option<String>,
        pub cpu_model: Option<String>,
        pub net_device: Option<String>,
        pub net_bridge: Option<String>,
        pub qemu_binary: Option<String>,
        pub qemuargs: Option<Vec<Vec<String>>>,
        pub qemu_img_args: Option<QemuImgArgs>,
        pub qmp_enable: Option<bool>,
        pub qmp_socket_path: Option<String>,
        pub firmware: Option<String>,
        /// `firmware` as a read-only pflash drive instead of `-bios`.
        pub use_pflash: Option<bool>,
        // ---- emulated TPM (swtpm)
        pub vtpm: Option<bool>,
        pub use_tpm1: Option<bool>,
        pub tpm_device_type: Option<String>,
        pub efi_boot: Option<bool>,
        pub efi_firmware_code: Option<String>,
        pub efi_firmware_vars: Option<String>,
        pub efi_drop_efivars: Option<bool>,
        // ---- disk
        pub disk_size: Option<String>,
        pub disk_additional_size: Option<Vec<String>>,
        pub disk_interface: Option<String>,
        pub disk_cache: Option<String>,
        pub disk_discard: Option<String>,
        pub disk_detect_zeroes: Option<String>,
        pub skip_resize_disk: Option<bool>,
        pub skip_compaction: Option<bool>,
        pub disk_compression: Option<bool>,
        pub format: Option<String>,
        // ---- output
        pub output_directory: Option<String>,
        pub vm_name: Option<String>,
        // ---- communicator port forwarding (the qemu CommConfig)
        pub host_port_min: Option<u16>,
        pub host_port_max: Option<u16>,
        /// Deprecated name of `host_port_min`; wins when set (Packer).
        pub ssh_host_port_min: Option<u16>,
        /// Deprecated name of `host_port_max`; wins when set (Packer).
        pub ssh_host_port_max: Option<u16>,
        pub skip_nat_mapping: Option<bool>,
        /// Accepted and ignored, as Packer does.
        pub run_once: Option<bool>,
    }
}

impl QemuConfig {
    pub(crate) fn flag(v: Option<bool>) -> bool {
        v == Some(true)
    }
}
