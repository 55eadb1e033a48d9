source "null" "a" { communicator = "none" }
source "null" "b" { communicator = "none" }
source "file" "c" {
  content = "c"
  target  = "c.txt"
}

build {
  sources = ["source.null.a", "source.null.b", "source.file.c"]
  provisioner "shell-local" {
    inline = ["echo ran"]
  }
}
