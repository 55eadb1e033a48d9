locals {
  value = no_such_function("x")
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
