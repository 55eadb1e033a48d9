variable "name" {
  default = "one"
}

variable "name" {
  default = "two"
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
