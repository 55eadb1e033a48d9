source "file" "motd" {
  content = "Hello from kiln\n"
  target  = "motd.txt"
}

build {
  sources = ["source.file.motd"]
  post-processor "manifest" {
    output = "manifest.json"
  }
}
