variable "obj" {
  default = { a = 1 }
}

locals {
  value = var.obj.b
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
