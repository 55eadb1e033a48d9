variable "names" {
  type    = list(string)
  default = ["first", "second"]
}

source "null" "base" {
  communicator = "none"
}

build {
  name = "dyn"
  dynamic "source" {
    for_each = var.names
    iterator = n
    labels   = ["source.null.base"]
    content {
      name = n.value
    }
  }

  provisioner "shell-local" {
    inline = ["echo ${source.name}"]
  }
}
