source "null" "a" { communicator = "none" }

build {
  sources = ["source.null.a"]

  provisioner "shell-local" {
    inline = ["echo provisioning"]
  }
  post-processor "shell-local" {
    environment_vars = ["GREETING=hello world", "QUOTE=it's"]
    inline           = ["echo pp says $GREETING / $QUOTE / $PACKER_BUILD_NAME"]
  }
  post-processor "shell-local" {
    inline = ["echo second chain"]
  }
}
