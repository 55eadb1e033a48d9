variable "steps" {
  type    = list(string)
  default = ["one", "two", "three"]
}

variable "scripts" {
  type = map(string)
  default = {
    hello = "echo hello"
    bye   = "echo bye"
  }
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]

  dynamic "provisioner" {
    for_each = var.steps
    labels   = ["shell-local"]
    content {
      inline = ["echo step ${provisioner.key}: ${provisioner.value}"]
    }
  }

  dynamic "provisioner" {
    for_each = var.scripts
    iterator = script
    labels   = ["shell-local"]
    content {
      inline = [script.value]
    }
  }
}
