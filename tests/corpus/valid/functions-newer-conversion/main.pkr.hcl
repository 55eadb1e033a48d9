# One local holds every call so that 1.6.6's error report is deterministic
# (it reports a single failing local, picked in Go map order).
locals {
  r = {
    n = tonumber("42")
    s = tostring(7)
    b = tobool("true")
    l = tolist(["a", "b"])
    m = tomap({ a = "1" })
    t = toset(["b", "a", "b"])
  }
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
