locals {
  sum = "abc" + 1
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
