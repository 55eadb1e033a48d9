//! Packer 1.6.6's checks of a qemu config, in its order and words (checked
//! with `packer validate`), then the current plugin's checks of the fields
//! 1.6.6 lacks (`sockets`/`cores`/`threads` in its words; `boot_steps` in
//! kiln's, as 1.6.6 cannot record a verdict).

use super::disk_size::normalize_disk_size;
use super::QemuConfig;
use kiln_core::component::{ConfigProblem, Validate};

const ACCELERATORS: &[&str] = &["none", "kvm", "tcg", "xen", "hax", "hvf", "whpx"];
/// The current plugin's list; 1.6.6 lacked `sata`.
const DISK_INTERFACES: &[&str] = &["ide", "sata", "scsi", "virtio", "virtio-scsi"];
const DISK_CACHES: &[&str] = &["writethrough", "writeback", "none", "unsafe", "directsync"];
const DISK_DISCARDS: &[&str] = &["unmap", "ignore"];
const DETECT_ZEROES: &[&str] = &["unmap", "on", "off"];

impl Validate for QemuConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        if normalize_disk_size(self.disk_size.as_deref().unwrap_or("")).is_none() {
            out.push(ConfigProblem::field("disk_size", "Invalid disk size."));
        }
        let s = self.settings("");
        let cwd = std::env::current_dir().unwrap_or_default();
        for m in s.floppy_spec().problems(&cwd) {
            out.push(ConfigProblem::field("floppy_files", m));
        }
        for f in s.cd_files.iter().filter(|f| !is_glob(f)) {
            if let Err(e) = std::fs::metadata(f) {
                out.push(ConfigProblem::field(
                    "cd_files",
                    format!("Bad CD disk file '{f}': stat {f}: {}", go_errno(&e)),
                ));
            }
        }
        out.extend(self.iso_problems());
        out.extend(self.communicator_config().problems());
        if s.host_port_min > s.host_port_max {
            out.push(ConfigProblem::block(
                "host_port_min must be less than host_port_max",
            ));
        }
        if !matches!(s.format.as_str(), "qcow2" | "raw") {
            out.push(ConfigProblem::field(
                "format",
                "invalid format, only 'qcow2' or 'raw' are allowed",
            ));
        }
        if s.use_backing_file && !(s.disk_image && s.format == "qcow2") {
            out.push(ConfigProblem::field(
                "use_backing_file",
                "use_backing_file can only be enabled for QCOW2 images and when disk_image is true",
            ));
        }
        if s.skip_resize_disk && !s.disk_image {
            out.push(ConfigProblem::field(
                "skip_resize_disk",
                "skip_resize_disk can only be used when disk_image is true",
            ));
        }
        let one_of = |field: &'static str, v: &Option<String>, allowed: &[&str], msg: &str| {
            v.as_deref()
                .filter(|v| !v.is_empty() && !allowed.contains(v))
                .map(|_| ConfigProblem::field(field, msg))
        };
        out.extend(one_of(
            "accelerator",
            &self.accelerator,
            ACCELERATORS,
            "invalid accelerator, only 'kvm', 'tcg', 'xen', 'hax', 'hvf', 'whpx', or 'none' are allowed",
        ));
        out.extend(one_of(
            "disk_interface",
            &self.disk_interface,
            DISK_INTERFACES,
            "unrecognized disk interface type",
        ));
        out.extend(one_of(
            "disk_cache",
            &self.disk_cache,
            DISK_CACHES,
            "unrecognized disk cache type",
        ));
        out.extend(one_of(
            "disk_discard",
            &self.disk_discard,
            DISK_DISCARDS,
            "unrecognized disk discard type",
        ));
        out.extend(one_of(
            "disk_detect_zeroes",
            &self.disk_detect_zeroes,
            DETECT_ZEROES,
            "unrecognized disk detect zeroes setting",
        ));
        for (field, v) in [
            ("sockets", self.sockets),
            ("cores", self.cores),
            ("threads", self.threads),
        ] {
            if v.is_some_and(|n| n < 0) {
                out.push(ConfigProblem::field(
                    field,
                    format!("{field} must be a positive number"),
                ));
            }
        }
        out.extend(self.boot_steps_problems());
        if s.http_interface.is_some() && s.http_bind_address != "0.0.0.0" {
            out.push(ConfigProblem::block(
                "either http_bind_address or http_interface can be specified",
            ));
        }
        // Packer also checks that the output directory does not exist;
        // -force and the default name (output-NAME) are only known when
        // the build runs, so that check is the output step's.
        if s.vnc_port_min > s.vnc_port_max {
            out.push(ConfigProblem::block(
                "vnc_port_min must be less than vnc_port_max",
            ));
        }
        if s.efi_boot && s.firmware.is_none() && s.efi_firmware_code.is_none() {
            out.extend(crate::firmware::ovmf_code().is_none().then(|| {
                ConfigProblem::field(
                    "efi_boot",
                    "efi_boot needs OVMF (package ovmf) or efi_firmware_code",
                )
            }));
        }
        out
    }

    fn resolve_settings(&self) {
        let _ = self.communicator_config().ssh_settings();
    }
}

