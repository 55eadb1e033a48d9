variable "secret_api_key" {
  type      = string
  default   = "s3cr3t"
  sensitive = true
}

# The singular local block marks a local as sensitive.
local "mylocal" {
  expression = "key=${var.secret_api_key}"
  sensitive  = true
}

local "plain" {
  expression = upper("visible")
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
