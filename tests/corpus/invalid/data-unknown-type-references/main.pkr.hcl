data "no-such-datasource" "x" {
  foo = "bar"
}

locals {
  id   = data.no-such-datasource.x.id
  name = data.no-such-datasource.x.tags["Name"]
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
  provisioner "shell-local" {
    inline = ["echo ${local.id} ${data.no-such-datasource.x.id}"]
  }
}
