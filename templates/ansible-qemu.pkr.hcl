# A Debian 12 qcow2 provisioned by Ansible, as Packer's ansible plugin runs
# it: ansible-playbook on this machine, reaching the VM through kiln's SSH
# adapter (the default; `use_proxy = false` connects straight to the VM
# with the build's key instead).
#
#   python3 -m venv ~/ansible && ~/ansible/bin/pip install ansible-core
#   PATH=~/ansible/bin:$PATH kiln build templates/ansible-qemu.pkr.hcl

variable "image" {
  type    = string
  default = "/var/cache/kiln-fixtures/debian-12.qcow2"
}

variable "owner" {
  type    = string
  default = "the platform team"
}

source "qemu" "debian" {
  iso_url          = var.image
  iso_checksum     = "none"
  disk_image       = true
  ssh_username     = "debian"
  ssh_timeout      = "15m"
  headless         = true
  memory           = 1024
  disk_size        = "8G"
  vm_name          = "debian-12-ansible.qcow2"
  output_directory = "output-ansible-qemu"
  shutdown_command = "sudo shutdown -P now"
}

build {
  sources = ["source.qemu.debian"]

  provisioner "ansible" {
    playbook_file   = "${path.root}/ansible/playbook.yml"
    roles_path      = "${path.root}/ansible/roles"
    extra_arguments = ["--extra-vars", "owner='${var.owner}'"]
  }
}
