source "null" "a" {
  communicator = "none"
}

source "null" "b" {
  communicator = "none"
}

build {
  name    = "one"
  sources = ["source.null.a", "source.null.b"]
}

build {
  name    = "two"
  sources = ["source.null.a"]

  provisioner "shell-local" {
    inline = ["echo two"]
  }
}

build {
  sources = ["source.null.b"]
}
