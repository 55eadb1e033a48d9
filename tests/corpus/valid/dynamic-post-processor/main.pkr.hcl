locals {
  manifests = { a = "one", b = "two" }
}

source "null" "base" {
  communicator = "none"
}

build {
  sources = ["source.null.base"]

  dynamic "post-processor" {
    for_each = local.manifests
    labels   = ["manifest"]
    content {
      output = "manifest-${post-processor.key}-${post-processor.value}.json"
    }
  }
}
