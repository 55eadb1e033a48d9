source "null" "basic" {
  communicator = "none"
}

build {
  # Fields already set on the top-level source cannot be set again.
  source "source.null.basic" {
    communicator = "ssh"
  }
}
