# Without communicator = "none" the null builder needs SSH settings.
source "null" "basic" {
}

build {
  sources = ["source.null.basic"]
}
