source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]

  dynamic "provisioner" {
    for_each = "not a collection"
    labels   = ["shell-local"]
    content {
      inline = ["echo ${provisioner.value}"]
    }
  }
}
