# One local holds every call so that 1.6.6's error report is deterministic.
locals {
  r = {
    total   = sum([1, 2, 3.5])
    all_ok  = alltrue([true, true])
    any_ok  = anytrue([false, true])
    minus   = setsubtract(["a", "b", "c"], ["b"])
    flipped = transpose({ a = ["1", "2"], b = ["2"] })
  }
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
