locals {
  broken = "no closing quote
  next   = 1
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
