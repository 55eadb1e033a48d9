variable "zones" {
  type    = set(string)
  default = ["b", "a", "c", "a"]
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
