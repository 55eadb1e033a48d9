variable "nums" {
  default = [1, 2, 3, 4, 5]
}

variable "users" {
  default = {
    alice = { role = "admin", age = 30 }
    bob   = { role = "dev", age = 25 }
    carol = { role = "dev", age = 35 }
  }
}

locals {
  doubled    = [for n in var.nums : n * 2]
  evens      = [for n in var.nums : n if n % 2 == 0]
  indexed    = [for i, n in var.nums : "${i}:${n}"]
  as_map     = { for n in var.nums : "k${n}" => n }
  by_role    = { for name, u in var.users : u.role => name... }
  ages       = { for name, u in var.users : name => u.age if u.age > 26 }
  nested     = [for u in values(var.users) : [for k, v in u : k]]
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
