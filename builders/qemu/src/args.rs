//! The qemu command line: Packer's default switches, then `qemuargs`
//! replacing every default switch it names (all of that switch's values),
//! rendered with `{{ .HTTPIP }}`, `{{ .HTTPPort }}`, `{{ .HTTPDir }}`,
//! `{{ .OutputDir }}`, `{{ .Name }}` and `{{ .SSHHostPort }}`.
//!
//! Packer keeps the switches in a Go map, so its order is random; kiln
//! keeps the defaults' order with the user's switches first, which makes
//! the command line (logged at info level) reproducible.

use crate::config::Settings;
use crate::error::QemuError;
use kiln_template::legacy::{self, LegacyContext};
use kiln_template::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What the run step knows when it builds the command line.
#[derive(Debug, Clone, Default)]
pub struct Runtime {
    pub accelerator: String,
    pub disk: PathBuf,
    pub additional_disks: Vec<PathBuf>,
    /// The installer ISO (not for `disk_image`).
    pub iso: Option<PathBuf>,
    /// `cd_files`/`cd_content` or the NoCloud seed.
    pub cd: Option<PathBuf>,
    pub floppy: Option<PathBuf>,
    pub ssh_host_port: Option<u16>,
    /// The guest port to forward to (`ssh_port`, 22).
    pub guest_port: u16,
    /// The VNC display's port (`vnc_port_min..max`).
    pub vnc_port: Option<u16>,
    /// The window the config asks for cannot open (`display.rs`): run
    /// headless after all.
    pub no_window: bool,
    pub qmp_socket: Option<PathBuf>,
    pub serial_log: Option<PathBuf>,
    pub http_ip: String,
    pub http_port: u16,
    /// `-bios` file or the EFI pflash drives.
    pub bios: Option<String>,
    pub pflash: Vec<String>,
    /// swtpm's control socket when `vtpm` is set.
    pub vtpm_socket: Option<PathBuf>,
    /// `-incoming`: the migration stream of a cached snapshot.
    pub incoming: Option<String>,
}

type Switches = Vec<(String, Vec<String>)>;

fn push(sw: &mut Switches, key: &str, value: impl Into<String>) {
    match sw.iter_mut().find(|(k, _)| k == key) {
        Some((_, v)) => v.push(value.into()),
        None => sw.push((key.to_owned(), vec![value.into()])),
    }
}

/// Packer's defaults for this build.
pub fn defaults(s: &Settings, rt: &Runtime) -> Switches {
    let mut sw = Switches::new();
    push(&mut sw, "-name", s.vm_name.clone());
    if rt.accelerator == "none" {
        push(&mut sw, "-machine", format!("type={}", s.machine_type));
    } else {
        push(
            &mut sw,
            "-machine",
            format!("type={},accel={}", s.machine_type, rt.accelerator),
        );
    }
    if let Some(cpu) = &s.cpu_model {
        push(&mut sw, "-cpu", cpu.clone());
    }
    push(&mut sw, "-m", format!("{}M", s.memory));
    if let Some(smp) = s.smp.arg() {
        push(&mut sw, "-smp", smp);
    }
    if let Some(vga) = &s.vga {
        push(&mut sw, "-vga", vga.clone());
    }
    push(&mut sw, "-boot", if s.disk_image { "c" } else { "once=d" });
    let netdev = match (&s.net_bridge, rt.ssh_host_port) {
        (Some(br), _) => format!("bridge,id=user.0,br={br}"),
        // Loopback only: nothing but this build needs to reach the guest.
        (None, Some(port)) => format!(
            "user,id=user.0,hostfwd=tcp:127.0.0.1:{port}-:{}",
            rt.guest_port
        ),
        (None, None) => "user,id=user.0".to_owned(),
    };
    push(&mut sw, "-netdev", netdev);
    if let Some(port) = rt.vnc_port {
        let display = port.saturating_sub(s.vnc_port_min);
        let mut vnc = format!("{}:{display}", s.vnc_bind_address);
        if s.vnc_use_password {
            vnc.push_str(",password=on");
        }
        push(&mut sw, "-vnc", vnc);
    }
    if !s.headless && !rt.no_window {
        match &s.display {
            Some(d) if d != "none" => push(&mut sw, "-display", d.clone()),
            _ if !s.use_default_display => push(&mut sw, "-display", "gtk"),
            _ => {}
        }
    } else if rt.vnc_port.is_none() {
        push(&mut sw, "-display", "none");
    }
    if let Some(q) = &rt.qmp_socket {
        push(
            &mut sw,
            "-qmp",
            format!("unix:{},server=on,wait=off", q.display()),
        );
    }
    if let Some(log) = &rt.serial_log {
        push(&mut sw, "-serial", format!("file:{}", log.display()));
    }
    if let Some(f) = &rt.floppy {
        push(&mut sw, "-fda", f.display().to_string());
    }
    if let Some(b) = &rt.bios {
        push(&mut sw, "-bios", b.clone());
    }
    if let Some(sock) = &rt.vtpm_socket {
        push(
            &mut sw,
            "-chardev",
            format!("socket,id=vtpm,path={}", sock.display()),
        );
        push(&mut sw, "-tpmdev", "emulator,id=tpm0,chardev=vtpm");
    }
    if let Some(uri) = &rt.incoming {
        push(&mut sw, "-incoming", uri.clone());
    }
    let (devices, drives) = devices_and_drives(s, rt);
    for d in devices {
        push(&mut sw, "-device", d);
    }
    for d in rt.pflash.iter().cloned().chain(drives) {
        push(&mut sw, "-drive", d);
    }
    sw
}

