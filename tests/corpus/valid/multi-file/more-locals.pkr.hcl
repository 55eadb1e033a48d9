locals {
  latest = reverse(var.versions)[0]
}
