locals {
  rendered = templatefile("greeting.pkrtpl.hcl", { name = "kiln", items = ["a", "b"] })
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