/// `-device` and `-drive` values: the disks, the NIC, the CDs.
fn devices_and_drives(s: &Settings, rt: &Runtime) -> (Vec<String>, Vec<String>) {
    let mut devices = Vec::new();
    let mut drives = Vec::new();
    let disks = std::iter::once(&rt.disk).chain(rt.additional_disks.iter());
    for (i, path) in disks.enumerate() {
        let mut drive = if s.disk_interface == "sata" {
            // qemu has no `if=sata`: an AHCI controller, one port per disk.
            if i == 0 {
                devices.push("ahci,id=ahci0".to_owned());
            }
            devices.push(format!("ide-hd,bus=ahci0.{i},drive=drive{i}"));
            format!(
                "if=none,file={},id=drive{i},cache={},discard={},format={}",
                path.display(),
                s.disk_cache,
                s.disk_discard,
                s.format
            )
        } else if s.disk_interface == "virtio-scsi" {
            if i == 0 {
                devices.push("virtio-scsi-pci,id=scsi0".to_owned());
            }
            devices.push(format!("scsi-hd,bus=scsi0.0,drive=drive{i}"));
            format!(
                "if=none,file={},id=drive{i},cache={},discard={},format={}",
                path.display(),
                s.disk_cache,
                s.disk_discard,
                s.format
            )
        } else {
            format!(
                "file={},if={},cache={},discard={},format={}",
                path.display(),
                s.disk_interface,
                s.disk_cache,
                s.disk_discard,
                s.format
            )
        };
        if s.detect_zeroes != "off" {
            drive.push_str(&format!(",detect-zeroes={}", s.detect_zeroes));
        }
        drives.push(drive);
    }
    devices.push(format!("{},netdev=user.0", s.net_device));
    if rt.vtpm_socket.is_some() {
        devices.push(format!("{},tpmdev=tpm0", s.tpm_device_type));
    }
    let cds = rt.iso.iter().chain(rt.cd.iter());
    for (i, cd) in cds.enumerate() {
        match s.cdrom_interface.as_deref() {
            None => drives.push(format!("file={},index={i},media=cdrom", cd.display())),
            Some("virtio-scsi") => {
                drives.push(format!(
                    "file={},if=none,index={i},id=cdrom{i},media=cdrom",
                    cd.display()
                ));
                devices.push("virtio-scsi-device".into());
                devices.push(format!("scsi-cd,drive=cdrom{i}"));
            }
            Some(ifc) => drives.push(format!(
                "file={},if={ifc},index={i},id=cdrom{i},media=cdrom",
                cd.display()
            )),
        }
    }
    (devices, drives)
}

