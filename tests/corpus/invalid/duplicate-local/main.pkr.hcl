locals {
  name = "one"
}

locals {
  name = "two"
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
