locals {
  a = local.b
  b = local.c
  c = local.a
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
