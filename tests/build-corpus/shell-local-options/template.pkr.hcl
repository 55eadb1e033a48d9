source "null" "a" { communicator = "none" }

build {
  sources = ["source.null.a"]

  provisioner "shell-local" {
    environment_vars = ["FOO=bar baz", "EMPTY="]
    inline           = ["echo FOO=$FOO EMPTY=[$EMPTY]"]
  }
  provisioner "shell-local" {
    execute_command = ["/bin/sh", "-c", "{{.Vars}} /bin/sh {{.Script}} extra-arg"]
    environment_vars = ["X=1"]
    inline           = ["echo X=$X args=$#"]
  }
  provisioner "shell-local" {
    valid_exit_codes = [0, 3]
    inline           = ["echo exiting 3", "exit 3"]
  }
  provisioner "shell-local" {
    inline_shebang = "/bin/bash -e"
    inline         = ["echo bash ${"$"}{BASH_VERSION:+yes}"]
  }
  provisioner "shell-local" {
    script = "script.sh"
  }
  provisioner "shell-local" {
    inline = ["echo bad exit", "exit 4"]
  }
}
