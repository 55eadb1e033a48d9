variable "tags" {
  type = map(string)
  default = {
    env   = "prod"
    owner = "ops"
    "with space" = "quoted key"
  }
}

variable "sizes" {
  type    = map(number)
  default = { small = 1, large = 8 }
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
