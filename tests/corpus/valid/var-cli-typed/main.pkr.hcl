variable "count" {
  type = number
}

variable "names" {
  type = list(string)
}

variable "labels" {
  type = map(string)
}

variable "flag" {
  type = bool
}

variable "raw" {
  type = string
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
