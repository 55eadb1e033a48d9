source "null" "base" {
  communicator = "none"
}

source "null" "other" {
  communicator = "none"
}

build {
  name        = "nested"
  description = "nested sources rename and extend top-level sources"

  # A nested source fills in fields the top-level source left unset.
  source "source.null.base" {
    name = "first"
  }

  source "null.base" {
    name = "second"
  }

  sources = ["source.null.other"]

  provisioner "shell-local" {
    inline = ["echo ${source.name} ${source.type}"]
  }
}
