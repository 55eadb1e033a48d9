# Several auto var files: later files (lexical order) win.
variable "v" { default = "default" }
variable "w" { default = "default" }

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
