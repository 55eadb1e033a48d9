# index() changed meaning after 1.6.6.
source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