/// The full argument list: `qemuargs` (rendered) first, then every
/// default switch they do not name.
pub fn command_line(s: &Settings, rt: &Runtime) -> Result<Vec<String>, QemuError> {
    let defaults = defaults(s, rt);
    let mut user = Switches::new();
    if !s.qemuargs.is_empty() {
        let ctx = template_context(s, rt);
        for row in &s.qemuargs {
            let Some((key, rest)) = row.split_first() else {
                continue;
            };
            let key = render(key, &ctx)?;
            let mut value = String::new();
            for part in rest {
                value.push_str(&render(part, &ctx)?);
            }
            match user.iter_mut().find(|(k, _)| *k == key) {
                Some((_, v)) if !value.is_empty() => v.push(value),
                Some(_) => {}
                None if value.is_empty() => user.push((key, Vec::new())),
                None => user.push((key, vec![value])),
            }
        }
    }
    // Packer #6804: a user -device list that lacks the NIC gets it back.
    if let Some((_, devs)) = user.iter_mut().find(|(k, _)| k == "-device") {
        if !devs.concat().contains(&s.net_device) {
            devs.push(format!("{},netdev=user.0", s.net_device));
        }
    }
    let mut out = Vec::new();
    let named: Vec<String> = user.iter().map(|(k, _)| k.clone()).collect();
    let rest = defaults.into_iter().filter(|(k, _)| !named.contains(k));
    for (key, values) in user.into_iter().chain(rest) {
        if values.is_empty() {
            out.push(key.clone());
        }
        for v in values {
            out.push(key.clone());
            out.push(v);
        }
    }
    Ok(out)
}

fn template_context(s: &Settings, rt: &Runtime) -> LegacyContext {
    let mut data = BTreeMap::new();
    data.insert("HTTPIP".to_owned(), Value::string(rt.http_ip.clone()));
    data.insert(
        "HTTPPort".to_owned(),
        Value::string(rt.http_port.to_string()),
    );
    data.insert(
        "HTTPDir".to_owned(),
        Value::string(s.http_directory.clone().unwrap_or_default()),
    );
    data.insert(
        "OutputDir".to_owned(),
        Value::string(s.output_dir.display().to_string()),
    );
    data.insert("Name".to_owned(), Value::string(s.vm_name.clone()));
    data.insert(
        "SSHHostPort".to_owned(),
        Value::string(rt.ssh_host_port.unwrap_or(0).to_string()),
    );
    LegacyContext::new(data)
}

