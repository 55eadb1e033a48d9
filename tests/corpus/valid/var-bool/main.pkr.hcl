variable "enabled" {
  type    = bool
  default = true
}

variable "from_string" {
  type    = bool
  default = "false"
}

locals {
  mode = var.enabled ? "on" : "off"
  both = var.enabled && !var.from_string
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
