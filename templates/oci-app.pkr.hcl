# A container image without a Docker daemon: a Debian 12 root filesystem,
# a small web app installed by a shell provisioner inside kiln's sandbox,
# the result pushed with a version tag and the moving "blue" tag.
#
#   bash tests/fixtures/debian-rootfs.sh        # the base, cached once
#   docker-registry serve config.yml &          # or any registry
#   sudo kiln build -var registry=localhost:5000 templates/oci-app.pkr.hcl
#
# The sandbox needs root. SOURCE_DATE_EPOCH makes the digest reproducible.
variable "base" {
  type        = string
  default     = "/var/cache/kiln-fixtures/debian-12-rootfs.tar.zst"
  description = "A Debian root filesystem tarball (tests/fixtures/debian-rootfs.sh)."
}

variable "registry" {
  type    = string
  default = "localhost:5000"
}

variable "version" {
  type    = string
  default = "1.0.0"
}

source "oci" "app" {
  image      = "rootfs:${var.base}"
  repository = "${var.registry}/hello"
  tags       = [var.version, "blue"]

  changes = [
    "EXPOSE 8080",
    "WORKDIR /srv",
    "USER www-data",
    "CMD [\"busybox\", \"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/srv\"]",
  ]
  labels = {
    "org.opencontainers.image.version" = var.version
  }
}

build {
  sources = ["source.oci.app"]

  provisioner "shell" {
    inline = [
      "apt-get update -qq",
      "apt-get install -y -qq --no-install-recommends busybox",
      "rm -rf /var/lib/apt/lists/*",
      "mkdir -p /srv",
      "echo 'hello from kiln ${var.version}' > /srv/index.html",
    ]
  }

  # kiln's test stage (Packer has none, and rejects this block): the image
  # is started fresh from the output, as a consumer starts it, and checked
  # before anything is pushed; a failure pushes nothing and deletes it.
  test "serves" {
    check "page" {
      command       = "cat /srv/index.html"
      expect_stdout = "hello from kiln ${var.version}"
    }
    check "httpd" {
      command = "command -v busybox"
    }
  }

  post-processor "oci-push" {}
}
