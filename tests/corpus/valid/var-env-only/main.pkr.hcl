variable "token" {
  type = string
}

variable "port" {
  type = number
}

variable "ids" {
  type = list(number)
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
