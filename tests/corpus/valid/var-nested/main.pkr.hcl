variable "fleet" {
  type = map(list(object({
    name  = string
    ports = set(number)
    meta  = map(string)
  })))
  default = {
    web = [
      { name = "w1", ports = [443, 80, 80], meta = { role = "edge" } },
      { name = "w2", ports = [8080], meta = {} },
    ]
    db = []
  }
}

locals {
  web_names = [for m in var.fleet["web"] : m.name]
  all_ports = flatten([for group in values(var.fleet) : [for m in group : m.ports]])
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
