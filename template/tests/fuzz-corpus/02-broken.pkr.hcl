variable "x" {
  type = lisst(string)
  default = {}
}
locals {
  a = local.b
  b = local.a
  c = "${"
  d = [for x in 1 : x]
  e = {}.nope[0]
}
source "null" {}
build {
  sources = ["nonsense"]
  provisioner "shell-local" { max_retries = "x" timeout = "forever" }
}
