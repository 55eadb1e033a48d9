source "null" "first" {
  communicator = "none"
}

source "null" "second" {
  communicator = "none"
}

build {
  sources = ["source.null.first", "source.null.second"]

  provisioner "shell-local" {
    only   = ["null.first"]
    inline = ["echo only first"]
  }

  provisioner "shell-local" {
    except = ["null.first"]
    inline = ["echo all but first"]
  }

  provisioner "shell-local" {
    environment_vars = ["FOO=bar", "BAZ=qux"]
    execute_command  = ["/bin/sh", "-c", "{{.Vars}} {{.Script}}"]
    inline           = ["echo $FOO"]
    max_retries      = 2
    timeout          = "5m"
  }

  provisioner "shell-local" {
    pause_before = "1s"
    command      = "echo command form"
  }
}
