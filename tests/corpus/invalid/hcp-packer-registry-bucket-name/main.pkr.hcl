source "null" "a" {
  communicator = "none"
}

build {
  hcp_packer_registry {
    bucket_name = "debian_base"
  }
  sources = ["source.null.a"]
}
