locals {
  greeting = file("files/hello.txt")
  configs  = fileset("files", "**/*.cfg")
  exists   = fileexists("files/hello.txt")
  missing  = fileexists("files/nope.txt")
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
