# Stage two: the app image, built from the base image the catalog's prod
# channel names. The hcp-packer-version data source refuses a revoked
# base (also one whose own ancestor is revoked), and the new app version
# records base-img:vN as its parent, so
#
#   kiln catalog revoke base-img vN -reason "CVE-…" -descendants
#
# withdraws the apps built from it too.
#
#   export KILN_CATALOG=dir:$PWD/catalog
#   sudo -E kiln build -var base_repo=oci:$PWD/catalog/base-img templates/pipeline-app.pkr.hcl
#
# With a registry store (KILN_CATALOG=oci://localhost:5000/kiln) the base
# is docker://localhost:5000/kiln/base-img.
variable "base_repo" {
  type        = string
  default     = "oci:catalog/base-img"
  description = "Where the catalog keeps base-img: oci:DIR/base-img or docker://REGISTRY/PREFIX/base-img."
}

data "hcp-packer-version" "base" {
  bucket_name  = "base-img"
  channel_name = "prod"
}

source "oci" "app" {
  image = "${var.base_repo}:${data.hcp-packer-version.base.name}"
  labels = {
    "org.opencontainers.image.title"     = "app-img"
    "org.opencontainers.image.base.name" = "base-img:${data.hcp-packer-version.base.name}"
    "dev.kiln.base.fingerprint"          = data.hcp-packer-version.base.fingerprint
  }
  changes = ["CMD [\"cat\", \"/srv/index.html\"]"]
}

build {
  name = "app"

  hcp_packer_registry {
    bucket_name = "app-img"
    description = "The web app on base-img"
    channels    = ["dev"]
  }

  sources = ["source.oci.app"]

  provisioner "shell" {
    inline = [
      "mkdir -p /srv",
      "echo 'hello from app on base ${data.hcp-packer-version.base.name}' > /srv/index.html",
    ]
  }
}
