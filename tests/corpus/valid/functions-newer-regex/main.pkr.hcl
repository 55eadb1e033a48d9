# One local holds every call so that 1.6.6's error report is deterministic.
locals {
  r = {
    first = regex("[0-9]+", "abc123def456")
    all   = regexall("[0-9]+", "abc123def456")
    named = regex("(?P<major>[0-9]+)\\.(?P<minor>[0-9]+)", "v1.22")
  }
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
