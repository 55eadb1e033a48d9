# The smallest useful template: one null source, one build.
source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
