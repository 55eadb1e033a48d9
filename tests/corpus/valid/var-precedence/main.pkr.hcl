# Precedence, lowest first: default, PKR_VAR_ env, *.auto.pkrvars.hcl,
# -var-file, -var.
variable "only_default" { default = "default" }
variable "env_wins"     { default = "default" }
variable "auto_wins"    { default = "default" }
variable "file_wins"    { default = "default" }
variable "cli_wins"     { default = "default" }

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]
}
