variable "triple" {
  type    = tuple([string, number, bool])
  default = ["a", "2", true]
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
