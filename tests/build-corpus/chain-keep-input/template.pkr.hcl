source "file" "data" {
  content = "some data to keep\n"
  target  = "data.txt"
}

build {
  sources = ["source.file.data"]

  post-processors {
    post-processor "compress" {
      output = "data.tar.gz"
    }
    post-processor "checksum" {
      checksum_types      = ["sha1"]
      output              = "data.{{.ChecksumType}}.checksum"
      keep_input_artifact = true
    }
  }
  post-processor "manifest" {
    output     = "manifest.json"
    strip_path = true
  }
}
