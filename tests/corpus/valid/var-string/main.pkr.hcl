variable "name" {
  type        = string
  default     = "kiln"
  description = "Name of the image."
}

variable "empty" {
  type    = string
  default = ""
}

variable "untyped" {
  default = "no type given"
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
