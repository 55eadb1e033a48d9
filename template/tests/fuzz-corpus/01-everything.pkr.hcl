packer {
  required_version = ">= 1.6.0"
  required_plugins {
    amazon = { version = ">= 1.0", source = "github.com/hashicorp/amazon" }
  }
}
variable "list" {
  type    = list(object({ name = string, size = optional(number, 3) }))
  default = [{ name = "a" }, { name = "b", size = 9 }]
  validation {
    condition     = length(var.list) > 0
    error_message = "Need at least one."
  }
}
variable "secret" {
  default   = "pw"
  sensitive = true
}
variables {
  legacy = "x"
}
locals {
  names  = [for i in var.list : upper(i.name) if i.size > 1]
  by_key = { for i in var.list : i.name => i.size... }
  joined = join(",", local.names)
  tmpl   = <<-EOT
    %{ for n in local.names ~}
    name=${n}
    %{ endfor ~}
    EOT
  maybe  = try(var.list[5].name, "none")
  calc   = (1 + 2) * 3 % 4 / 2 - -1
  cond   = local.calc > 2 ? "big" : "small"
  splat  = var.list[*].name
  json   = jsonencode({ a = [1, true, null] })
}
local "hidden" {
  expression = "${var.secret}-x"
  sensitive  = true
}
data "null" "d" {
  input = local.joined
}
source "null" "a" {
  communicator = "none"
}
build {
  name    = "b"
  sources = ["source.null.a"]
  source "source.null.a" {
    name = "renamed"
  }
  provisioner "shell-local" {
    inline   = ["echo ${local.cond} ${build.ID} ${source.name}", data.null.d.output]
    only     = ["null.a"]
    override = { renamed = { inline = ["true"] } }
  }
  post-processors {
    post-processor "shell-local" {
      inline = ["true"]
    }
  }
}
