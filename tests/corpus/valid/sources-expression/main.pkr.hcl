# `sources` is an expression evaluated with variables and locals.
variable "sources" {
  type    = list(string)
  default = ["source.null.a"]
}
locals {
  all = concat(var.sources, ["source.null.b"])
}
source "null" "a" {
  communicator = "none"
}
source "null" "b" {
  communicator = "none"
}
build {
  sources = var.sources
}
build {
  name    = "all"
  sources = local.all
}
