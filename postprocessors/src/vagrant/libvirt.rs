//! The libvirt provider (packer-plugin-vagrant's `libvirt.go`): the disk
//! as `box.img`, `metadata.json` with its format and virtual size in
//! whole GiB, and a Vagrantfile that sets libvirt's driver from the
//! accelerator the build used.

use kiln_core::Artifact;
use serde_json::json;
use std::path::PathBuf;

use super::disk::{self, Probe};
use super::error::VagrantError;
use super::part::Part;
use super::provider::joined;
use kiln_core::Ui;

pub fn process(ui: &dyn Ui, artifact: &Artifact) -> Result<Part, VagrantError> {
    let disk = disk_file(artifact)?;
    ui.message(&format!("Copying from artifact: {}", disk.display()));
    let probed = disk::probe(&disk).map_err(|source| VagrantError::ReadDisk {
        path: disk.clone(),
        source,
    })?;
    let (probed_format, probed_size) = match probed {
        Probe::Qcow2 { virtual_size } => ("qcow2", virtual_size),
        Probe::Other { len } => ("raw", len),
    };
    let format = state_str(artifact, "diskType").unwrap_or(probed_format);
    // The builder's diskSize is what the plugin uses; a disk that is
    // larger (a `disk_image` not resized) must not be cut short.
    let size = match state_str(artifact, "diskSize") {
        Some(s) => disk::size_in_bytes(s)
            .ok_or_else(|| VagrantError::DiskSize(s.to_owned()))?
            .max(u128::from(probed_size)),
        None => u128::from(probed_size),
    };
    let driver = driver(state_str(artifact, "domainType"))?;
    Ok(Part {
        files: vec![("box.img".to_owned(), disk)],
        metadata: vec![
            ("provider", json!("libvirt")),
            ("format", json!(format)),
            (
                "virtual_size",
                json!(u64::try_from(disk::gib_rounded_up(size)).unwrap_or(u64::MAX)),
            ),
        ],
        vagrantfile: vagrantfile(driver),
    })
}

/// The qemu builder names its disk (`diskName`, matched as a suffix of
/// the path, as the plugin does); otherwise the one qcow2 file.
fn disk_file(artifact: &Artifact) -> Result<PathBuf, VagrantError> {
    if let Some(name) = state_str(artifact, "diskName") {
        return artifact
            .files
            .iter()
            .find(|f| f.to_string_lossy().ends_with(name))
            .cloned()
            .ok_or_else(|| VagrantError::NoDisk {
                wanted: name.to_owned(),
                files: joined(&artifact.files),
            });
    }
    disk::find_qcow2(&artifact.files)?.ok_or_else(|| VagrantError::NoDisk {
        wanted: "a qcow2 disk".to_owned(),
        files: joined(&artifact.files),
    })
}

/// libvirt's driver for the build's accelerator. Without one (an
/// artifice disk) kvm, vagrant-libvirt's own default.
fn driver(domain_type: Option<&str>) -> Result<&'static str, VagrantError> {
    match domain_type {
        None | Some("kvm") => Ok("kvm"),
        Some("none" | "tcg" | "hvf") => Ok("qemu"),
        Some(other) => Err(VagrantError::DomainType(other.to_owned())),
    }
}

fn state_str<'a>(artifact: &'a Artifact, key: &str) -> Option<&'a str> {
    artifact.state.get(key).and_then(serde_json::Value::as_str)
}

pub fn vagrantfile(driver: &str) -> String {
    format!(
        "\nVagrant.configure(\"2\") do |config|\n  config.vm.provider :libvirt do |libvirt|\n    libvirt.driver = \"{driver}\"\n  end\nend\n"
    )
}
