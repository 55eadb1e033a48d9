# A golden Debian 12 qcow2 from a stock cloud image: kiln makes a temporary
# SSH key and a NoCloud seed for it, so no password, key file or seed ISO
# is needed. Build with `kiln build templates/debian-qcow2.pkr.hcl`; point
# `image` at any NoCloud-capable cloud image (local path or https URL).

variable "image" {
  type    = string
  default = "/var/cache/kiln-fixtures/debian-12.qcow2"
}

variable "image_checksum" {
  type    = string
  default = "none"
}

source "qemu" "debian" {
  iso_url          = var.image
  iso_checksum     = var.image_checksum
  disk_image       = true
  ssh_username     = "debian"
  ssh_timeout      = "15m"
  headless         = true
  memory           = 1024
  disk_size        = "8G"
  disk_compression = true
  vm_name          = "debian-12-golden.qcow2"
  output_directory = "output-debian-qcow2"
  shutdown_command = "sudo shutdown -P now"

  # kiln's cloud-init helpers: provision after cloud-init's own first-boot
  # work, and leave the image so every VM of it runs cloud-init afresh.
  wait_for_cloud_init = true
  cloud_init_clean    = true
}

build {
  sources = ["source.qemu.debian"]

  provisioner "shell" {
    environment_vars = ["MOTD=Built by kiln"]
    inline = [
      "echo \"$MOTD\" | sudo tee /etc/motd",
      "sudo apt-get clean",
      # Zeroed free space compacts away.
      "sudo fstrim -av || true",
    ]
  }

  # kiln's test stage (Packer has none, and rejects this block): the
  # finished qcow2 boots from a throw-away overlay with a new key, and a
  # failure deletes the output directory and writes no manifest entry.
  test "boots" {
    boot_timeout = "15m"
    check "motd" {
      command       = "cat /etc/motd"
      expect_stdout = "^Built by kiln$"
    }
    check "sshd" {
      command       = "systemctl is-active ssh"
      expect_stdout = "^active$"
      retry_timeout = "1m"
    }
  }

  post-processor "manifest" {
    output = "output-debian-qcow2/manifest.json"
  }
}
