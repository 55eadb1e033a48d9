locals {
  value = foo.bar
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
