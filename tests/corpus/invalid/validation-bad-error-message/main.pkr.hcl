variable "name" {
  type    = string
  default = "x"

  validation {
    condition     = length(var.name) > 0
    error_message = "lower case and no period"
  }
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
