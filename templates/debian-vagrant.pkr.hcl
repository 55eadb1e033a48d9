# A Debian 12 Vagrant box for vagrant-libvirt, from a stock cloud image
# (as debian-qcow2.pkr.hcl builds it). The vagrant post-processor puts the
# disk in the box as box.img and removes the VM's output directory
# afterwards; `vagrant box add --name debian12 debian-12-libvirt.box`
# adds it. For `vagrant ssh`, install Vagrant's public key for a user in
# a provisioner: the cloud image has none.

variable "image" {
  type    = string
  default = "/var/cache/kiln-fixtures/debian-12.qcow2"
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
  vm_name          = "debian-12.qcow2"
  output_directory = "output-debian-vagrant"
  shutdown_command = "sudo shutdown -P now"
}

build {
  sources = ["source.qemu.debian"]

  provisioner "shell" {
    inline = ["sudo apt-get clean", "sudo fstrim -av || true"]
  }

  post-processors {
    post-processor "vagrant" {
      output            = "debian-12-{{ .Provider }}.box"
      compression_level = 6
    }
    post-processor "manifest" {
      output = "debian-12-vagrant-manifest.json"
    }
  }
}
