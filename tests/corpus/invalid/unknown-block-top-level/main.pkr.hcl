resource "aws_instance" "web" {
  ami = "x"
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
