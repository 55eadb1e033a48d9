# Stage one of a two-stage pipeline (README, "Image catalog"): a hardened
# Debian base image, registered in kiln's catalog as base-img:vN and put
# on the dev channel. Promote it to prod with
#
#   kiln catalog promote base-img vN -channel prod
#
# and templates/pipeline-app.pkr.hcl builds from whatever prod is.
#
#   bash tests/fixtures/debian-rootfs.sh          # the Debian root filesystem, cached once
#   export KILN_CATALOG=dir:$PWD/catalog           # or oci://registry/prefix
#   sudo -E kiln build templates/pipeline-base.pkr.hcl
variable "rootfs" {
  type        = string
  default     = "/var/cache/kiln-fixtures/debian-12-rootfs.tar.zst"
  description = "A Debian root filesystem tarball (tests/fixtures/debian-rootfs.sh)."
}

source "oci" "base" {
  image = "rootfs:${var.rootfs}"
  labels = {
    "org.opencontainers.image.title" = "base-img"
  }
}

build {
  name = "base"

  hcp_packer_registry {
    bucket_name  = "base-img"
    description  = "Debian 12 with the team's baseline"
    build_labels = { os = "debian", "os-version" = "12" }
    channels     = ["dev"]
  }

  sources = ["source.oci.base"]

  provisioner "shell" {
    inline = [
      "echo 'built as ${packer.versionFingerprint}' > /etc/base-release",
      "rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin",
    ]
  }
}