fn render(s: &str, ctx: &LegacyContext) -> Result<String, QemuError> {
    if !s.contains("{{") {
        return Ok(s.to_owned());
    }
    legacy::render(s, ctx).map_err(|e| QemuError::QemuArgs(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::QemuConfig;

    fn rt() -> Runtime {
        Runtime {
            accelerator: "tcg".into(),
            disk: PathBuf::from("out/disk"),
            ssh_host_port: Some(2345),
            guest_port: 22,
            vnc_port: Some(5903),
            http_ip: "10.0.2.2".into(),
            http_port: 8100,
            ..Runtime::default()
        }
    }

    fn pairs(args: &[String]) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut it = args.iter().peekable();
        while let Some(k) = it.next() {
            let v = match it.peek() {
                Some(v) if !v.starts_with('-') => it.next().cloned().unwrap_or_default(),
                _ => String::new(),
            };
            out.push((k.clone(), v));
        }
        out
    }

    #[test]
    fn packer_defaults_for_a_cloud_image() {
        let s = QemuConfig {
            disk_image: Some(true),
            headless: Some(true),
            vm_name: Some("vm".into()),
            ..QemuConfig::default()
        }
        .settings("x");
        let mut r = rt();
        r.cd = Some(PathBuf::from("/w/seed.iso"));
        let a = pairs(&command_line(&s, &r).unwrap());
        let get = |k: &str| -> Vec<String> {
            a.iter()
                .filter(|(kk, _)| kk == k)
                .map(|(_, v)| v.clone())
                .collect()
        };
        assert_eq!(get("-machine"), ["type=pc,accel=tcg"]);
        assert_eq!(get("-m"), ["512M"]);
        assert_eq!(get("-boot"), ["c"]);
        assert_eq!(get("-vnc"), ["127.0.0.1:3"]);
        assert_eq!(
            get("-netdev"),
            ["user,id=user.0,hostfwd=tcp:127.0.0.1:2345-:22"]
        );
        assert_eq!(get("-device"), ["virtio-net,netdev=user.0"]);
        assert_eq!(
            get("-drive"),
            [
                "file=out/disk,if=virtio,cache=writeback,discard=ignore,format=qcow2",
                "file=/w/seed.iso,index=0,media=cdrom"
            ]
        );
        assert!(get("-display").is_empty(), "headless with VNC: no display");
        assert!(get("-smp").is_empty());
    }

    #[test]
    fn qemuargs_replace_whole_switches_and_render_templates() {
        let s = QemuConfig {
            qemuargs: Some(vec![
                vec!["-m".into(), "1024M".into()],
                vec![
                    "-netdev".into(),
                    "user,id=user.0,".into(),
                    "hostfwd=tcp::{{ .SSHHostPort }}-:22".into(),
                ],
                vec!["-device".into(), "e1000,netdev=user.0".into()],
                vec!["-no-acpi".into(), "".into()],
                vec![
                    "-fw_cfg".into(),
                    "name=opt/x,string={{ .HTTPIP }}:{{ .HTTPPort }}/{{ .Name }}".into(),
                ],
            ]),
            headless: Some(true),
            vm_name: Some("vm".into()),
            ..QemuConfig::default()
        }
        .settings("x");
        let a = command_line(&s, &rt()).unwrap();
        let joined = a.join(" ");
        assert!(joined.starts_with("-m 1024M -netdev user,id=user.0,hostfwd=tcp::2345-:22 -device e1000,netdev=user.0 -device virtio-net,netdev=user.0 -no-acpi -fw_cfg name=opt/x,string=10.0.2.2:8100/vm"), "{joined}");
        assert_eq!(a.iter().filter(|x| *x == "-m").count(), 1);
        assert_eq!(a.iter().filter(|x| *x == "-netdev").count(), 1);
        let bad = QemuConfig {
            qemuargs: Some(vec![vec!["-name".into(), "{{ .Nope".into()]]),
            ..QemuConfig::default()
        }
        .settings("x");
        assert!(matches!(
            command_line(&bad, &rt()),
            Err(QemuError::QemuArgs(_))
        ));
    }

    #[test]
    fn scsi_cpus_and_gui() {
        let s = QemuConfig {
            disk_interface: Some("virtio-scsi".into()),
            cpus: Some(2),
            disk_detect_zeroes: Some("unmap".into()),
            cpu_model: Some("max".into()),
            ..QemuConfig::default()
        }
        .settings("x");
        let a = command_line(&s, &rt()).unwrap().join(" ");
        assert!(a.contains("-smp cpus=2,sockets=2"));
        assert!(a.contains("-cpu max"));
        assert!(
            a.contains("-display gtk"),
            "not headless: Packer opens a window"
        );
        assert!(
            a.contains("-device virtio-scsi-pci,id=scsi0 -device scsi-hd,bus=scsi0.0,drive=drive0")
        );
        assert!(a.contains("-drive if=none,file=out/disk,id=drive0,cache=writeback,discard=ignore,format=qcow2,detect-zeroes=unmap"));
        assert!(a.contains("-boot once=d"));
    }

    #[test]
    fn no_window_runs_a_windowed_config_headless() {
        let s = QemuConfig::default().settings("x");
        let mut r = rt();
        r.no_window = true;
        let a = command_line(&s, &r).unwrap();
        assert!(!a.contains(&"-display".to_owned()), "VNC only: {a:?}");
        r.vnc_port = None;
        let a = command_line(&s, &r).unwrap().join(" ");
        assert!(a.contains("-display none"), "{a}");
    }

    #[test]
    fn topology_vga_and_vtpm() {
        let s = QemuConfig {
            cpus: Some(8),
            sockets: Some(1),
            cores: Some(2),
            threads: Some(2),
            vga: Some("virtio".into()),
            vtpm: Some(true),
            headless: Some(true),
            ..QemuConfig::default()
        }
        .settings("x");
        let mut r = rt();
        r.vtpm_socket = Some(PathBuf::from("/w/vtpm/swtpm.sock"));
        let a = pairs(&command_line(&s, &r).unwrap());
        let get = |k: &str| -> Vec<String> {
            a.iter()
                .filter(|(kk, _)| kk == k)
                .map(|(_, v)| v.clone())
                .collect()
        };
        assert_eq!(get("-smp"), ["4,sockets=1,cores=2,threads=2"]);
        assert_eq!(get("-vga"), ["virtio"]);
        assert_eq!(get("-chardev"), ["socket,id=vtpm,path=/w/vtpm/swtpm.sock"]);
        assert_eq!(get("-tpmdev"), ["emulator,id=tpm0,chardev=vtpm"]);
        assert_eq!(
            get("-device"),
            ["virtio-net,netdev=user.0", "tpm-tis,tpmdev=tpm0"]
        );
        let arm = QemuConfig {
            tpm_device_type: Some("tpm-tis-device".into()),
            ..QemuConfig::default()
        }
        .settings("x");
        let a = command_line(&arm, &r).unwrap().join(" ");
        assert!(a.contains("-device tpm-tis-device,tpmdev=tpm0"), "{a}");
        assert!(!a.contains("-vga"), "no vga unless asked: {a}");
        assert!(!a.contains("-smp"), "one CPU: qemu's default: {a}");
    }

    #[test]
    fn a_real_qemu_takes_the_topology_and_vga() {
        let s = QemuConfig {
            sockets: Some(2),
            cores: Some(2),
            threads: Some(1),
            vga: Some("std".into()),
            ..QemuConfig::default()
        }
        .settings("x");
        let a = pairs(&command_line(&s, &rt()).unwrap());
        let value = |k: &str| {
            a.iter()
                .find(|(kk, _)| kk == k)
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        let (smp, vga) = (value("-smp"), value("-vga"));
        assert_eq!(smp, "4,sockets=2,cores=2,threads=1");
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("qmp.sock");
        let mut child = crate::test_vm::bare_qemu_with(&socket, &["-smp", &smp, "-vga", &vga]);
        let cancel = kiln_core::Cancel::new();
        let mut qmp =
            crate::qmp::Qmp::connect(&socket, std::time::Duration::from_secs(30), &cancel).unwrap();
        let cpus = qmp.execute("query-cpus-fast", None).unwrap();
        assert_eq!(cpus.as_array().map(Vec::len), Some(4), "{cpus}");
        kiln_core::process::kill_group(&mut child);
    }

    #[test]
    fn sata_disks_on_an_ahci_controller_that_a_real_qemu_accepts() {
        let dir = tempfile::tempdir().unwrap();
        let disks: Vec<PathBuf> = (0..2)
            .map(|i| dir.path().join(format!("d{i}.raw")))
            .collect();
        for d in &disks {
            std::fs::write(d, vec![0u8; 1 << 20]).unwrap();
        }
        let s = QemuConfig {
            disk_interface: Some("sata".into()),
            format: Some("raw".into()),
            ..QemuConfig::default()
        }
        .settings("x");
        let r = Runtime {
            disk: disks[0].clone(),
            additional_disks: vec![disks[1].clone()],
            ..rt()
        };
        let (devices, drives) = devices_and_drives(&s, &r);
        assert_eq!(
            devices,
            [
                "ahci,id=ahci0",
                "ide-hd,bus=ahci0.0,drive=drive0",
                "ide-hd,bus=ahci0.1,drive=drive1",
                "virtio-net,netdev=user.0"
            ]
        );
        assert_eq!(
            drives[1],
            format!(
                "if=none,file={},id=drive1,cache=writeback,discard=ignore,format=raw",
                disks[1].display()
            )
        );
        let mut args = Vec::new();
        for d in devices.iter().filter(|d| !d.starts_with("virtio-net")) {
            args.extend(["-device", d.as_str()]);
        }
        for d in &drives {
            args.extend(["-drive", d.as_str()]);
        }
        let socket = dir.path().join("qmp.sock");
        let mut child = crate::test_vm::bare_qemu_with(&socket, &args);
        let cancel = kiln_core::Cancel::new();
        let mut qmp =
            crate::qmp::Qmp::connect(&socket, std::time::Duration::from_secs(30), &cancel).unwrap();
        let blocks = qmp.execute("query-block", None).unwrap().to_string();
        assert!(
            blocks.contains("drive0") && blocks.contains("drive1"),
            "{blocks}"
        );
        kiln_core::process::kill_group(&mut child);
    }
}
