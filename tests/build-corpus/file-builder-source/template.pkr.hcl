source "file" "copy" {
  source = "input.txt"
  target = "copied.txt"
}

build {
  sources = ["source.file.copy"]
  post-processor "checksum" {
    checksum_types = ["sha256", "md5"]
    output         = "{{.BuildName}}_{{.ChecksumType}}.checksum"
  }
}
