# Packer reads only the type and the name of a three-part reference: the
# first word may be anything.
source "null" "a" {
  communicator = "none"
}
source "null" "b" {
  communicator = "none"
}
build {
  sources = ["sources.null.a", "src.null.b"]
}
build {
  name = "nested"
  source "anything.null.b" {}
}
