# validate makes no request (port 9, discard, would refuse anyway): the
# outputs stay unknown and only their names and types are checked.
data "http" "release" {
  url    = "http://127.0.0.1:9/release.json"
  method = "GET"
  request_headers = {
    Accept = "application/json"
  }
}

locals {
  version = jsondecode(data.http.release.body).version
  server  = data.http.release.request_headers["Server"]
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
  provisioner "shell-local" {
    inline = ["echo ${local.version} from ${data.http.release.url} (${local.server})"]
  }
}
