variable "project" {
  default = "kiln"
}

# Locals may reference locals declared later and in other locals blocks.
locals {
  full_name = "${local.prefix}-${local.suffix}"
  prefix    = upper(var.project)
}

locals {
  suffix  = local.version_parts[0]
  version_parts = split(".", local.version)
}

locals {
  version = "1.2.3"
  tagged  = { name = local.full_name, parts = local.version_parts }
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
