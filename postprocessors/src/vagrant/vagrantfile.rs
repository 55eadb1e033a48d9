//! The box's Vagrantfile: the plugin's fixed frame around the provider's
//! part and the user's rendered `vagrantfile_template` (Go's
//! text/template, which does not escape).

pub fn compose(provider: &str, custom: &str) -> String {
    format!(
        "\n# The contents below were provided by the Packer Vagrant post-processor\n{provider}\n\n# The contents below (if any) are custom contents provided by the\n# Packer template during image build.\n{custom}\n"
    )
}
