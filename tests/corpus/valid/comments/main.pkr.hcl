# hash comment
// double-slash comment
/* block
   comment */
variable "greeting" {
  default = "hi" # trailing comment
  /* inline */ description = "a greeting"
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
