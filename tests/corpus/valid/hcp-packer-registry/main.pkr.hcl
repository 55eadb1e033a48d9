variable "bucket" {
  type    = string
  default = "debian-base"
}

source "null" "a" {
  communicator = "none"
}

build {
  name = "base"

  hcp_packer_registry {
    bucket_name = var.bucket
    description = <<EOT
Debian base images.
    EOT
    bucket_labels = {
      "team" = "infra"
    }
    build_labels = {
      "os"      = "debian"
      "release" = local.release
    }
  }

  sources = ["source.null.a"]
}

locals {
  release = "12"
}
