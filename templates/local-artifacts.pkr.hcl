# Local artifacts without a machine: a file build, compressed and
# checksummed, recorded in a manifest. Run it with
#   kiln build templates/local-artifacts.pkr.hcl
# (it writes into ./out/ under the current directory).
variable "version" {
  type    = string
  default = "1.0.0"
}

source "file" "release-notes" {
  content = "Release ${var.version}\n"
  target  = "out/release-notes-${var.version}.txt"
}

build {
  sources = ["source.file.release-notes"]

  provisioner "shell-local" {
    inline = ["echo wrote ${source.name} for ${var.version}"]
  }

  post-processors {
    post-processor "compress" {
      output = "out/release-notes-${var.version}.tar.gz"
    }
    post-processor "checksum" {
      checksum_types      = ["sha256"]
      output              = "out/SHA256SUMS"
      keep_input_artifact = true
    }
  }

  post-processor "manifest" {
    output     = "out/manifest.json"
    strip_path = true
    custom_data = {
      version = var.version
    }
  }
}
