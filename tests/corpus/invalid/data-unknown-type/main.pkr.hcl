data "no-such-datasource" "x" {
  foo = "bar"
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
