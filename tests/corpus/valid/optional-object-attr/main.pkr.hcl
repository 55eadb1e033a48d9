variable "context" {
  type = object({
    name    = string
    bar_pro = optional(string, "bar")
    baz     = optional(number)
  })
  default = {
    name = "ctx"
  }
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
