source "file" "data" {
  content = "data that does not survive\n"
  target  = "gone.txt"
}

build {
  sources = ["source.file.data"]

  post-processors {
    post-processor "compress" {
      output              = "gone.tar.gz"
      keep_input_artifact = false
    }
    post-processor "manifest" {
      output = "manifest.json"
    }
  }
}
