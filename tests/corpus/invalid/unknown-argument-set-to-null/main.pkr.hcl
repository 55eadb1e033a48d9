variable "inline" {
  default = false
}

source "null" "a" {
  communicator = "none"
}

build {
  sources = ["source.null.a"]

  provisioner "shell-local" {
    inline  = ["true"]
    commnad = var.inline ? "x" : null
  }
}