impl QemuConfig {
    /// BootConfig's checks of `boot_steps`: exclusive with
    /// `boot_command`, each step `[keys]` or `[keys, description]`.
    fn boot_steps_problems(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        let Some(steps) = &self.boot_steps else {
            return out;
        };
        if self.boot_command.as_ref().is_some_and(|c| !c.is_empty()) && !steps.is_empty() {
            out.push(ConfigProblem::block(
                "boot_command and boot_steps are mutually exclusive: set only one of them",
            ));
        }
        for (i, step) in steps.iter().enumerate() {
            if step.is_empty() || step.len() > 2 {
                out.push(ConfigProblem::field(
                    "boot_steps",
                    format!(
                        "boot_steps[{i}]: a step is [keys] or [keys, description], got {} elements",
                        step.len()
                    ),
                ));
            }
        }
        out
    }

    /// ISOConfig's checks.
    fn iso_problems(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        let url = self.iso_url.as_deref().unwrap_or("");
        let urls = self.iso_urls.as_deref().unwrap_or(&[]);
        match (url.is_empty(), urls.is_empty()) {
            // Packer stops checking the ISO settings at either of these.
            (true, true) => {
                out.push(ConfigProblem::block(
                    "One of iso_url or iso_urls must be specified",
                ));
                return out;
            }
            (false, false) => {
                out.push(ConfigProblem::block(
                    "Only one of iso_url or iso_urls must be specified",
                ));
                return out;
            }
            _ => {}
        }
        if QemuConfig::flag(self.iso_skip_cache) {
            return out;
        }
        match self.iso_checksum.as_deref().unwrap_or("") {
            "" => out.push(ConfigProblem::field(
                "iso_checksum",
                "A checksum must be specified",
            )),
            c => out.extend(checksum_problem(c)),
        }
        out
    }
}

/// `none`, `file:…`, `TYPE:HEX` or bare hex.
fn checksum_problem(c: &str) -> Option<ConfigProblem> {
    if c == "none" || c.starts_with("file:") {
        return None;
    }
    let hex = match c.split_once(':') {
        Some((kind, _)) if !["md5", "sha1", "sha256", "sha512"].contains(&kind) => {
            return Some(ConfigProblem::field(
                "iso_checksum",
                format!("invalid checksum type: {kind}"),
            ))
        }
        Some((_, hex)) => hex,
        None => c,
    };
    let bad = hex.bytes().find(|b| !b.is_ascii_hexdigit());
    let msg = match bad {
        Some(b) => format!(
            "invalid checksum: encoding/hex: invalid byte: U+{:04X} {:?} in \"{c}\"",
            b, b as char
        ),
        None if hex.len() % 2 == 1 => {
            format!("invalid checksum: encoding/hex: odd length hex string in \"{c}\"")
        }
        None => return None,
    };
    Some(ConfigProblem::field("iso_checksum", msg))
}

fn is_glob(p: &str) -> bool {
    p.contains(['*', '?', '['])
}

