source "null" "a" { communicator = "none" }

build {
  sources = ["source.null.a"]

  provisioner "shell-local" {
    inline = ["echo quick"]
  }
  provisioner "shell-local" {
    timeout = "1s"
    inline  = ["echo slow", "sleep 20", "echo never printed"]
  }
  provisioner "shell-local" {
    inline = ["echo not reached"]
  }
}
