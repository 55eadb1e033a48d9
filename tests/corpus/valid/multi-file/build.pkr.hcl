build {
  name    = "multi"
  sources = ["source.null.east", "source.null.west"]

  provisioner "shell-local" {
    inline = ["echo ${local.image_name}"]
  }
}
