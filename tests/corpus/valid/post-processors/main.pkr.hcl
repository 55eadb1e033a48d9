source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]

  post-processor "shell-local" {
    inline = ["echo single"]
  }

  post-processor "shell-local" {
    only   = ["null.basic"]
    inline = ["echo single only"]
  }

  post-processors {
    post-processor "shell-local" {
      inline = ["echo chain step 1"]
    }

    post-processor "shell-local" {
      keep_input_artifact = true
      inline              = ["echo chain step 2"]
    }
  }

  post-processors {
    post-processor "shell-local" {
      inline = ["echo second chain"]
    }
  }
}
