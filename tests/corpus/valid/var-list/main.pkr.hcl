variable "names" {
  type    = list(string)
  default = ["alpha", "beta", "gamma"]
}

variable "numbers_as_strings" {
  type    = list(string)
  default = [1, 2, true]
}

variable "empty" {
  type    = list(number)
  default = []
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
