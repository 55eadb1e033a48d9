variable "password" {
  type      = string
  default   = "hunter2"
  sensitive = true
}

variable "public" {
  type      = string
  default   = "visible"
  sensitive = false
}

locals {
  uses_secret = "pw=${var.password}"
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
