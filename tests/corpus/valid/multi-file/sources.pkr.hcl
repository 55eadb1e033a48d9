source "null" "east" {
  communicator = "none"
}

source "null" "west" {
  communicator = "none"
}