/// Go's wording of the common errno values.
fn go_errno(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory",
        std::io::ErrorKind::PermissionDenied => "permission denied",
        _ => "cannot stat",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(c: &QemuConfig) -> Vec<String> {
        c.validate().into_iter().map(|p| p.message).collect()
    }

    #[test]
    fn packer_messages_in_packer_order() {
        // The template `packer validate` answered with 14 errors (the
        // output-directory one depends on the disk and is checked at run
        // time here).
        let c = QemuConfig {
            format: Some("vmdk".into()),
            disk_size: Some("12x".into()),
            accelerator: Some("foo".into()),
            // 1.6.6 refused "sata" too; the current plugin takes it.
            disk_interface: Some("floppy".into()),
            disk_cache: Some("x".into()),
            disk_discard: Some("x".into()),
            disk_detect_zeroes: Some("x".into()),
            use_backing_file: Some(true),
            skip_resize_disk: Some(true),
            host_port_min: Some(5000),
            host_port_max: Some(4000),
            vnc_port_min: Some(6000),
            vnc_port_max: Some(5000),
            ..QemuConfig::default()
        };
        assert_eq!(
            messages(&c),
            [
                "Invalid disk size.",
                "One of iso_url or iso_urls must be specified",
                "An ssh_username must be specified\n  Note: some builders used to default ssh_username to \"root\".",
                "host_port_min must be less than host_port_max",
                "invalid format, only 'qcow2' or 'raw' are allowed",
                "use_backing_file can only be enabled for QCOW2 images and when disk_image is true",
                "skip_resize_disk can only be used when disk_image is true",
                "invalid accelerator, only 'kvm', 'tcg', 'xen', 'hax', 'hvf', 'whpx', or 'none' are allowed",
                "unrecognized disk interface type",
                "unrecognized disk cache type",
                "unrecognized disk discard type",
                "unrecognized disk detect zeroes setting",
                "vnc_port_min must be less than vnc_port_max",
            ]
        );
    }

    #[test]
    fn iso_and_file_checks() {
        let c = QemuConfig {
            iso_url: Some("x.iso".into()),
            ssh_username: Some("u".into()),
            iso_checksum: Some("md5:abc".into()),
            cd_files: Some(vec!["nofile2".into()]),
            floppy_files: Some(vec!["nofile".into()]),
            ..QemuConfig::default()
        };
        assert_eq!(
            messages(&c),
            [
                "Bad Floppy disk file 'nofile': stat nofile: no such file or directory",
                "Bad CD disk file 'nofile2': stat nofile2: no such file or directory",
                "invalid checksum: encoding/hex: odd length hex string in \"md5:abc\"",
            ]
        );
        let both = QemuConfig {
            iso_url: Some("x".into()),
            iso_urls: Some(vec!["y".into()]),
            ssh_username: Some("u".into()),
            ..QemuConfig::default()
        };
        assert_eq!(
            messages(&both),
            ["Only one of iso_url or iso_urls must be specified"]
        );
        let ok = QemuConfig {
            iso_url: Some("x".into()),
            iso_checksum: Some("none".into()),
            communicator: Some("none".into()),
            ..QemuConfig::default()
        };
        assert!(messages(&ok).is_empty());
    }

    #[test]
    fn topology_counts_and_boot_steps() {
        let base = || QemuConfig {
            iso_url: Some("x".into()),
            iso_checksum: Some("none".into()),
            communicator: Some("none".into()),
            ..QemuConfig::default()
        };
        let c = QemuConfig {
            sockets: Some(-1),
            cores: Some(2),
            threads: Some(-2),
            ..base()
        };
        assert_eq!(
            messages(&c),
            [
                "sockets must be a positive number",
                "threads must be a positive number"
            ]
        );
        let c = QemuConfig {
            boot_command: Some(vec!["<enter>".into()]),
            boot_steps: Some(vec![
                vec!["a<enter>".into(), "first".into()],
                vec![],
                vec!["b".into(), "c".into(), "d".into()],
            ]),
            ..base()
        };
        assert_eq!(
            messages(&c),
            [
                "boot_command and boot_steps are mutually exclusive: set only one of them",
                "boot_steps[1]: a step is [keys] or [keys, description], got 0 elements",
                "boot_steps[2]: a step is [keys] or [keys, description], got 3 elements",
            ]
        );
        let ok = QemuConfig {
            boot_steps: Some(vec![
                vec!["a<enter>".into()],
                vec!["b".into(), "yes".into()],
            ]),
            sockets: Some(2),
            vtpm: Some(true),
            ..base()
        };
        assert!(messages(&ok).is_empty());
    }
}
