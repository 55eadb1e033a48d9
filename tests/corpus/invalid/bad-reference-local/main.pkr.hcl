locals {
  value = local.nope
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
