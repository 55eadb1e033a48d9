source "null" "a" { communicator = "none" }

build {
  sources = ["source.null.a"]

  provisioner "shell-local" {
    max_retries = 3
    inline = ["n=$(cat count.txt 2>/dev/null || echo 0)", "echo $((n+1)) > count.txt", "echo attempt $n", "test $n -ge 2"]
  }
  provisioner "shell-local" {
    inline = ["echo done after retries"]
  }
}
