locals {
  ok = "fine"
}

locals {
  bad = [1, 2
}
