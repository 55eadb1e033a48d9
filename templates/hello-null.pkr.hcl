# A first template: no machine, just local steps. Copy it, then run
#   kiln validate templates/hello-null.pkr.hcl
packer {
  required_version = ">= 1.6.0"
}

variable "greeting" {
  type        = string
  default     = "hello"
  description = "What the build says."

  validation {
    condition     = length(var.greeting) > 0
    error_message = "The greeting must not be empty."
  }
}

variable "api_token" {
  type      = string
  default   = "s3cr3t-token"
  sensitive = true
}

locals {
  stamp   = formatdate("YYYY-MM-DD", "2024-05-01T10:00:00Z")
  message = "${upper(var.greeting)} from ${local.stamp}"
}

source "null" "example" {
  communicator = "none"
}

build {
  name    = "hello"
  sources = ["source.null.example"]

  provisioner "shell-local" {
    inline = ["echo ${local.message}", "echo building ${source.name}"]
  }

  post-processor "shell-local" {
    inline = ["echo done"]
  }
}
