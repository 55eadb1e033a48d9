# A value for an undeclared variable in a var file is only a warning.
variable "known" { default = "k" }

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
