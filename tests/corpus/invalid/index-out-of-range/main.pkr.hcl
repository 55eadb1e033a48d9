variable "list" {
  default = ["a", "b"]
}

locals {
  value = var.list[5]
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
