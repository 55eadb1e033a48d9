source "null" "one" { communicator = "none" }
source "null" "two" { communicator = "none" }
source "null" "three" { communicator = "none" }

build {
  sources = ["source.null.one", "source.null.two", "source.null.three"]

  post-processor "manifest" {
    output     = "builds.json"
    strip_time = true
    custom_data = {
      flavour = "vanilla"
      source  = "${source.name}"
    }
  }
}
