locals {
  text = <<EOT
never closed
}

source "null" "basic" {
  communicator = "none"
}
