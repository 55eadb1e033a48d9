# source.name and source.type are known inside the source block.
source "file" "x" {
  target  = "${source.name}.txt"
  content = "built by ${source.type}"
}
build {
  sources = ["source.file.x"]
  source "source.file.x" {
    name = "renamed"
  }
}
