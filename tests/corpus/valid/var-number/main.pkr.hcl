variable "count" {
  type    = number
  default = 3
}

variable "ratio" {
  type    = number
  default = 0.25
}

variable "from_string" {
  type    = number
  default = "42"
}

locals {
  total   = var.count * var.ratio
  big     = 1e3
  neg     = -var.count
  divided = 10 / 4
  modulo  = 10 % 4
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
