# The variables block declares several untyped variables with defaults at once.
variables {
  region   = "eu-west-1"
  replicas = 2
  tags     = { team = "build" }
}

locals {
  summary = "${var.region}/${var.replicas}/${var.tags.team}"
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
