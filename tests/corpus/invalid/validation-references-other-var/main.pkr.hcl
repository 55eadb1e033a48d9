variable "min" {
  default = 1
}

variable "value" {
  default = 5

  validation {
    condition     = var.value > var.min
    error_message = "The value must be above min."
  }
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
