variable "required" {
  type        = string
  description = "No default and never set."
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
