source "null" "basic" {
  communicator  = "none"
  not_a_setting = true
}

build {
  sources = ["source.null.basic"]
}
