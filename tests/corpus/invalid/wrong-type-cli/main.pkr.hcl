variable "port" {
  type    = number
  default = 22
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
