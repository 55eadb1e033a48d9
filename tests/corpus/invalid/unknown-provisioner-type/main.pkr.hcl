source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]

  provisioner "no-such-provisioner" {
    foo = "bar"
  }
}
