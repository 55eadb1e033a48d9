variable "name" {
  type    = strin
  default = "x"
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
