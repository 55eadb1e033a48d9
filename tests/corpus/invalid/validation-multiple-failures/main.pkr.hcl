variable "name" {
  type    = string
  default = "X"

  validation {
    condition     = length(var.name) >= 3
    error_message = "The name must be at least 3 characters."
  }

  validation {
    condition     = lower(var.name) == var.name
    error_message = "The name must be lower case."
  }

  validation {
    condition     = var.name != ""
    error_message = "The name must not be empty."
  }
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
