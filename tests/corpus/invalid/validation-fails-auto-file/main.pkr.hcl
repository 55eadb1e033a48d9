variable "size" {
  type    = number
  default = 8

  validation {
    condition     = var.size <= 16
    error_message = "The size must be at most 16."
  }
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
