variable "names" {
  type    = list(string)
  default = []
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
