source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]

  provisioner "shell-local" {
    inline   = ["echo hi"]
    bogus    = "nope"
  }
}
