//! The config with Packer's defaults applied, once the build's name is
//! known: what the steps work from.

use super::disk_size::normalize_disk_size;
use super::{QemuConfig, QemuImgArgs, Smp};
use kiln_gocompat::GoDuration;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// Where the VM's first disk (or installer) comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// `iso_urls`, or `iso_url` alone; tried in order.
    pub urls: Vec<String>,
    /// `iso_checksum` as written (`sha256:…`, `file:…`, `none`, bare hex).
    pub checksum: String,
    pub target_path: Option<String>,
    pub target_extension: String,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub source: Source,
    pub disk_image: bool,
    pub use_backing_file: bool,
    /// `None`: probe for KVM at run time.
    pub accelerator: Option<String>,
    pub machine_type: String,
    pub memory: u32,
    pub cpus: u32,
    /// `cpus` with `sockets`/`cores`/`threads` as written, for `-smp`.
    pub smp: Smp,
    pub cpu_model: Option<String>,
    pub vga: Option<String>,
    pub net_device: String,
    pub net_bridge: Option<String>,
    pub qemu_binary: String,
    pub qemuargs: Vec<Vec<String>>,
    pub img_args: QemuImgArgs,
    pub disk_size: String,
    pub additional_disks: Vec<String>,
    pub disk_interface: String,
    pub disk_cache: String,
    pub disk_discard: String,
    pub detect_zeroes: String,
    pub skip_resize_disk: bool,
    pub skip_compaction: bool,
    pub disk_compression: bool,
    pub format: String,
    pub cdrom_interface: Option<String>,
    pub output_dir: PathBuf,
    pub vm_name: String,
    pub host_port_min: u16,
    pub host_port_max: u16,
    pub skip_nat_mapping: bool,
    pub vnc_bind_address: String,
    pub vnc_port_min: u16,
    pub vnc_port_max: u16,
    pub vnc_use_password: bool,
    pub vnc_password: Option<String>,
    pub disable_vnc: bool,
    pub headless: bool,
    pub display: Option<String>,
    pub use_default_display: bool,
    pub wait_for_cloud_init: bool,
    pub cloud_init_clean: bool,
    pub shutdown_command: Option<String>,
    pub shutdown_timeout: Duration,
    pub boot_wait: Duration,
    pub boot_command: Vec<String>,
    /// `boot_steps`: keys and the description printed before them.
    pub boot_steps: Vec<(String, Option<String>)>,
    pub boot_key_interval: Option<Duration>,
    pub http_directory: Option<String>,
    pub http_content: BTreeMap<String, String>,
    pub http_port_min: u16,
    pub http_port_max: u16,
    pub http_bind_address: String,
    pub http_interface: Option<String>,
    pub floppy_files: Vec<String>,
    pub floppy_dirs: Vec<String>,
    pub floppy_content: BTreeMap<String, String>,
    pub floppy_label: String,
    pub cd_files: Vec<String>,
    pub cd_content: BTreeMap<String, String>,
    pub cd_label: Option<String>,
    /// `qmp_socket_path` when the user wants the socket somewhere known.
    pub qmp_socket_path: Option<PathBuf>,
    pub firmware: Option<String>,
    pub use_pflash: bool,
    pub vtpm: bool,
    pub use_tpm1: bool,
    /// `tpm_device_type`, default `tpm-tis`.
    pub tpm_device_type: String,
    pub efi_boot: bool,
    pub efi_firmware_code: Option<String>,
    pub efi_firmware_vars: Option<String>,
    pub efi_drop_efivars: bool,
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref().filter(|s| !s.is_empty()).map(str::to_owned)
}

fn or(v: &Option<String>, default: &str) -> String {
    text(v).unwrap_or_else(|| default.to_owned())
}

/// A CPU topology count; unset, zero and negative (reported by
/// `validate`) all mean "not given".
fn count(v: Option<i64>) -> u32 {
    v.and_then(|n| u32::try_from(n).ok()).unwrap_or(0)
}

/// The configured duration (a negative one is no wait), else `default`.
fn dur(v: Option<GoDuration>, default: Duration) -> Duration {
    v.map_or(default, GoDuration::as_std)
}

