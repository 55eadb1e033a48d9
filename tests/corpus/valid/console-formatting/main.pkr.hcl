# Expressions chosen to pin down how "packer console" prints values.
source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
