locals {
  total    = sum([1, 2, 3.5])
  all_ok   = alltrue([true, true])
  any_ok   = anytrue([false, true])
  minus    = setsubtract(["a", "b", "c"], ["b"])
  flipped  = transpose({ a = ["1", "2"], b = ["2"] })
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