impl QemuConfig {
    /// Defaults applied for the build whose source is named `source_name`.
    /// Malformed values have been reported by `validate` already; here
    /// they fall back to the defaults.
    pub fn settings(&self, source_name: &str) -> Settings {
        let f = QemuConfig::flag;
        let urls = match &self.iso_urls {
            Some(u) if !u.is_empty() => u.clone(),
            _ => text(&self.iso_url).into_iter().collect(),
        };
        let format = or(&self.format, "qcow2");
        let qcow2 = format == "qcow2";
        let use_backing_file = f(self.use_backing_file);
        let host_port_min = self
            .ssh_host_port_min
            .filter(|p| *p != 0)
            .or(self.host_port_min.filter(|p| *p != 0))
            .unwrap_or(2222);
        let host_port_max = self
            .ssh_host_port_max
            .filter(|p| *p != 0)
            .or(self.host_port_max.filter(|p| *p != 0))
            .unwrap_or(4444);
        Settings {
            source: Source {
                urls,
                checksum: if f(self.iso_skip_cache) {
                    "none".into()
                } else {
                    self.iso_checksum.clone().unwrap_or_default()
                },
                target_path: text(&self.iso_target_path),
                target_extension: or(&self.iso_target_extension, "iso"),
            },
            disk_image: f(self.disk_image),
            use_backing_file,
            accelerator: text(&self.accelerator),
            machine_type: or(&self.machine_type, "pc"),
            memory: self.memory.filter(|m| *m >= 10).unwrap_or(512),
            cpus: self.cpus.filter(|c| *c >= 1).unwrap_or(1),
            smp: Smp {
                cpus: self.cpus.unwrap_or(0),
                sockets: count(self.sockets),
                cores: count(self.cores),
                threads: count(self.threads),
            },
            cpu_model: text(&self.cpu_model),
            vga: text(&self.vga),
            net_device: or(&self.net_device, "virtio-net"),
            net_bridge: text(&self.net_bridge),
            qemu_binary: or(&self.qemu_binary, "qemu-system-x86_64"),
            qemuargs: self.qemuargs.clone().unwrap_or_default(),
            img_args: self.qemu_img_args.clone().unwrap_or_default(),
            disk_size: normalize_disk_size(self.disk_size.as_deref().unwrap_or(""))
                .unwrap_or_else(|| "40960M".into()),
            additional_disks: self.disk_additional_size.clone().unwrap_or_default(),
            disk_interface: or(&self.disk_interface, "virtio"),
            disk_cache: or(&self.disk_cache, "writeback"),
            disk_discard: or(&self.disk_discard, "ignore"),
            detect_zeroes: or(&self.disk_detect_zeroes, "off"),
            skip_resize_disk: f(self.skip_resize_disk),
            // Packer: only qcow2 is compacted or compressed, and an overlay
            // is never compacted (that would copy its backing file in).
            skip_compaction: f(self.skip_compaction) || !qcow2 || use_backing_file,
            disk_compression: f(self.disk_compression) && qcow2,
            format,
            cdrom_interface: text(&self.cdrom_interface),
            output_dir: PathBuf::from(
                text(&self.output_directory).unwrap_or_else(|| format!("output-{source_name}")),
            ),
            vm_name: text(&self.vm_name).unwrap_or_else(|| format!("packer-{source_name}")),
            host_port_min,
            host_port_max,
            skip_nat_mapping: f(self.skip_nat_mapping),
            vnc_bind_address: or(&self.vnc_bind_address, "127.0.0.1"),
            vnc_port_min: self.vnc_port_min.filter(|p| *p != 0).unwrap_or(5900),
            vnc_port_max: self.vnc_port_max.filter(|p| *p != 0).unwrap_or(6000),
            vnc_use_password: f(self.vnc_use_password),
            vnc_password: text(&self.vnc_password),
            disable_vnc: f(self.disable_vnc),
            headless: f(self.headless),
            display: text(&self.display),
            use_default_display: f(self.use_default_display),
            wait_for_cloud_init: f(self.wait_for_cloud_init),
            cloud_init_clean: f(self.cloud_init_clean),
            shutdown_command: text(&self.shutdown_command),
            shutdown_timeout: dur(self.shutdown_timeout, Duration::from_secs(300)),
            boot_wait: dur(self.boot_wait, Duration::from_secs(10)),
            boot_command: self.boot_command.clone().unwrap_or_default(),
            boot_steps: self
                .boot_steps
                .iter()
                .flatten()
                .filter_map(|step| {
                    let keys = step.first()?.clone();
                    Some((keys, step.get(1).filter(|d| !d.is_empty()).cloned()))
                })
                .collect(),
            boot_key_interval: self.boot_key_interval.and_then(GoDuration::positive),
            http_directory: text(&self.http_directory),
            http_content: self.http_content.clone().unwrap_or_default(),
            http_port_min: self.http_port_min.filter(|p| *p != 0).unwrap_or(8000),
            http_port_max: self.http_port_max.filter(|p| *p != 0).unwrap_or(9000),
            http_bind_address: or(&self.http_bind_address, "0.0.0.0"),
            http_interface: text(&self.http_interface),
            floppy_files: self.floppy_files.clone().unwrap_or_default(),
            floppy_dirs: self.floppy_dirs.clone().unwrap_or_default(),
            floppy_content: self.floppy_content.clone().unwrap_or_default(),
            floppy_label: self.floppy_label.clone().unwrap_or_default(),
            cd_files: self.cd_files.clone().unwrap_or_default(),
            cd_content: self.cd_content.clone().unwrap_or_default(),
            cd_label: text(&self.cd_label),
            qmp_socket_path: text(&self.qmp_socket_path).map(PathBuf::from),
            firmware: text(&self.firmware),
            use_pflash: f(self.use_pflash),
            vtpm: f(self.vtpm),
            use_tpm1: f(self.use_tpm1),
            tpm_device_type: or(&self.tpm_device_type, "tpm-tis"),
            // The current plugin: naming either OVMF file means EFI boot.
            efi_boot: f(self.efi_boot)
                || text(&self.efi_firmware_code).is_some()
                || text(&self.efi_firmware_vars).is_some(),
            efi_firmware_code: text(&self.efi_firmware_code),
            efi_firmware_vars: text(&self.efi_firmware_vars),
            efi_drop_efivars: f(self.efi_drop_efivars),
        }
    }
}

