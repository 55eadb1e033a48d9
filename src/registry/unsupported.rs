//! Component types kiln knows of but does not run, each with the reason:
//! a template using one gets "the X post-processor is not supported:
//! <why>" at the block instead of "unknown type", which would suggest a
//! typo. Names not here stay unknown (with the did-you-mean hint).

use kiln_template::decode::EvaluatedBody;
use kiln_template::plan::ComponentKind;
use kiln_template::{Diagnostic, Diagnostics};

const NO_HYPERVISOR: &str = "kiln builds virtual machines with QEMU only; use the `qemu` builder";
const NO_CLOUD: &str = "kiln's only cloud builder is `amazon-ebs`";
const AMAZON_EBS_ONLY: &str = "kiln builds AMIs with `amazon-ebs` only";
const WINDOWS: &str =
    "it drives Windows guests, which need the WinRM communicator, and kiln speaks SSH only";
const PLUGIN: &str =
    "it is a third-party plugin kiln does not include; run the tool from a `shell` provisioner";

const CHEF: &str = "Chef cannot be installed or tested on the machines kiln is developed on (Chef's packages come from Chef's own download site, and Chef Infra Client needs a license), so kiln does not drive it; run `chef-solo` or `chef-client` from a `shell` provisioner";
const PUPPET_SERVER: &str = "kiln runs Puppet without a server only; use `puppet-masterless`, or run `puppet agent` from a `shell` provisioner";

/// (kind, type name, why).
pub const UNSUPPORTED: &[(ComponentKind, &str, &str)] = &[
    (ComponentKind::Builder, "virtualbox-iso", NO_HYPERVISOR),
    (ComponentKind::Builder, "virtualbox-ovf", NO_HYPERVISOR),
    (ComponentKind::Builder, "virtualbox-vm", NO_HYPERVISOR),
    (ComponentKind::Builder, "vmware-iso", NO_HYPERVISOR),
    (ComponentKind::Builder, "vmware-vmx", NO_HYPERVISOR),
    (ComponentKind::Builder, "vsphere-iso", NO_HYPERVISOR),
    (ComponentKind::Builder, "vsphere-clone", NO_HYPERVISOR),
    (ComponentKind::Builder, "hyperv-iso", NO_HYPERVISOR),
    (ComponentKind::Builder, "hyperv-vmcx", NO_HYPERVISOR),
    (ComponentKind::Builder, "parallels-iso", NO_HYPERVISOR),
    (ComponentKind::Builder, "parallels-pvm", NO_HYPERVISOR),
    (ComponentKind::Builder, "proxmox-iso", NO_HYPERVISOR),
    (ComponentKind::Builder, "proxmox-clone", NO_HYPERVISOR),
    (ComponentKind::Builder, "vagrant", NO_HYPERVISOR),
    (ComponentKind::Builder, "lxc", NO_HYPERVISOR),
    (ComponentKind::Builder, "lxd", NO_HYPERVISOR),
    (ComponentKind::Builder, "amazon-chroot", AMAZON_EBS_ONLY),
    (ComponentKind::Builder, "amazon-ebssurrogate", AMAZON_EBS_ONLY),
    (ComponentKind::Builder, "amazon-ebsvolume", AMAZON_EBS_ONLY),
    (ComponentKind::Builder, "amazon-instance", AMAZON_EBS_ONLY),
    (ComponentKind::Builder, "azure-arm", NO_CLOUD),
    (ComponentKind::Builder, "azure-chroot", NO_CLOUD),
    (ComponentKind::Builder, "googlecompute", NO_CLOUD),
    (ComponentKind::Builder, "digitalocean", NO_CLOUD),
    (ComponentKind::Builder, "hcloud", NO_CLOUD),
    (ComponentKind::Builder, "openstack", NO_CLOUD),
    (ComponentKind::Builder, "oracle-oci", NO_CLOUD),
    (ComponentKind::Builder, "linode", NO_CLOUD),
    (ComponentKind::Builder, "scaleway", NO_CLOUD),
    (ComponentKind::Provisioner, "powershell", WINDOWS),
    (ComponentKind::Provisioner, "windows-restart", WINDOWS),
    (ComponentKind::Provisioner, "windows-shell", WINDOWS),
    (ComponentKind::Provisioner, "goss", PLUGIN),
    (ComponentKind::Provisioner, "chef-solo", CHEF),
    (ComponentKind::Provisioner, "chef-client", CHEF),
    (ComponentKind::Provisioner, "puppet-server", PUPPET_SERVER),
    (ComponentKind::Provisioner, "inspec", PLUGIN),
    (
        ComponentKind::PostProcessor,
        "vagrant-cloud",
        "kiln does not publish to Vagrant Cloud (HCP Vagrant); upload the box with `vagrant cloud publish` from a `shell-local` post-processor",
    ),
    (
        ComponentKind::PostProcessor,
        "amazon-import",
        "kiln does not import VM images into EC2; build the AMI with the `amazon-ebs` builder",
    ),
    (
        ComponentKind::PostProcessor,
        "vsphere",
        NO_HYPERVISOR,
    ),
    (
        ComponentKind::PostProcessor,
        "vsphere-template",
        NO_HYPERVISOR,
    ),
    (
        ComponentKind::PostProcessor,
        "googlecompute-import",
        NO_CLOUD,
    ),
];

/// Why `type_name` is not supported, if it is a type kiln knows of.
pub fn reason(kind: ComponentKind, type_name: &str) -> Option<&'static str> {
    UNSUPPORTED
        .iter()
        .find(|(k, n, _)| *k == kind && *n == type_name)
        .map(|(_, _, why)| *why)
}

/// The one error for a block of an unsupported type, at the block.
pub fn error(kind: ComponentKind, type_name: &str, body: &EvaluatedBody) -> Option<Diagnostics> {
    let why = reason(kind, type_name)?;
    let mut diags = Diagnostics::new();
    diags.push(
        Diagnostic::error(
            format!("Unsupported {} type", kind.noun()),
            format!("the {type_name} {} is not supported: {why}", kind.noun()),
        )
        .at(body.span.clone()),
    );
    Some(diags)
}
