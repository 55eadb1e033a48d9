variable "name" {
  type     = string
  default  = "x"
  required = true
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
