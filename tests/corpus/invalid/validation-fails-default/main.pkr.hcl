variable "port" {
  type    = number
  default = 0

  validation {
    condition     = var.port > 0
    error_message = "The port must be positive."
  }
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
