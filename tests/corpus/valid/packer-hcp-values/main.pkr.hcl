# packer.iterationID and packer.versionFingerprint exist; validate leaves
# them unknown.
locals {
  id = packer.iterationID
  fp = packer.versionFingerprint
}
source "null" "a" {
  communicator = "none"
}
build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["echo ${packer.iterationID} ${local.fp}"]
  }
}
