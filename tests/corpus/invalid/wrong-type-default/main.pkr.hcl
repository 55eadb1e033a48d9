variable "port" {
  type    = number
  default = "not a number"
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
