variable "a" {
  type = string
}

variable "b" {
  type    = list(number)
  default = []
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
