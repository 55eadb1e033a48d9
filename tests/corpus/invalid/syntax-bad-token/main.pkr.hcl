locals {
  value = 1 +* 2
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
