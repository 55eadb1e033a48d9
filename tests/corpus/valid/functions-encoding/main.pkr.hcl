locals {
  doc = { name = "kiln", tags = ["a", "b"], nested = { n = 1, ok = true, none = null } }
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
