source "null" "good" { communicator = "none" }
source "null" "bad" { communicator = "none" }

build {
  sources = ["source.null.good", "source.null.bad"]

  provisioner "shell-local" {
    inline = ["echo before", "test ${source.name} = good", "echo after"]
  }
  post-processor "manifest" {}
}
