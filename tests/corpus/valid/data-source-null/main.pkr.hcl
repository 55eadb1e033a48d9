data "null" "greeting" {
  input = "hello"
}

locals {
  greeting = upper(data.null.greeting.output)
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]

  provisioner "shell-local" {
    inline = ["echo ${local.greeting}"]
  }
}
