locals {
  value = var.not_declared
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