impl Settings {
    /// Whether the build gets a CD made from `cd_files`/`cd_content`.
    pub fn has_cd(&self) -> bool {
        !self.cd_files.is_empty() || !self.cd_content.is_empty()
    }

    /// The floppy fields.
    pub fn floppy_spec(&self) -> crate::floppy::FloppySpec {
        crate::floppy::FloppySpec {
            files: self.floppy_files.clone(),
            dirs: self.floppy_dirs.clone(),
            content: self.floppy_content.clone(),
            label: self.floppy_label.clone(),
        }
    }

    /// The path of the disk image inside the output directory.
    pub fn disk_path(&self) -> PathBuf {
        self.output_dir.join(&self.vm_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packer_defaults() {
        let s = QemuConfig::default().settings("debian");
        assert_eq!(s.output_dir, PathBuf::from("output-debian"));
        assert_eq!(s.vm_name, "packer-debian");
        assert_eq!(s.disk_size, "40960M");
        assert_eq!((s.memory, s.cpus), (512, 1));
        assert_eq!(
            (
                s.host_port_min,
                s.host_port_max,
                s.vnc_port_min,
                s.vnc_port_max
            ),
            (2222, 4444, 5900, 6000)
        );
        assert_eq!(s.format, "qcow2");
        assert_eq!(s.net_device, "virtio-net");
        assert_eq!(s.disk_interface, "virtio");
        assert_eq!(
            (
                s.disk_cache.as_str(),
                s.disk_discard.as_str(),
                s.detect_zeroes.as_str()
            ),
            ("writeback", "ignore", "off")
        );
        assert_eq!(s.shutdown_timeout, Duration::from_secs(300));
        assert_eq!(s.boot_wait, Duration::from_secs(10));
        assert_eq!(s.accelerator, None);
        assert_eq!(s.machine_type, "pc");
    }

    #[test]
    fn raw_and_backing_files_are_never_compacted() {
        let raw = QemuConfig {
            format: Some("raw".into()),
            disk_compression: Some(true),
            ..QemuConfig::default()
        }
        .settings("x");
        assert!(raw.skip_compaction && !raw.disk_compression);
        let overlay = QemuConfig {
            use_backing_file: Some(true),
            disk_image: Some(true),
            ..QemuConfig::default()
        }
        .settings("x");
        assert!(overlay.skip_compaction);
        let deprecated = QemuConfig {
            host_port_min: Some(3000),
            ssh_host_port_min: Some(3100),
            ..QemuConfig::default()
        }
        .settings("x");
        assert_eq!(deprecated.host_port_min, 3100);
    }

    #[test]
    fn an_ovmf_file_implies_efi_boot() {
        assert!(!QemuConfig::default().settings("x").efi_boot);
        let code = QemuConfig {
            efi_firmware_code: Some("/c.fd".into()),
            ..QemuConfig::default()
        };
        assert!(code.settings("x").efi_boot);
        let vars = QemuConfig {
            efi_firmware_vars: Some("/v.fd".into()),
            ..QemuConfig::default()
        };
        assert!(vars.settings("x").efi_boot);
    }
}
