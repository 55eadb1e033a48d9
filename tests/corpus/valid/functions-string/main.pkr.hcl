locals {
  upper   = upper("hello")
  lower   = lower("HeLLo")
  title   = title("hello world")
  trimmed = trimspace("  pad  ")
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
