locals {
  content = file("missing.txt")
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
