locals {
  merged = merge({ a = 1 }, { b = 2 }, { a = 3 })
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
