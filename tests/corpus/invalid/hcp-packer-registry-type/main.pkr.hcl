source "null" "a" {
  communicator = "none"
}

build {
  hcp_packer_registry {
    bucket_name  = "debian-base"
    build_labels = ["os", "debian"]
  }
  sources = ["source.null.a"]
}
