variable "vm" {
  type = object({
    name   = string
    cpus   = number
    gui    = bool
    disks  = list(number)
  })
  default = {
    name  = "builder"
    cpus  = "2"
    gui   = false
    disks = [10, 20]
    extra = "dropped by conversion"
  }
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
