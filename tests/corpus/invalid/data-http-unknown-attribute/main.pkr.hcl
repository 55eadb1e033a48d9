data "http" "release" {
  url = "http://127.0.0.1:9/release.json"
}

locals {
  # The http data source has body, not response_body.
  text = data.http.release.response_body
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
