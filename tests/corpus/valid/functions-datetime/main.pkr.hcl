locals {
  stamp = "2021-03-04T05:06:07Z"
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
