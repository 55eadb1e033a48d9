# Packer documents "any" but rejects it (hashicorp/packer#12805, still so in 1.9.4).
variable "anything" {
  type    = any
  default = { a = [1, 2], b = "x" }
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
