locals {
  value = length(5)
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
