source "null" "a" { communicator = "none" }
source "null" "b" { communicator = "none" }

build {
  sources = ["source.null.a", "source.null.b"]

  provisioner "shell-local" {
    inline = ["echo first ${source.name}"]
  }
  provisioner "shell-local" {
    only   = ["null.b"]
    inline = ["echo only-b"]
  }
  provisioner "shell-local" {
    except = ["null.b"]
    inline = ["echo except-b"]
  }
  provisioner "shell-local" {
    inline = ["echo default"]
    override = {
      a = { inline = ["echo overridden for a"] }
    }
  }
  provisioner "shell-local" {
    inline = ["echo last $PACKER_BUILD_NAME $PACKER_BUILDER_TYPE"]
  }
}
