source "no-such-builder" "x" {
  foo = "bar"
}

build {
  sources = ["source.no-such-builder.x"]
}
