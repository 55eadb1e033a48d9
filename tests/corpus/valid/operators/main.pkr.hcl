locals {
  arithmetic = [1 + 2, 7 - 10, 3 * 4, 7 / 2, 7 % 3, -5]
  comparison = [1 < 2, 2 <= 2, 3 > 4, 4 >= 5, "a" == "a", [1] != [2]]
  logic      = [true && false, true || false, !true]
  precedence = 1 + 2 * 3 - 4 / 2
  grouped    = (1 + 2) * 3
  cond       = 5 > 3 ? "yes" : "no"
  nested_cond = false ? 1 : true ? 2 : 3
  equal_types = 1 == "1"
  float_math  = 0.1 + 0.2
  big         = 9007199254740993
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
