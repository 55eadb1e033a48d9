variable "disks" {
  default = [
    { name = "root", size = 10, tags = ["os"] },
    { name = "data", size = 100, tags = ["db", "fast"] },
  ]
}

variable "single" {
  default = { name = "solo", size = 1 }
}

locals {
  names        = var.disks[*].name
  legacy_sizes = var.disks.*.size
  nested_tags  = var.disks[*].tags[0]
  single_splat = var.single[*].name
  second       = var.disks[1]["name"]
  attr_index   = var.disks.0.size
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
