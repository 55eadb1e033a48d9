# Without a type constraint a variable takes the type of its default.
variable "mixed_list" {
  default = [1, "two", true]
}

variable "nested_object" {
  default = {
    nested = { deep = [true] }
    n      = 1
  }
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
