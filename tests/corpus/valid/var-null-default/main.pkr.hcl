variable "nothing" {
  type    = string
  default = null
}

locals {
  fallback = var.nothing == null ? "was null" : var.nothing
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
