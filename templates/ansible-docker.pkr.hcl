# A container image provisioned by Ansible with no Docker daemon: a Packer
# docker template as written for Packer's ansible plugin, run by kiln's
# container builder. ansible-playbook runs on this machine and reaches the
# build's sandbox through kiln's SSH adapter; the image needs python3.
#
#   bash tests/fixtures/debian-rootfs.sh        # the base, cached once
#   python3 -m venv ~/ansible && ~/ansible/bin/pip install ansible-core
#   sudo PATH=~/ansible/bin:$PATH kiln build templates/ansible-docker.pkr.hcl
#
# With a registry, `image = "debian:12"` works as it does in Packer.

variable "base" {
  type    = string
  default = "rootfs:/var/cache/kiln-fixtures/debian-12-rootfs.tar.zst"
}

source "docker" "debian" {
  image  = var.base
  commit = true
  changes = [
    "CMD [\"cat\", \"/etc/motd\"]",
  ]
}

build {
  sources = ["source.docker.debian"]

  provisioner "shell" {
    # The minimal base has no Python; Ansible's modules need it.
    inline = ["apt-get update", "apt-get install -y --no-install-recommends python3"]
  }

  provisioner "ansible" {
    playbook_file = "${path.root}/ansible/playbook.yml"
    roles_path    = "${path.root}/ansible/roles"
  }
}
