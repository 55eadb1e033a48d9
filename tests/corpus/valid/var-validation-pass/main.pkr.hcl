variable "image_id" {
  type        = string
  default     = "ami-0123456789"
  description = "An image id."

  validation {
    condition     = length(var.image_id) > 4
    error_message = "The image_id value must be longer than four characters."
  }

  validation {
    condition     = substr(var.image_id, 0, 4) == "ami-"
    error_message = "The image_id value must start with \"ami-\"."
  }
}

variable "size" {
  type    = number
  default = 8

  validation {
    condition     = var.size >= 1 && var.size <= 16
    error_message = "The size must be between 1 and 16."
  }

  validation {
    condition     = floor(var.size) == var.size
    error_message = "The size must be a whole number."
  }
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
