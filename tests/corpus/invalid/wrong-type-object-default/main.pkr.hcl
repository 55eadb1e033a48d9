variable "vm" {
  type = object({
    name = string
    cpus = number
  })
  default = {
    name = "vm"
  }
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
