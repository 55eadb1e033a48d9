variable "obj" {
  default = { a = "1", b = "two" }
}

locals {
  has_c    = can(var.obj.c)
  has_a    = can(var.obj.a)
  fallback = try(var.obj.c, var.obj.a, "none")
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
